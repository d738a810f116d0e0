"""Workflows and farmhand.sim end to end: simulated phones reached through the
real adb server (and in-process), progress callbacks, Ctrl-C, bad input."""

from __future__ import annotations

import _thread
import signal
import threading
from collections.abc import Iterator
from typing import Any

import pytest

import farmhand
from farmhand import sim

TOTP_KEY = "JBSWY3DPEHPK3PXP"
IG = "com.instagram.android"
TT = "com.zhiliaoapp.musically"

SCENARIO: dict[str, Any] = {
    "accounts": [
        {"platform": "instagram", "username": "alice", "email": "alice@example.com", "password": "pw-alice",
         "totp_secret": TOTP_KEY, "nickname": "Alice A", "followers": 12500, "following": 180, "posts": 42},
        {"platform": "instagram", "username": "bob", "password": "pw-bob"},
        {"platform": "tiktok", "username": "carol", "password": "pw-carol", "followers": 98000, "likes": 1200000},
        {"platform": "tiktok", "username": "dave", "password": "pw-dave", "followers": 7},
        {"platform": "instagram", "username": "erin", "password": "pw-erin"},
    ],
    "phones": [
        {"model": "Pixel 7", "apps": [{"kind": "instagram"}, {"kind": "tiktok"}]},
        {"model": "Pixel 8", "apps": [{"kind": "instagram", "logged_in": ["erin"]},
                                      {"kind": "tiktok", "logged_in": ["dave"]}]},
    ],
}


@pytest.fixture
def fleet() -> Iterator[sim.SimFleet]:
    with sim.SimFleet(sim.Scenario.from_dict(SCENARIO)) as phones:
        yield phones


@pytest.fixture
def adb(fleet: sim.SimFleet) -> Iterator[farmhand.AdbDriver]:
    with sim.AdbServer() as server:
        for serial in fleet.serials:
            server.connect(serial)
        yield server.driver()


def roster(ws: farmhand.Workspace, fleet: sim.SimFleet) -> dict[str, farmhand.Account]:
    one, two = fleet.serials
    return {
        "alice": ws.add("alice", platform="instagram", email="alice@example.com",
                        password="pw-alice", totp_key=TOTP_KEY, device=one),
        "bob": ws.add("bob", platform="instagram", password="not-bobs", device=one),
        "carol": ws.add("carol", platform="tiktok", password="pw-carol", device=one),
        "dave": ws.add("dave", platform="tiktok", password="pw-dave", device=two),
        "frank": ws.add("frank", platform="tiktok", password="pw-frank", device=two, status="disabled"),
    }


def test_sim_phones_through_the_real_adb_server(fleet: sim.SimFleet, adb: farmhand.AdbDriver) -> None:
    listed = {d.serial: d for d in adb.devices()}
    assert set(listed) == set(fleet.serials)
    assert all(d.online and d.state == "device" and d.transport == "tcp" for d in listed.values())
    phone = adb.open(fleet.serials[0])
    assert phone.serial == fleet.serials[0]
    out = phone.shell("echo hello")
    assert out.ok and out.stdout.strip() == "hello"
    assert IG in phone.installed_packages() and TT in phone.installed_packages()
    phone.launch(IG)
    assert phone.foreground_package() == IG == fleet.foreground_package(fleet.serials[0])
    tree = phone.dump_ui()
    assert tree.main_package == IG and len(tree) > 0
    width, height = phone.screen_size()
    assert width > 0 and height > 0
    with pytest.raises(farmhand.TimeoutError) as info:
        phone.wait_for(text="no such text anywhere", timeout=0.5)
    assert isinstance(info.value, TimeoutError) and info.value.seconds == 0.5


