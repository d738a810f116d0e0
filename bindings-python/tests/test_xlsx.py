"""accounts.xlsx import/export from Python, checked with openpyxl (a producer and
consumer farmhand did not write)."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import farmhand

HEADER = ["id", "email", "pwd", "username", "packagename", "device", "device_index", "logined", "status", "tags"]


def write_sheet(path: Path, rows: list[list[Any]], header: list[str] = HEADER, title: str = "accounts") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def read_sheet(path: Path) -> list[dict[str, Any]]:
    wb = openpyxl.load_workbook(path)
    ws = wb["accounts"]
    rows = list(ws.iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    return [dict(zip(header, row)) for row in rows[1:]]


def test_export_is_read_by_openpyxl(ws: farmhand.Workspace, tmp_path: Path) -> None:
    ws.add("alice", platform="tiktok", email="a@x.io", password="pw", totp_key="JBSWY3DPEHPK3PXP", device="SER1", tags=["eu", "warm"])
    ws.add("bob", platform="tiktok", status="disabled")
    ws.add("carol", platform="instagram")
    summary = ws.export_xlsx(tmp_path / "accounts.xlsx", platform="tiktok")
    assert summary.rows == 2
    assert summary.path == tmp_path / "accounts.xlsx"
    rows = read_sheet(tmp_path / "accounts.xlsx")
    assert [r["username"] for r in rows] == ["alice", "bob"]
    alice = rows[0]
    assert alice["pwd"] == "pw:JBSWY3DPEHPK3PXP" and alice["device"] == "SER1"
    assert str(alice["status"]) == "0" and str(rows[1]["status"]) == "1"
    assert "followers" in alice


def test_export_filters_and_without_passwords(ws: farmhand.Workspace, tmp_path: Path) -> None:
    ws.add("alice", platform="tiktok", password="secret1", tags=["eu"])
    ws.add("bob", platform="tiktok", password="secret2")
    summary = ws.export_xlsx(str(tmp_path / "eu.xlsx"), platform="tiktok", tag="eu", include_passwords=False)
    assert summary.rows == 1
    rows = read_sheet(tmp_path / "eu.xlsx")
    assert [r["username"] for r in rows] == ["alice"]
    assert "pwd" not in rows[0]


def test_import_a_sheet_written_by_openpyxl(ws: farmhand.Workspace, tmp_path: Path) -> None:
    path = write_sheet(tmp_path / "in.xlsx", [
        [None, "a@x.io", "pw:JBSWY3DPEHPK3PXP", "@alice", None, "SER1", None, 1, 0, "eu,warm"],
        [None, None, "plain", "bob", "com.clone", None, None, 0, 1, None],
    ])
    report = ws.import_xlsx(path, platform="tiktok")
    assert (report.outcome, report.applied, report.created, report.updated) == ("applied", True, 2, 0)
    assert report.errors == []
    alice = ws.find("alice", platform="tiktok")
    assert alice is not None
    assert alice.email == "a@x.io" and alice.device == "SER1" and alice.logged_in
    assert alice.tags == ("eu", "warm")
    creds = alice.credentials()
    assert creds is not None and creds.totp is not None
    bob = ws.find("bob", platform="tiktok")
    assert bob is not None and not bob.enabled and bob.package_name == "com.clone"
    assert "created" in str(report) and "ImportReport(outcome='applied'" in repr(report)


def test_reimporting_an_unedited_export_changes_nothing(ws: farmhand.Workspace, tmp_path: Path) -> None:
    for i in range(20):
        ws.add(f"user{i}", platform="tiktok", password=f"pw{i}", tags=["t"])
    before = ws.list()
    ws.export_xlsx(tmp_path / "x.xlsx", platform="tiktok")
    report = ws.import_xlsx(tmp_path / "x.xlsx", platform="tiktok")
    assert (report.created, report.updated, report.unchanged) == (0, 0, 20)
    assert ws.list() == before


def test_invalid_rows_raise_with_row_and_column_and_write_nothing(ws: farmhand.Workspace, tmp_path: Path) -> None:
    path = write_sheet(tmp_path / "bad.xlsx", [
        [None, None, None, "good", None, None, None, 0, 0, None],
        [None, None, None, "has space", None, None, None, 0, 0, None],
        [None, None, None, "ok2", None, None, None, 0, 7, None],
    ])
    with pytest.raises(farmhand.SheetImportError) as info:
        ws.import_xlsx(path, platform="tiktok")
    exc = info.value
    assert exc.kind == "import"
    assert [(e.row, e.column) for e in exc.errors] == [(3, "username"), (4, "status")]
    assert all(isinstance(e, farmhand.RowError) for e in exc.errors)
    assert "row 3" in str(exc) and "username" in str(exc)
    assert exc.report is not None and exc.report.outcome == "rejected"
    assert exc.source == str(path)
    assert len(ws) == 0


def test_dry_run_and_skip_invalid(ws: farmhand.Workspace, tmp_path: Path) -> None:
    path = write_sheet(tmp_path / "mixed.xlsx", [
        [None, None, None, "good", None, None, None, 0, 0, None],
        [None, None, None, "", None, None, None, 0, 0, "x"],
    ])
    dry = ws.import_xlsx(path, platform="tiktok", dry_run=True)
    assert dry.outcome == "rejected" and not dry.applied  # what a real run would do, returned not raised
    assert [(e.row, e.column) for e in dry.errors] == [(3, "username")]
    assert len(ws) == 0
    clean = ws.import_xlsx(path, platform="tiktok", dry_run=True, skip_invalid=True)
    assert clean.outcome == "dry_run" and clean.created == 1 and clean.skipped == 1
    assert len(ws) == 0
    applied = ws.import_xlsx(path, platform="tiktok", skip_invalid=True)
    assert applied.applied and applied.created == 1 and applied.skipped == 1
    assert [a.username for a in ws.list()] == ["good"]


def test_on_duplicate(ws: farmhand.Workspace, tmp_path: Path) -> None:
    ws.add("alice", platform="tiktok", email="old@x.io")
    path = write_sheet(tmp_path / "dup.xlsx", [[None, "new@x.io", None, "ALICE", None, None, None, 0, 0, None]])
    with pytest.raises(farmhand.SheetImportError) as info:
        ws.import_xlsx(path, platform="tiktok")
    assert info.value.errors[0].column == "username"
    skipped = ws.import_xlsx(path, platform="tiktok", on_duplicate="skip")
    assert skipped.skipped == 1
    alice = ws.find("alice", platform="tiktok")
    assert alice is not None and alice.email == "old@x.io"
    updated = ws.import_xlsx(path, platform="tiktok", on_duplicate="update")
    assert updated.updated == 1
    alice = ws.find("alice", platform="tiktok")
    assert alice is not None and alice.email == "new@x.io"
    with pytest.raises(ValueError, match="on_duplicate"):
        ws.import_xlsx(path, platform="tiktok", on_duplicate="merge")  # type: ignore[arg-type]


def test_file_level_failures(ws: farmhand.Workspace, tmp_path: Path) -> None:
    with pytest.raises(farmhand.FileError) as missing:
        ws.import_xlsx(tmp_path / "nope.xlsx", platform="tiktok")
    assert isinstance(missing.value, OSError)
    assert missing.value.errno == errno.ENOENT
    assert missing.value.filename == str(tmp_path / "nope.xlsx")
    text = tmp_path / "text.xlsx"
    text.write_text("username\nalice\n")
    with pytest.raises(farmhand.SheetImportError) as not_xlsx:
        ws.import_xlsx(text, platform="tiktok")
    assert not_xlsx.value.errors == ()
    no_username = write_sheet(tmp_path / "nouser.xlsx", [["a@x.io"]], header=["email"])
    with pytest.raises(farmhand.SheetImportError, match="username"):
        ws.import_xlsx(no_username, platform="tiktok")
    with pytest.raises(farmhand.FileError):
        ws.export_xlsx(tmp_path / "no-such-dir" / "out.xlsx", platform="tiktok")
    with pytest.raises(TypeError):
        ws.import_xlsx(None, platform="tiktok")  # type: ignore[arg-type]
    assert len(ws) == 0


def test_too_many_rows_are_refused_before_any_write(ws: farmhand.Workspace, tmp_path: Path) -> None:
    path = write_sheet(tmp_path / "big.xlsx", [[None, None, None, f"u{i}", None, None, None, 0, 0, None] for i in range(50)])
    with pytest.raises(farmhand.SheetImportError):
        ws.import_xlsx(path, platform="tiktok", max_rows=10)
    assert len(ws) == 0
    assert ws.import_xlsx(path, platform="tiktok", max_rows=50).created == 50


def test_instagram_ignores_stats_columns(ws: farmhand.Workspace, tmp_path: Path) -> None:
    path = write_sheet(tmp_path / "ig.xlsx", [["bob", 12, "x"]], header=["username", "followers", "mystery"])
    report = ws.import_xlsx(path, platform="instagram")
    assert report.created == 1
    assert report.ignored_columns == ["followers"]
    assert report.unknown_columns == ["mystery"]


def test_legacy_text_import(ws: farmhand.Workspace, tmp_path: Path) -> None:
    ws.register_device("SER1")
    path = tmp_path / "accounts.txt"
    path.write_text("a@x.io##pw1##alice##1\n##pw2##bob##\n")
    report = ws.import_text(path, platform="tiktok")
    assert report.created == 2
    assert sorted(a.username for a in ws.list()) == ["alice", "bob"]
    alice = ws.find("alice", platform="tiktok")
    assert alice is not None and (alice.device, alice.device_index) == ("SER1", 1)


def test_a_device_index_alone_binds_and_an_unknown_one_is_a_row_error(
    ws: farmhand.Workspace, tmp_path: Path
) -> None:
    ws.register_device("SER1")
    ws.register_device("10.0.0.7:5555")
    path = write_sheet(tmp_path / "ig.xlsx", [["ig_one", "pw:JBSWY3DPEHPK3PXP", 2]],
                       header=["username", "pwd", "device_index"])
    report = ws.import_xlsx(path, platform="instagram")
    assert report.created == 1 and report.pwd_split == 1
    one = ws.find("ig_one", platform="instagram")
    assert one is not None and (one.device, one.has_2fa) == ("10.0.0.7:5555", True)
    bad = write_sheet(tmp_path / "bad.xlsx", [["ig_two", "pw", 7]], header=["username", "pwd", "device_index"])
    with pytest.raises(farmhand.SheetImportError) as info:
        ws.import_xlsx(bad, platform="instagram")
    assert info.value.errors[0].column == "device_index"
    assert "no registered phone has device_index 7" in info.value.errors[0].reason
    assert ws.find("ig_two", platform="instagram") is None


def _portable(account: farmhand.Account) -> dict[str, Any]:
    """An account's fields that are the same in any workspace (not its id or times)."""
    d = account.to_dict(include_secrets=True)
    for per_workspace in ("id", "created_at", "updated_at"):
        del d[per_workspace]
    return d


