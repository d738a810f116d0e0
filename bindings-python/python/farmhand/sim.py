"""Simulated phones, so scripts and tests run without hardware.

A :class:`Scenario` describes the world: accounts that exist on the platforms,
phones with their installed apps and who is logged in where, latencies and
faults. :class:`SimFleet` starts its phones, each speaking the ADB device
protocol on its own ``127.0.0.1`` port; :class:`AdbServer` runs the real
``adb`` server on a private port, so the phones are reached exactly as real
cloud phones are::

    from farmhand import sim

    scenario = sim.Scenario.from_dict({
        "accounts": [{"platform": "instagram", "username": "alice", "password": "pw"}],
        "phones": [{"apps": [{"kind": "instagram"}]}],
    })
    with sim.SimFleet(scenario) as fleet, sim.AdbServer() as adb:
        for serial in fleet.serials:
            adb.connect(serial)
        driver = adb.driver()          # a farmhand.AdbDriver
        print(driver.devices())

``fleet.driver()`` gives an in-process driver over the same phones (no adb).
"""

from __future__ import annotations

from ._native import AdbServer, Scenario, SimFleet

__all__ = ["AdbServer", "Scenario", "SimFleet"]
