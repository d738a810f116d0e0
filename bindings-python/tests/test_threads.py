"""One Workspace shared by many Python threads (the GIL is released inside calls)."""

from __future__ import annotations

import threading

import farmhand


def test_concurrent_adds_and_reads_from_many_threads(ws: farmhand.Workspace) -> None:
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(200):
                a = ws.add(f"user{n}_{i}", platform="tiktok", tags=[f"t{n}"])
                assert ws.get(a.id) == a
                ws.list(tag=f"t{n}")
        except BaseException as exc:  # collected and re-raised by the test thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(ws) == 1600
    assert all(ws.count(tag=f"t{n}") == 200 for n in range(8))


def test_racing_duplicates_create_exactly_one(ws: farmhand.Workspace) -> None:
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        try:
            ws.add("@Same", platform="instagram")
            result = "created"
        except farmhand.DuplicateError:
            result = "duplicate"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["created"] + ["duplicate"] * 7
    assert len(ws) == 1


def test_close_while_other_threads_use_it() -> None:
    ws = farmhand.Workspace.in_memory()
    ws.add("seed", platform="tiktok")
    seen: list[str] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            try:
                ws.list()
            except farmhand.ClosedError:
                seen.append("closed")
                return

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    ws.close()
    for t in threads:
        t.join(timeout=30)
    stop.set()
    assert seen == ["closed"] * 4