def test_an_export_from_one_workspace_imports_into_an_empty_one(tmp_path: Path) -> None:
    with farmhand.Workspace.open(tmp_path / "a.db") as ws1:
        # A's ids run past those the second workspace gives, so none is known there.
        for i in range(5):
            ws1.delete(ws1.add(f"gap{i}", platform="instagram"))
        ws1.add("alice", platform="instagram", email="a@x.io", password="pw", totp_key="JBSWY3DPEHPK3PXP",
                device="SER1", tags=["eu", "warm"])
        ws1.add("bob", platform="instagram", password="admin:verysecretpassword", device="10.0.0.7:5555",
                status="disabled")
        ws1.add("carol", platform="instagram")
        exported = ws1.export_xlsx(tmp_path / "moved.xlsx", platform="instagram").path
        accounts = [_portable(a) for a in ws1.list()]
        devices = [(d.serial, d.index) for d in ws1.devices()]

    with farmhand.Workspace.open(tmp_path / "b.db") as ws2:
        report = ws2.import_xlsx(exported, platform="instagram")
        assert report.applied and report.created == 3 and report.created_for_unknown_ids == 3, str(report)
        assert report.pwd_split == 1
        assert [_portable(a) for a in ws2.list()] == accounts
        assert [(d.serial, d.index) for d in ws2.devices()] == devices

        again = ws2.import_xlsx(exported, platform="instagram")
        assert (again.unchanged, again.matched_by_username) == (3, 3), str(again)

        with pytest.raises(farmhand.SheetImportError) as info:
            ws2.import_xlsx(exported, platform="instagram", strict_ids=True)
        assert len(info.value.errors) == 3
        assert "no account has id" in info.value.errors[0].reason
        assert [_portable(a) for a in ws2.list()] == accounts
