"""Secrets at rest from Python: Workspace.open(path, key=...), the conversions, and a workspace opened without its key."""

from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import pytest

import farmhand
from farmhand import EncryptionKeyError

PASSWORD = "hunter2-python-secret"
KEY_2FA = "JBSWY3DPEHPK3PXP"


def add_alice(ws: farmhand.Workspace) -> farmhand.Account:
    return ws.add("alice", platform="tiktok", password=PASSWORD, totp_key=KEY_2FA)


def test_a_plain_workspace_encrypted_in_place_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "farm.db"
    with farmhand.Workspace.open(path) as ws:
        alice = add_alice(ws)
        assert ws.encryption == "plain"
    key = farmhand.new_key()
    assert len(key) == 64
    assert farmhand.Workspace.encrypt_file(path, key) == 2
    assert PASSWORD.encode() not in path.read_bytes()

    with farmhand.Workspace.open(path, key=key) as ws:
        assert ws.encryption == "unlocked"
        again = ws.get(alice.id)
        assert again.password == PASSWORD
        creds = again.credentials()
        assert creds is not None and creds.totp is not None
        assert creds.totp.code(1_700_000_000) == "324550"

    # Bytes work as well as the hex text, and rekey / decrypt bring it back.
    new = os.urandom(32)
    assert farmhand.Workspace.rekey_file(path, key, new) == 2
    assert farmhand.Workspace.decrypt_file(path, new) == 2
    with farmhand.Workspace.open(path) as ws:
        assert ws.encryption == "plain"
        assert ws.get(alice.id).password == PASSWORD


def test_without_the_key_only_what_needs_a_secret_fails(tmp_path: Path) -> None:
    path = tmp_path / "farm.db"
    key = farmhand.new_key()
    with farmhand.Workspace.open(path, key=key) as ws:
        alice = add_alice(ws)
    with farmhand.Workspace.open(path) as ws:
        assert ws.encryption == "locked"
        locked = ws.get(alice.id)
        assert locked.has_password and locked.has_2fa
        assert PASSWORD not in repr(locked)
        for read in (lambda: locked.password, lambda: locked.totp_key, locked.credentials):
            with pytest.raises(EncryptionKeyError) as raised:
                read()
            assert raised.value.kind == "key"
            assert PASSWORD not in str(raised.value)
        with pytest.raises(EncryptionKeyError):
            locked.to_dict(include_secrets=True)
        assert "password" not in locked.to_dict()
        ws.update(alice.id, tags=["eu"])  # no secret needed
        with pytest.raises(EncryptionKeyError):
            ws.update(alice.id, password="new one")
        sheet = tmp_path / "accounts.xlsx"
        ws.export_xlsx(sheet, platform="tiktok")  # passwords left out by default
        header = [c.value for c in next(openpyxl.load_workbook(sheet)["accounts"].iter_rows())]
        assert "pwd" not in header
        with pytest.raises(EncryptionKeyError):
            ws.export_xlsx(sheet, platform="tiktok", include_passwords=True)
    with farmhand.Workspace.open(path, key=key) as ws:
        assert ws.get(alice.id).tags == ("eu",)
        assert ws.get(alice.id).password == PASSWORD


def test_a_wrong_or_malformed_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "farm.db"
    key = farmhand.new_key()
    with farmhand.Workspace.open(path, key=key) as ws:
        add_alice(ws)
    before = path.read_bytes()
    wrong = farmhand.new_key()
    with pytest.raises(EncryptionKeyError) as raised:
        farmhand.Workspace.open(path, key=wrong)
    assert "wrong key" in str(raised.value)
    assert wrong not in str(raised.value) and key not in str(raised.value)
    assert path.read_bytes() == before
    with pytest.raises(farmhand.ValidationError):
        farmhand.Workspace.open(path, key="zz" * 32)
    with pytest.raises(ValueError):
        farmhand.Workspace.open(path, key=b"short")
    with pytest.raises(TypeError):
        farmhand.Workspace.open(path, key=42)  # type: ignore[arg-type]


def test_a_plain_workspace_exports_passwords_by_default(tmp_path: Path) -> None:
    with farmhand.Workspace.open(tmp_path / "farm.db") as ws:
        add_alice(ws)
        sheet = tmp_path / "accounts.xlsx"
        ws.export_xlsx(sheet, platform="tiktok")
        rows = list(openpyxl.load_workbook(sheet)["accounts"].iter_rows(values_only=True))
        pwd = rows[0].index("pwd")
        assert rows[1][pwd] == f"{PASSWORD}:{KEY_2FA}"