def test_login_end_to_end_through_adb(ws: farmhand.Workspace, fleet: sim.SimFleet, adb: farmhand.AdbDriver) -> None:
    accounts = roster(ws, fleet)
    events: list[farmhand.Event] = []
    report = ws.login(adb, parallelism=2, progress=events.append)
    assert report.workflow == "login" and not report.cancelled
    outcome = {name: report.outcome(a) for name, a in accounts.items()}
    assert outcome == {
        "alice": "logged_in",
        "bob": "wrong_password",
        "carol": "logged_in",
        "dave": "already_logged_in",
        "frank": "skipped_disabled",
    }
    assert ws.get(accounts["alice"].id).logged_in and ws.get(accounts["alice"].id).last_login_at is not None
    assert not ws.get(accounts["bob"].id).logged_in and ws.get(accounts["bob"].id).last_error
    assert fleet.logged_in(fleet.serials[0], IG) == ["alice"]
    assert report.summary.succeeded == 3 and report.summary.counts["logged_in"] == 2
    kinds = [e.kind for e in events]
    assert kinds[0] == "started" and kinds[-1] == "finished"
    done = [e for e in events if e.kind == "account_done"]
    assert len(done) == len(report) == 5 and done[-1].done == done[-1].total == 5
    assert "pw-alice" not in repr(events) + repr(report.results)


def test_match_then_sync_profiles(ws: farmhand.Workspace, fleet: sim.SimFleet) -> None:
    driver = fleet.driver()
    found = ws.match_accounts(driver)
    assert found.workflow == "match_accounts"
    two = fleet.serials[1]
    erin = ws.find("erin", platform="instagram")
    dave = ws.find("dave", platform="tiktok")
    assert erin is not None and erin.device == two and erin.logged_in
    assert dave is not None and dave.device == two
    assert found.summary.counts.get("created") == 2
    again = ws.match_accounts(driver)
    assert "created" not in again.summary.counts
    assert len(ws) == 2
    synced = ws.sync_profiles(driver, accounts=[dave])
    assert synced.outcome(dave) == "synced"
    stats = ws.get(dave.id).stats
    assert stats.followers == 7 and stats.synced_at is not None


def test_a_raising_progress_callback_stops_the_run_and_surfaces(ws: farmhand.Workspace, fleet: sim.SimFleet) -> None:
    accounts = roster(ws, fleet)
    calls: list[str] = []

    class Stop(Exception):
        pass

    def progress(event: farmhand.Event) -> None:
        calls.append(event.kind)
        if event.kind == "account_done":
            raise Stop("enough")

    with pytest.raises(Stop) as info:
        ws.login(fleet.driver(), parallelism=1, screen_timeout=2, progress=progress)
    report = info.value.report  # type: ignore[attr-defined]
    assert isinstance(report, farmhand.Report) and report.cancelled
    assert calls.count("account_done") == 1, "no callback after the one that raised"
    untouched = [a for a in accounts.values() if report.outcome(a) in (None, "cancelled")]
    assert untouched, "the run stopped before its last account"
    for account in untouched:
        now = ws.get(account.id)
        assert now.last_error is None and not now.logged_in and now.last_login_at is None


def test_ctrl_c_cancels_the_run_cleanly(ws: farmhand.Workspace, fleet: sim.SimFleet) -> None:
    # A process started in the background by a non-interactive shell inherits
    # SIGINT as ignored, and Python then installs no handler: interrupt_main()
    # would do nothing. Ctrl-C at a terminal meets Python's own handler.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        _ctrl_c_cancels_the_run_cleanly(ws, fleet)
    finally:
        signal.signal(signal.SIGINT, previous)


def _ctrl_c_cancels_the_run_cleanly(ws: farmhand.Workspace, fleet: sim.SimFleet) -> None:
    accounts = roster(ws, fleet)
    fired = threading.Event()

    def progress(event: farmhand.Event) -> None:
        if event.kind == "step" and not fired.is_set():
            fired.set()
            _thread.interrupt_main()  # what Ctrl-C does: a SIGINT for the main thread

    with pytest.raises(KeyboardInterrupt) as info:
        ws.login(fleet.driver(), parallelism=1, screen_timeout=2, progress=progress)
    report = info.value.report  # type: ignore[attr-defined]
    assert report.cancelled
    assert len([r for r in report.results if r.outcome != "cancelled"]) < len(accounts)
    assert len(ws) == len(accounts)
    ws.login(fleet.driver(), accounts=[accounts["carol"]], screen_timeout=2)  # the workspace is still usable


