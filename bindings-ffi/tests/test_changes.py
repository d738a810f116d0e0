"""The change feed through the C ABI: a foreign ChangeObserver is told when
another handle of the workspace changes its accounts, until it is stopped."""

from __future__ import annotations

import threading
from pathlib import Path

import farmhand_ffi as ffi
from conftest import new


class Told(ffi.ChangeObserver):
    """Counts the changes it is told of and sets an event on each."""

    def __init__(self) -> None:
        self.changed = threading.Event()
        self.calls = 0

    def on_change(self) -> None:
        self.calls += 1
        self.changed.set()


def test_an_observer_is_told_of_another_handles_changes_until_stopped(tmp_path: Path) -> None:
    path = str(tmp_path / "farm.db")
    ws = ffi.Workspace.open(path)
    other = ffi.Workspace.open(path)
    told = Told()
    subscription = ws.watch(told)
    assert not told.changed.wait(0.4), "nothing changed yet"
    other.add(new("carol"))
    assert told.changed.wait(10), "a commit of another handle"
    subscription.stop()
    calls = told.calls
    other.add(new("dave"))
    threading.Event().wait(0.5)
    assert told.calls == calls, "no call after stop()"


def test_an_observer_that_throws_gets_no_more_calls(tmp_path: Path) -> None:
    ws = ffi.Workspace.open(str(tmp_path / "farm.db"))
    calls: list[int] = []

    class Broken(ffi.ChangeObserver):
        def on_change(self) -> None:
            calls.append(1)
            raise RuntimeError("host bug")

    subscription = ws.watch(Broken())
    ws.add(new("erin"))
    for _ in range(50):
        if calls:
            break
        threading.Event().wait(0.1)
    ws.add(new("frank"))
    threading.Event().wait(0.6)
    assert calls == [1]
    subscription.stop()
