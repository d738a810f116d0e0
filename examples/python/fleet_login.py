"""Fleet login with live progress, on simulated phones through the real adb server.

Run: python examples/python/fleet_login.py
(needs the `adb` tool: Debian `apt-get install adb`). Ctrl-C while it runs
cancels cleanly: the account in hand is finished, the rest are left alone.
"""

from __future__ import annotations

import farmhand
from farmhand import sim

SCENARIO = {
    "accounts": [
        {"platform": "instagram", "username": "alice", "email": "alice@example.com", "password": "pw-a",
         "totp_secret": "JBSWY3DPEHPK3PXP", "followers": 12500},
        {"platform": "instagram", "username": "bob", "password": "pw-b", "followers": 310},
        {"platform": "tiktok", "username": "carol", "password": "pw-c", "followers": 98000, "likes": 1200000},
        {"platform": "tiktok", "username": "dave", "password": "pw-d"},
    ],
    "phones": [
        {"model": "Pixel 7", "apps": [{"kind": "instagram"}, {"kind": "tiktok"}]},
        {"model": "Pixel 8", "apps": [{"kind": "instagram"}, {"kind": "tiktok", "logged_in": ["dave"]}]},
    ],
}


def progress(event: farmhand.Event) -> None:
    if event.kind == "started":
        print(f"{event.workflow}: {event.accounts} accounts on {event.phones} phones")
    elif event.kind == "account_done" and event.result is not None:
        r = event.result
        print(f"  [{event.done}/{event.total}] {r.username:<6} on {r.device}: {r.outcome}"
              + (f" ({r.reason})" if r.reason else ""))


def main() -> None:
    with sim.SimFleet(sim.Scenario.from_dict(SCENARIO)) as fleet, sim.AdbServer() as adb:
        for serial in fleet.serials:
            adb.connect(serial)
        driver = adb.driver()
        print("phones:", [(d.serial, d.model) for d in driver.devices()])
        one, two = fleet.serials

        with farmhand.Workspace.in_memory() as ws:
            ws.add("alice", platform="instagram", email="alice@example.com",
                   password="pw-a", totp_key="JBSWY3DPEHPK3PXP", device=one)
            ws.add("bob", platform="instagram", password="wrong", device=two)
            ws.add("carol", platform="tiktok", password="pw-c", device=one)
            ws.add("dave", platform="tiktok", password="pw-d", device=two)
            ws.add("erin", platform="tiktok", password="pw-e", device=two, status="disabled")

            report = ws.login(driver, parallelism=2, progress=progress)
            print(report.summary, report.summary.counts)
            print("logged in now:", [a.username for a in ws.list(logged_in=True)])
            for a in ws.list(logged_in=False):
                print(f"  not logged in: {a.username} ({a.last_error or a.status})")


if __name__ == "__main__":
    main()
