"""A PostgreSQL workspace through the C ABI: opened by URL (over TLS when the
URL asks, checked against the test server's CA), its password never shown,
and its change feed told of another handle's commit.

The server is the one .ci/run starts (FARMHAND_TEST_POSTGRES, with its CA in
FARMHAND_TEST_POSTGRES_CA); under CI these fail without it, elsewhere they are
skipped saying why.
"""

from __future__ import annotations

import os
import subprocess
import threading
import uuid
from collections.abc import Iterator

import pytest

import farmhand_ffi as ffi
from conftest import new


def _env(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not set but CI is: .ci/run starts PostgreSQL")
        pytest.skip(f"NOT RUN: no PostgreSQL test server ({name} is not set)")
    return value


def _psql(server: str, sql: str) -> str:
    done = subprocess.run(["psql", server, "-qAt", "-c", sql], check=True, capture_output=True, text=True)
    return done.stdout.strip()


@pytest.fixture
def server() -> str:
    return _env("FARMHAND_TEST_POSTGRES")


@pytest.fixture
def pg_url(server: str) -> Iterator[str]:
    """A workspace URL in a fresh schema of the test server."""
    schema = "ffi_" + uuid.uuid4().hex[:12]
    _psql(server, f"CREATE SCHEMA {schema}")
    joiner = "&" if "?" in server else "?"
    yield f"{server}{joiner}options=-csearch_path%3D{schema}"
    _psql(server, f"DROP SCHEMA {schema} CASCADE")


def test_a_postgres_workspace_opens_by_url_and_hides_its_password(pg_url: str) -> None:
    password = pg_url.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
    ws = ffi.Workspace.open(pg_url)
    ws.add(new("alice", password="pw"))
    again = ffi.Workspace.open(pg_url)
    assert [a.username for a in again.list(ffi.AccountFilter())] == ["alice"]
    wrong = pg_url.replace(password, "Wrong-Pw-31337")
    with pytest.raises(ffi.FarmhandError.Storage) as refused:
        ffi.Workspace.open(wrong)
    assert "Wrong-Pw-31337" not in str(refused.value)
    assert password not in str(refused.value)


def test_verify_full_connects_over_tls_to_the_name_the_certificate_gives(server: str, pg_url: str) -> None:
    ca = _env("FARMHAND_TEST_POSTGRES_CA")
    name = "ffi_tls_" + uuid.uuid4().hex[:8]
    url = pg_url.replace("@127.0.0.1:", "@localhost:", 1)
    ws = ffi.Workspace.open(f"{url}&sslmode=verify-full&sslrootcert={ca}&application_name={name}")
    ws.add(new("tia"))
    encrypted = _psql(
        server,
        "SELECT count(*), count(*) FILTER (WHERE s.ssl) FROM pg_stat_activity a "
        f"JOIN pg_stat_ssl s USING (pid) WHERE a.application_name = '{name}'",
    )
    total, tls = encrypted.split("|")
    assert int(total) > 0 and tls == total, encrypted
    # The certificate names localhost, not 127.0.0.1: verify-full refuses the address.
    with pytest.raises(ffi.FarmhandError.Storage) as refused:
        ffi.Workspace.open(f"{pg_url}&sslmode=verify-full&sslrootcert={ca}")
    assert "not valid for name" in str(refused.value)


def test_an_observer_is_told_of_another_controllers_commit(pg_url: str) -> None:
    ws = ffi.Workspace.open(pg_url)
    other = ffi.Workspace.open(pg_url)
    changed = threading.Event()

    class Told(ffi.ChangeObserver):
        def on_change(self) -> None:
            changed.set()

    subscription = ws.watch(Told())
    other.add(new("bob"))
    assert changed.wait(10), "a commit of another controller"
    subscription.stop()
