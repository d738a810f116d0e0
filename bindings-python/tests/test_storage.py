"""Workspaces in SQLite files: persistence, foreign files, threads on one file."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

import farmhand


def test_open_creates_and_reopens(tmp_path: Path) -> None:
    path = tmp_path / "farm.db"
    with farmhand.Workspace.open(path) as ws:
        assert ws.path == path
        a = ws.add("alice", platform="tiktok", password="pw", totp_key="JBSWY3DPEHPK3PXP", tags=["eu"], device="SER1")
        assert "farm.db" in repr(ws)
    with farmhand.Workspace.open(str(path)) as again:
        assert again.get(a.id) == a
        assert again.devices()[0].serial == "SER1"


def test_open_refuses_a_foreign_file_and_leaves_it_alone(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_bytes(b"not a database at all, just some text " * 100)
    before = text.read_bytes()
    with pytest.raises(farmhand.StorageError) as info:
        farmhand.Workspace.open(text)
    assert info.value.kind == "storage"
    assert text.read_bytes() == before
    other = tmp_path / "other.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    with pytest.raises(farmhand.StorageError):
        farmhand.Workspace.open(other)


def test_open_bad_paths(tmp_path: Path) -> None:
    with pytest.raises(farmhand.FarmhandError):
        farmhand.Workspace.open(tmp_path)
    with pytest.raises(farmhand.FarmhandError):
        farmhand.Workspace.open(tmp_path / "missing-dir" / "farm.db")
    with pytest.raises(TypeError):
        farmhand.Workspace.open(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        farmhand.Workspace.open(42)  # type: ignore[arg-type]


def test_threads_share_one_file_workspace(tmp_path: Path) -> None:
    errors: list[BaseException] = []
    with farmhand.Workspace.open(tmp_path / "farm.db") as ws:
        def worker(n: int) -> None:
            try:
                for i in range(100):
                    a = ws.add(f"u{n}_{i}", platform="instagram")
                    ws.add_tags(a.id, [f"t{n}"])
            except BaseException as exc:  # collected and re-raised by the test thread
                errors.append(exc)

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert len(ws) == 600
        assert ws.count(tag="t3") == 100


def test_two_handles_on_one_file_see_each_other(tmp_path: Path) -> None:
    path = tmp_path / "farm.db"
    with farmhand.Workspace.open(path) as one, farmhand.Workspace.open(path) as two:
        a = one.add("alice", platform="tiktok")
        assert two.get(a.id) == a
        with pytest.raises(farmhand.DuplicateError):
            two.add("ALICE", platform="tiktok")
