"""Secrets at rest through the C ABI, with the KeyProvider implemented in Python."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from typing import Optional

import openpyxl
import pytest

import farmhand_ffi as ffi
from conftest import new

TT = ffi.Platform.TIKTOK
PASSWORD = "hunter2-through-the-c-abi"


class Keys(ffi.KeyProvider):
    """A host key store: one key (or none), and the paths it was asked about."""

    def __init__(self, key: Optional[bytes]) -> None:
        self.key = key
        self.asked: list[str] = []

    def workspace_key(self, path: str) -> Optional[bytes]:
        self.asked.append(path)
        return self.key


class Failing(ffi.KeyProvider):
    def workspace_key(self, path: str) -> Optional[bytes]:
        raise RuntimeError("keystore locked: " + PASSWORD)


@pytest.fixture
def path() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as tmp:
        yield os.path.join(tmp, "farm.db")


def test_a_workspace_opened_with_a_python_key_provider_round_trips(path: str) -> None:
    key = ffi.new_workspace_key()
    assert len(key) == 32
    keys = Keys(key)
    ws = ffi.Workspace.open_with_keys(path, keys)
    assert keys.asked == [path]
    assert ws.encryption() == ffi.Encryption.UNLOCKED
    alice = ws.add(new("alice", password=PASSWORD, totp_key="JBSWY3DPEHPK3PXP"))
    del ws
    with open(path, "rb") as f:
        assert PASSWORD.encode() not in f.read()

    # With the key: passwords export, and read back whole.
    ws = ffi.Workspace.open_with_keys(path, Keys(key))
    sheet = os.path.join(os.path.dirname(path), "accounts.xlsx")
    ws.export_xlsx(sheet, ffi.ExportOptions(platform=TT))
    rows = list(openpyxl.load_workbook(sheet)["accounts"].iter_rows(values_only=True))
    assert rows[1][rows[0].index("pwd")] == f"{PASSWORD}:JBSWY3DPEHPK3PXP"
    del ws

    # Without it: the roster works, the secrets do not.
    ws = ffi.Workspace.open_with_keys(path, Keys(None))
    assert ws.encryption() == ffi.Encryption.LOCKED
    assert ws.get(alice.id).has_password
    with pytest.raises(ffi.FarmhandError.Key) as info:
        ws.export_xlsx(sheet, ffi.ExportOptions(platform=TT))
    assert PASSWORD not in str(info.value)
    ws.export_xlsx(sheet, ffi.ExportOptions(platform=TT, include_passwords=False))
    with pytest.raises(ffi.FarmhandError.Key):
        ws.login(ffi.AdbDriver("127.0.0.1:9"), ffi.RunOptions(), None)
    del ws

    # Converted back to plain with the provider's key.
    assert ffi.convert_workspace_file(path, Keys(key), Keys(None)) == 2
    assert ffi.Workspace.open(path).encryption() == ffi.Encryption.PLAIN


def test_a_wrong_or_broken_key_provider_is_a_key_error(path: str) -> None:
    key = ffi.new_workspace_key()
    ffi.Workspace.open_with_keys(path, Keys(key)).add(new("alice", password=PASSWORD))
    with open(path, "rb") as f:
        before = f.read()
    with pytest.raises(ffi.FarmhandError.Key) as info:
        ffi.Workspace.open_with_keys(path, Keys(ffi.new_workspace_key()))
    assert "wrong key" in info.value.error_message
    with pytest.raises(ffi.FarmhandError.Key) as info:
        ffi.Workspace.open_with_keys(path, Failing())
    assert PASSWORD not in str(info.value)
    with pytest.raises(ffi.FarmhandError.Validation) as short:
        ffi.Workspace.open_with_keys(path, Keys(b"too short"))
    assert short.value.field == "key"
    with open(path, "rb") as f:
        assert f.read() == before
