"""A roster several PCs share: a PostgreSQL workspace opened by URL, and the
change feed that keeps a host's lists live.

The PostgreSQL tests use the server .ci/run starts (FARMHAND_TEST_POSTGRES);
under CI they fail without it, elsewhere they are skipped saying why.
"""

from __future__ import annotations

import os
import subprocess
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import farmhand


def _server() -> str:
    url = os.environ.get("FARMHAND_TEST_POSTGRES", "").strip()
    if not url:
        if os.environ.get("CI"):
            pytest.fail("FARMHAND_TEST_POSTGRES is not set but CI is: .ci/run starts PostgreSQL")
        pytest.skip("NOT RUN: no PostgreSQL test server (FARMHAND_TEST_POSTGRES is not set)")
    return url


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A workspace URL in a fresh schema of the test server (made and dropped
    with psql, which the Debian postgresql package brings)."""
    server = _server()
    schema = "py_" + uuid.uuid4().hex[:12]
    joiner = "&" if "?" in server else "?"
    subprocess.run(
        ["psql", server, "-q", "-c", f"CREATE SCHEMA {schema}"], check=True
    )
    yield f"{server}{joiner}options=-csearch_path%3D{schema}"
    subprocess.run(
        ["psql", server, "-q", "-c", f"DROP SCHEMA {schema} CASCADE"], check=True
    )


def test_a_postgres_workspace_opens_by_url_and_hides_its_password(pg_url: str) -> None:
    password = pg_url.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
    with farmhand.Workspace.open(pg_url) as ws:
        ws.add("alice", platform="tiktok", password="pw")
        assert ws.path is None
        assert password not in repr(ws)
        assert "postgres://" in repr(ws)
    with farmhand.Workspace.open(pg_url) as again:
        assert [a.username for a in again.list()] == ["alice"]
    wrong = pg_url.replace(password, "Wrong-Pw-31337")
    with pytest.raises(farmhand.StorageError) as refused:
        farmhand.Workspace.open(wrong)
    assert "Wrong-Pw-31337" not in str(refused.value)
    assert password not in str(refused.value)


def _watch_sees_a_change(ws: farmhand.Workspace, other: farmhand.Workspace) -> None:
    changes = ws.watch()
    assert changes.wait(0.1) is False
    writer = threading.Timer(0.1, lambda: other.add("bob", platform="tiktok"))
    writer.start()
    assert next(iter(changes)) is None
    writer.join()
    assert [a.username for a in ws.list()] == ["bob"]
    assert changes.wait(0.1) is False
    with pytest.raises(ValueError):
        changes.wait(-1)


def test_the_change_feed_of_a_file_wakes_on_another_handles_commit(tmp_path: Path) -> None:
    path = tmp_path / "farm.db"
    with farmhand.Workspace.open(path) as ws, farmhand.Workspace.open(path) as other:
        _watch_sees_a_change(ws, other)


def test_the_change_feed_of_postgres_wakes_on_another_controllers_commit(pg_url: str) -> None:
    with farmhand.Workspace.open(pg_url) as ws, farmhand.Workspace.open(pg_url) as other:
        _watch_sees_a_change(ws, other)


def test_verify_full_connects_over_tls_and_a_wrong_name_is_refused(pg_url: str) -> None:
    ca = os.environ.get("FARMHAND_TEST_POSTGRES_CA", "").strip()
    if not ca:
        if os.environ.get("CI"):
            pytest.fail("FARMHAND_TEST_POSTGRES_CA is not set but CI is: .ci/postgres names it")
        pytest.skip("NOT RUN: FARMHAND_TEST_POSTGRES_CA is not set")
    name = "py_tls_" + uuid.uuid4().hex[:8]
    # The test server's certificate names localhost, not the address 127.0.0.1.
    url = pg_url.replace("@127.0.0.1:", "@localhost:", 1)
    with farmhand.Workspace.open(f"{url}&sslmode=verify-full&sslrootcert={ca}&application_name={name}") as ws:
        ws.add("tia", platform="tiktok")
        seen = subprocess.run(
            [
                "psql", _server(), "-qAt", "-c",
                "SELECT count(*), count(*) FILTER (WHERE s.ssl) FROM pg_stat_activity a "
                f"JOIN pg_stat_ssl s USING (pid) WHERE a.application_name = '{name}'",
            ],
            check=True, capture_output=True, text=True,
        ).stdout.strip()
        total, tls = seen.split("|")
        assert int(total) > 0 and tls == total, seen
    with pytest.raises(farmhand.StorageError, match="not valid for name"):
        farmhand.Workspace.open(f"{pg_url}&sslmode=verify-full&sslrootcert={ca}")