def test_workflow_bad_input(ws: farmhand.Workspace, fleet: sim.SimFleet) -> None:
    driver = fleet.driver()
    a = ws.add("alice", platform="instagram", device=fleet.serials[0])
    with pytest.raises(farmhand.ValidationError) as info:
        ws.login(driver, parallelism=0)
    assert info.value.field == "parallelism"
    with pytest.raises(TypeError, match="progress"):
        ws.login(driver, progress="print")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ws.login(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ws.login("127.0.0.1:5555")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not both"):
        ws.login(driver, accounts=[a], platform="instagram")
    with pytest.raises(farmhand.NotFoundError):
        ws.login(driver, accounts=[a.id, 999])
    with pytest.raises(ValueError, match="timeout"):
        ws.sync_profiles(driver, screen_timeout=-1)
    with pytest.raises(ValueError, match="timeout"):
        ws.match_accounts(driver, command_timeout=float("inf"))
    ws.close()
    with pytest.raises(farmhand.ClosedError):
        ws.login(driver)


def test_sim_bad_input() -> None:
    with pytest.raises(farmhand.ScenarioError) as info:
        sim.Scenario.from_json("{")
    assert not isinstance(info.value, farmhand.SheetImportError)
    assert isinstance(info.value, ValueError)
    assert info.value.kind == "scenario" and info.value.source == "<text>"
    with pytest.raises(farmhand.ValidationError, match="logged_in"):
        sim.Scenario.from_dict({"phones": [{"apps": [{"kind": "instagram", "logged_in": ["ghost"]}]}]})
    with pytest.raises(farmhand.ScenarioError, match="bogus"):
        sim.Scenario.from_dict({"phones": [], "bogus": 1})
    with pytest.raises(TypeError):
        sim.Scenario.from_dict("not a dict")  # type: ignore[arg-type]
    with pytest.raises(farmhand.FileError):
        sim.Scenario.load("/no/such/scenario.json")
    scenario = sim.Scenario.with_phones(2)
    assert scenario.phones == 2 and sim.Scenario.from_json(scenario.to_json()).phones == 2
    fleet = sim.SimFleet(scenario)
    assert len(fleet) == 2
    fleet.stop()
    fleet.stop()
    with pytest.raises(farmhand.DeviceError):
        fleet.driver()
    with pytest.raises(farmhand.NotFoundError):
        fleet.logged_in("nope", IG)
    server = sim.AdbServer()
    assert server.address == f"127.0.0.1:{server.port}" and server.port != 5037
    with pytest.raises(farmhand.DeviceError):
        server.connect("127.0.0.1:1")
    server.stop()
    server.stop()
    with pytest.raises(farmhand.DeviceError):
        server.connect(fleet.serials[0])


def test_a_running_workflow_lets_other_python_threads_run(ws: farmhand.Workspace, fleet: sim.SimFleet) -> None:
    roster(ws, fleet)
    inside, go = threading.Event(), threading.Event()
    waited: list[bool] = []

    def progress(event: farmhand.Event) -> None:
        if event.kind == "started":
            inside.set()
            waited.append(go.wait(timeout=60))

    reports: list[farmhand.Report] = []
    runner = threading.Thread(target=lambda: reports.append(ws.login(fleet.driver(), progress=progress)))
    runner.start()
    # This thread runs Python (and reads the workspace) while `runner` is inside
    # ws.login: only possible because the call released the GIL.
    assert inside.wait(timeout=60)
    assert len(ws.list()) == 5
    go.set()
    runner.join(timeout=120)
    assert waited == [True]
    assert len(reports) == 1 and reports[0].summary.total == 5
