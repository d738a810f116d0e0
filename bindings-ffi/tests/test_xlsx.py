"""accounts.xlsx import and export through the C ABI; sheets written with openpyxl."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import openpyxl
import pytest

import farmhand_ffi as ffi
from conftest import new

TT = ffi.Platform.TIKTOK
IG = ffi.Platform.INSTAGRAM


@pytest.fixture
def tmp() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as path:
        yield path


def sheet(path: str, rows: list[list[object]]) -> str:
    book = openpyxl.Workbook()
    page = book.active
    page.title = "accounts"
    for row in rows:
        page.append(row)
    book.save(path)
    return path


def test_export_writes_every_account_and_reimports_unchanged(ws: ffi.Workspace, tmp: str) -> None:
    ws.add(new("alice", password="pw", totp_key="JBSWY3DPEHPK3PXP", tags=["vip", "new"], device="emulator-5554"))
    ws.add(new("bob", email="bob@example.com", status=ffi.Status.DISABLED))
    ws.add(new("carol", IG))
    path = os.path.join(tmp, "accounts.xlsx")

    summary = ws.export_xlsx(path, ffi.ExportOptions(platform=TT))
    assert summary.rows == 2 and summary.path == path

    rows = list(openpyxl.load_workbook(path)["accounts"].values)
    header = list(rows[0])
    by_name = {r[header.index("username")]: r for r in rows[1:]}
    assert set(by_name) == {"alice", "bob"}
    assert by_name["alice"][header.index("pwd")] == "pw:JBSWY3DPEHPK3PXP"
    assert by_name["alice"][header.index("tags")] == "vip,new"
    assert str(by_name["bob"][header.index("status")]) == "1"

    report = ws.import_xlsx(path, ffi.ImportOptions(platform=TT))
    assert report.outcome == ffi.ImportOutcome.APPLIED
    assert (report.created, report.updated, report.unchanged, report.errors) == (0, 0, 2, [])


def test_export_options_filter_and_leave_out_passwords(ws: ffi.Workspace, tmp: str) -> None:
    ws.add(new("alice", password="secret-pw", tags=["vip"]))
    ws.add(new("bob", password="secret-pw"))
    path = os.path.join(tmp, "vip.xlsx")
    options = ffi.ExportOptions(platform=TT, filter=ffi.AccountFilter(tag="vip"), include_passwords=False)
    assert ws.export_xlsx(path, options).rows == 1
    rows = list(openpyxl.load_workbook(path)["accounts"].values)
    assert "pwd" not in rows[0] and len(rows) == 2
    assert not any("secret-pw" in str(cell) for row in rows for cell in row)


def test_a_bad_row_is_reported_by_row_and_column_and_nothing_is_written(ws: ffi.Workspace, tmp: str) -> None:
    path = sheet(
        os.path.join(tmp, "in.xlsx"),
        [
            ["username", "pwd", "status", "tags"],
            ["alice", "hunter2", 0, "a"],
            ["bob", "hunter2", 7, ""],
            ["carol", "hunter2", 1, "x"],
        ],
    )
    report = ws.import_xlsx(path, ffi.ImportOptions(platform=TT))
    assert report.outcome == ffi.ImportOutcome.REJECTED
    assert len(report.errors) == 1
    error = report.errors[0]
    assert (error.row, error.column) == (3, "status") and "7" in error.reason
    assert "hunter2" not in repr(report)
    assert ws.count() == 0, "all or nothing"

    dry = ws.import_xlsx(path, ffi.ImportOptions(platform=TT, dry_run=True, skip_invalid=True))
    assert dry.outcome == ffi.ImportOutcome.DRY_RUN and dry.created == 2 and dry.errors == report.errors
    assert ws.count() == 0, "a dry run writes nothing"

    skipping = ws.import_xlsx(path, ffi.ImportOptions(platform=TT, skip_invalid=True))
    assert skipping.outcome == ffi.ImportOutcome.APPLIED
    assert (skipping.created, skipping.skipped, len(skipping.errors)) == (2, 1, 1)
    assert sorted(a.username for a in ws.list()) == ["alice", "carol"]
    assert ws.find(TT, "carol").status == ffi.Status.DISABLED


def test_on_duplicate_choices(ws: ffi.Workspace, tmp: str) -> None:
    ws.add(new("alice", email="old@example.com"))
    path = sheet(os.path.join(tmp, "dup.xlsx"), [["username", "email"], ["ALICE", "new@example.com"]])
    rejected = ws.import_xlsx(path, ffi.ImportOptions(platform=TT))
    assert rejected.outcome == ffi.ImportOutcome.REJECTED and rejected.errors[0].row == 2
    skipped = ws.import_xlsx(path, ffi.ImportOptions(platform=TT, on_duplicate=ffi.OnDuplicate.SKIP))
    assert skipped.skipped == 1 and ws.find(TT, "alice").email == "old@example.com"
    updated = ws.import_xlsx(path, ffi.ImportOptions(platform=TT, on_duplicate=ffi.OnDuplicate.UPDATE))
    assert updated.updated == 1 and ws.find(TT, "alice").email == "new@example.com"


def test_file_level_problems_are_errors(ws: ffi.Workspace, tmp: str) -> None:
    many = sheet(os.path.join(tmp, "many.xlsx"), [["username"]] + [[f"u{i}"] for i in range(5)])
    with pytest.raises(ffi.FarmhandError.Import) as info:
        ws.import_xlsx(many, ffi.ImportOptions(platform=TT, max_rows=3))
    assert info.value.source_name == many
    no_username = sheet(os.path.join(tmp, "nouser.xlsx"), [["email"], ["a@example.com"]])
    with pytest.raises(ffi.FarmhandError.Import, match="username"):
        ws.import_xlsx(no_username, ffi.ImportOptions(platform=TT))
    with pytest.raises(ffi.FarmhandError.Io):
        ws.import_xlsx(os.path.join(tmp, "absent.xlsx"), ffi.ImportOptions(platform=TT))
    assert ws.count() == 0
