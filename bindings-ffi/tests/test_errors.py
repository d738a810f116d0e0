"""Every engine error kind reaches the host as its generated FarmhandError exception."""

from __future__ import annotations

import datetime
import os
import socket
import tempfile
from collections.abc import Iterator

import pytest

import farmhand_ffi as ffi
from conftest import new

# One variant per engine error kind (core/src/error.rs, ErrorKind).
KINDS = [
    "Validation",
    "NotFound",
    "Duplicate",
    "Import",
    "Pack",
    "Scenario",
    "Device",
    "Timeout",
    "Storage",
    "Key",
    "Io",
    "Cancelled",
    "ScreenNotRecognised",
]


@pytest.fixture
def tmp() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as path:
        yield path


def test_every_kind_has_its_exception_class() -> None:
    for kind in KINDS:
        cls = getattr(ffi.FarmhandError, kind)
        assert issubclass(cls, ffi.FarmhandError) and issubclass(cls, Exception), kind


def test_validation(ws: ffi.Workspace) -> None:
    with pytest.raises(ffi.FarmhandError.Validation) as info:
        ws.add(new("two words"))
    assert info.value.field == "username" and "username" in info.value.error_message


def test_not_found(ws: ffi.Workspace) -> None:
    with pytest.raises(ffi.FarmhandError.NotFound) as info:
        ws.get(42)
    assert info.value.error_message == "account 42 not found"


def test_duplicate(ws: ffi.Workspace) -> None:
    ws.add(new("alice", password="s3cret-pw"))
    with pytest.raises(ffi.FarmhandError.Duplicate) as info:
        ws.add(new("ALICE", password="s3cret-pw"))
    assert info.value.username == "ALICE" and "s3cret" not in str(info.value)


def test_import_of_a_file_that_is_not_a_workbook(ws: ffi.Workspace, tmp: str) -> None:
    path = os.path.join(tmp, "accounts.xlsx")
    with open(path, "w", encoding="utf-8") as f:
        f.write("username,pwd\nalice,hunter2\n")
    with pytest.raises(ffi.FarmhandError.Import) as info:
        ws.import_xlsx(path, ffi.ImportOptions(platform=ffi.Platform.TIKTOK))
    assert info.value.source_name == path and "hunter2" not in str(info.value)


def test_io_for_a_missing_file(ws: ffi.Workspace, tmp: str) -> None:
    path = os.path.join(tmp, "missing", "accounts.xlsx")
    with pytest.raises(ffi.FarmhandError.Io) as info:
        ws.export_xlsx(path, ffi.ExportOptions(platform=ffi.Platform.TIKTOK))
    assert info.value.path.startswith(os.path.join(tmp, "missing"))


def test_storage_for_a_file_that_is_not_a_workspace(tmp: str) -> None:
    path = os.path.join(tmp, "notes.db")
    with open(path, "wb") as f:
        f.write(b"these are not the droids" * 100)
    with pytest.raises(ffi.FarmhandError.Storage):
        ffi.Workspace.open(path)
    with open(path, "rb") as f:
        assert f.read() == b"these are not the droids" * 100, "the file is left unchanged"


def test_device_when_no_adb_server_listens() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    driver = ffi.AdbDriver(f"127.0.0.1:{port}")
    with pytest.raises(ffi.FarmhandError.Device) as info:
        driver.devices()
    assert str(port) in info.value.serial


def test_timeout_when_the_server_never_answers() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        address = "127.0.0.1:%d" % silent.getsockname()[1]
        driver = ffi.AdbDriver(address, server_timeout=datetime.timedelta(milliseconds=200))
        with pytest.raises(ffi.FarmhandError.Timeout) as info:
            driver.devices()
    assert address in info.value.error_message


@pytest.mark.parametrize("bad", ["localhost", "127.0.0.1", "127.0.0.1:99999", ""])
def test_bad_server_addresses_are_validation_errors(bad: str) -> None:
    with pytest.raises(ffi.FarmhandError.Validation) as info:
        ffi.AdbDriver(bad)
    assert info.value.field == "server"


@pytest.mark.parametrize("bad", ["{", '{"phones": 3}', '{"phones": [{"colour": "red"}]}'])
def test_a_bad_scenario_is_a_scenario_error_not_an_import_error(bad: str) -> None:
    with pytest.raises(ffi.FarmhandError.Scenario) as info:
        ffi.SimFleet.from_json(bad)
    assert info.value.source_name == "<text>"
    assert "scenario" in info.value.error_message
