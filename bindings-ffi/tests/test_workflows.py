"""Workflows on simulated phones reached through the real adb server, with a
Python ProgressObserver called from the engine's threads and a CancelToken."""

from __future__ import annotations

import datetime
import json
import threading
from collections import Counter
from collections.abc import Iterator

import pytest

import farmhand_ffi as ffi
from conftest import new

TOTP_KEY = "JBSWY3DPEHPK3PXP"
IG_APP = "com.instagram.android"
IG = ffi.Platform.INSTAGRAM
TT = ffi.Platform.TIKTOK

SCENARIO = {
    "accounts": [
        {"platform": "instagram", "username": "alice", "password": "pw-alice", "totp_secret": TOTP_KEY},
        {"platform": "instagram", "username": "bob", "password": "pw-bob"},
        {"platform": "tiktok", "username": "carol", "password": "pw-carol", "followers": 98000},
        {"platform": "tiktok", "username": "dave", "password": "pw-dave", "followers": 7},
    ],
    "phones": [
        {"model": "Pixel 7", "apps": [{"kind": "instagram"}, {"kind": "tiktok"}]},
        {"model": "Pixel 8", "apps": [{"kind": "instagram"}, {"kind": "tiktok", "logged_in": ["dave"]}]},
    ],
}


def kind(event: ffi.ProgressEvent) -> str:
    """The event's variant: STARTED, STEP, ACCOUNT_DONE or FINISHED."""
    return type(event).__name__.rsplit(".", 1)[-1]


