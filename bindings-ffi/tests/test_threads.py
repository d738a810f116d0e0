"""One Workspace object called from 8 Python threads at once."""

from __future__ import annotations

import os
import tempfile
import threading

import farmhand_ffi as ffi
from conftest import new

THREADS = 8
PER_THREAD = 50


def hammer(ws: ffi.Workspace) -> None:
    barrier = threading.Barrier(THREADS)
    failures: list[BaseException] = []

    def work(n: int) -> None:
        try:
            barrier.wait()
            for i in range(PER_THREAD):
                account = ws.add(new(f"t{n}_{i}", tags=[f"thread{n}"]))
                ws.add_tags(account.id, ["shared"])
                assert ws.get(account.id).tags == [f"thread{n}", "shared"]
                ws.count()
                ws.list(ffi.AccountFilter(tag=f"thread{n}"))
            try:
                ws.add(new("contested"))
            except ffi.FarmhandError.Duplicate:
                pass
        except BaseException as exc:  # reported below, with the thread's number
            exc.add_note(f"in thread {n}")
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures
    assert ws.count() == THREADS * PER_THREAD + 1, "exactly one thread created 'contested'"
    for n in range(THREADS):
        mine = ws.list(ffi.AccountFilter(tag=f"thread{n}"))
        assert len(mine) == PER_THREAD and all(a.tags == [f"thread{n}", "shared"] for a in mine)
    assert ws.count(ffi.AccountFilter(tag="shared")) == THREADS * PER_THREAD


def test_eight_threads_share_one_in_memory_workspace() -> None:
    hammer(ffi.Workspace.in_memory())


def test_eight_threads_share_one_sqlite_workspace() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        hammer(ffi.Workspace.open(os.path.join(tmp, "farm.db")))