class Recorder(ffi.ProgressObserver):
    """Counts events by kind; notes the threads they arrive on."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.events: list[ffi.ProgressEvent] = []
        self.threads: set[int] = set()

    def on_event(self, event: ffi.ProgressEvent) -> None:
        with self.lock:
            self.events.append(event)
            self.threads.add(threading.get_ident())

    def kinds(self) -> Counter[str]:
        return Counter(kind(e) for e in self.events)


@pytest.fixture(scope="module")
def fleet() -> Iterator[ffi.SimFleet]:
    phones = ffi.SimFleet.from_json(json.dumps(SCENARIO))
    yield phones
    phones.stop()


@pytest.fixture(scope="module")
def adb(fleet: ffi.SimFleet) -> Iterator[ffi.AdbDriver]:
    server = ffi.AdbServer.start()
    for serial in fleet.serials():
        server.connect(serial)
    yield server.driver()
    server.stop()


def test_the_sim_phones_are_seen_through_the_real_adb_server(fleet: ffi.SimFleet, adb: ffi.AdbDriver) -> None:
    listed = {d.serial: d for d in adb.devices()}
    assert set(listed) == set(fleet.serials())
    assert all(d.online and d.state == "device" for d in listed.values()), listed


def test_login_of_three_accounts_with_a_python_observer(fleet: ffi.SimFleet, adb: ffi.AdbDriver) -> None:
    ws = ffi.Workspace.in_memory()
    one, two = fleet.serials()
    alice = ws.add(new("alice", IG, password="pw-alice", totp_key=TOTP_KEY, device=one))
    carol = ws.add(new("carol", TT, password="pw-carol", device=one))
    dave = ws.add(new("dave", TT, password="pw-dave", device=two))
    recorder = Recorder()

    report = ws.login(adb, ffi.RunOptions(parallelism=2), recorder)

    assert report.workflow == ffi.Workflow.LOGIN and not report.cancelled
    outcomes = {r.account: r.outcome for r in report.results}
    assert outcomes == {
        alice.id: ffi.Outcome.LOGGED_IN,
        carol.id: ffi.Outcome.LOGGED_IN,
        dave.id: ffi.Outcome.ALREADY_LOGGED_IN,
    }
    assert report.summary.total == 3 and report.summary.succeeded == 3
    assert report.summary.outcomes == {ffi.Outcome.LOGGED_IN: 2, ffi.Outcome.ALREADY_LOGGED_IN: 1}
    assert ws.get(alice.id).logged_in and ws.get(alice.id).last_login_at is not None
    assert fleet.logged_in(one, IG_APP) == ["alice"]

    kinds = recorder.kinds()
    assert kinds["STARTED"] == 1 and kinds["FINISHED"] == 1 and kinds["ACCOUNT_DONE"] == 3
    assert kinds["STEP"] >= 3, "at least one step per account"
    assert isinstance(recorder.events[0], ffi.ProgressEvent.STARTED)
    assert recorder.events[0].accounts == 3 and recorder.events[0].phones == 2
    assert isinstance(recorder.events[-1], ffi.ProgressEvent.FINISHED) and not recorder.events[-1].cancelled
    done = [e for e in recorder.events if isinstance(e, ffi.ProgressEvent.ACCOUNT_DONE)]
    assert sorted(e.done for e in done) == [1, 2, 3] and all(e.total == 3 for e in done)
    assert recorder.threads - {threading.get_ident()}, "the phones' worker threads called the observer"
    assert "pw-alice" not in repr(recorder.events) + repr(report)


def test_cancel_from_inside_the_observer_returns_the_partial_report(fleet: ffi.SimFleet) -> None:
    ws = ffi.Workspace.in_memory()
    one = fleet.serials()[0]
    # bob's password is wrong: every login on this phone is an account's full turn.
    accounts = [ws.add(new(name, IG, password="not-it", device=one)) for name in ("bob", "erin", "frank")]
    token = ffi.CancelToken()

    class CancelAfterFirst(Recorder):
        def on_event(self, event: ffi.ProgressEvent) -> None:
            super().on_event(event)
            if isinstance(event, ffi.ProgressEvent.ACCOUNT_DONE):
                token.cancel()

    recorder = CancelAfterFirst()
    server = ffi.AdbServer.start()
    try:
        server.connect(one)
        options = ffi.RunOptions(parallelism=1, screen_timeout=datetime.timedelta(seconds=5), cancel=token)
        report = ws.login(server.driver(), options, recorder)
    finally:
        server.stop()

    assert token.is_cancelled() and report.cancelled
    worked = [r for r in report.results if r.outcome != ffi.Outcome.CANCELLED]
    assert len(worked) == 1, "the account in hand is finished; the others are not started"
    assert recorder.kinds()["ACCOUNT_DONE"] >= 1
    assert isinstance(recorder.events[-1], ffi.ProgressEvent.FINISHED) and recorder.events[-1].cancelled
    untouched = [a for a in accounts if a.id not in {r.account for r in worked}]
    assert len(untouched) == 2
    for account in untouched:
        now = ws.get(account.id)
        assert now.last_error is None and not now.logged_in


def test_an_observer_that_raises_cancels_the_run(fleet: ffi.SimFleet) -> None:
    ws = ffi.Workspace.in_memory()
    one = fleet.serials()[0]
    for name in ("bob", "erin", "frank"):
        ws.add(new(name, IG, password="not-it", device=one))
    calls: list[str] = []

    class Broken(ffi.ProgressObserver):
        def on_event(self, event: ffi.ProgressEvent) -> None:
            calls.append(kind(event))
            if isinstance(event, ffi.ProgressEvent.ACCOUNT_DONE):
                raise RuntimeError("observer bug")

    server = ffi.AdbServer.start()
    try:
        server.connect(one)
        report = ws.login(server.driver(), ffi.RunOptions(parallelism=1), Broken())
    finally:
        server.stop()
    assert report.cancelled
    assert calls.count("ACCOUNT_DONE") == 1, "no event after the one that raised"
    assert len([r for r in report.results if r.outcome != ffi.Outcome.CANCELLED]) == 1


def test_match_then_sync_profiles(fleet: ffi.SimFleet, adb: ffi.AdbDriver) -> None:
    ws = ffi.Workspace.in_memory()
    two = fleet.serials()[1]
    found = ws.match_accounts(adb, ffi.RunOptions(phones=[two]))
    assert found.workflow == ffi.Workflow.MATCH_ACCOUNTS
    dave = ws.find(TT, "dave")
    assert dave is not None and dave.device == two and dave.logged_in
    assert found.summary.outcomes.get(ffi.Outcome.CREATED) == 1
    again = ws.match_accounts(adb, ffi.RunOptions(phones=[two]))
    assert ffi.Outcome.CREATED not in again.summary.outcomes and ws.count() == 1
    synced = ws.sync_profiles(adb, ffi.RunOptions(accounts=ffi.AccountSelection.IDS([dave.id])))
    assert [r.outcome for r in synced.results] == [ffi.Outcome.SYNCED]
    stats = ws.get(dave.id).stats
    assert stats.followers == 7 and stats.synced_at is not None


def test_workflow_bad_input(fleet: ffi.SimFleet, adb: ffi.AdbDriver) -> None:
    ws = ffi.Workspace.in_memory()
    a = ws.add(new("alice", IG, device=fleet.serials()[0]))
    with pytest.raises(ffi.FarmhandError.Validation) as info:
        ws.login(adb, ffi.RunOptions(parallelism=0))
    assert info.value.field == "parallelism"
    with pytest.raises(ffi.FarmhandError.NotFound):
        ws.login(adb, ffi.RunOptions(accounts=ffi.AccountSelection.IDS([a.id, 999])))
    with pytest.raises((TypeError, AttributeError)):
        ws.login("127.0.0.1:5037", ffi.RunOptions())  # type: ignore[arg-type]
    with pytest.raises((TypeError, ValueError, OverflowError)):
        ws.login(adb, ffi.RunOptions(screen_timeout=datetime.timedelta(seconds=-1)))
    assert ws.get(a.id) == a, "nothing ran"


def test_sim_bad_input() -> None:
    with pytest.raises(ffi.FarmhandError, match="scenario.*line 1 column 1"):
        ffi.SimFleet.from_json("{")
    with pytest.raises(ffi.FarmhandError, match="logged_in"):
        ffi.SimFleet.from_json(json.dumps({"phones": [{"apps": [{"kind": "instagram", "logged_in": ["ghost"]}]}]}))
    server = ffi.AdbServer.start()
    server.stop()
    with pytest.raises(ffi.FarmhandError.Device):
        server.connect("127.0.0.1:1")
