"""Bulk import of an accounts.xlsx with a dry run first and a report of bad rows.

Run: python examples/python/bulk_import.py [accounts.xlsx] [--platform tiktok]
Without a file, a demo sheet (with two bad rows) is written with openpyxl.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import farmhand


def demo_sheet(path: Path) -> Path:
    import openpyxl  # only the demo needs it: `pip install openpyxl`

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "accounts"
    ws.append(["id", "email", "pwd", "username", "packagename", "device", "device_index", "logined", "status", "tags"])
    for i in range(1, 51):
        ws.append([None, f"user{i}@example.com", f"pw{i}:JBSWY3DPEHPK3PXP", f"@user{i}", None,
                   f"127.0.0.1:{5554 + i % 5}", None, 0, 0, "batch-1"])
    ws.append([None, None, "pw", "bad name", None, None, None, 0, 0, None])  # whitespace in a username
    ws.append([None, None, "pw", "user51", None, None, None, 0, 9, None])  # status must be 0 or 1
    wb.save(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sheet", nargs="?", type=Path)
    parser.add_argument("--platform", default="tiktok", choices=["tiktok", "instagram"])
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        sheet = args.sheet or demo_sheet(Path(tmp) / "accounts.xlsx")
        with farmhand.Workspace.in_memory() as ws:
            dry = ws.import_xlsx(sheet, platform=args.platform, dry_run=True)
            print(f"dry run: {dry.outcome}; {dry.created} would be created, {len(dry.errors)} invalid rows")
            for error in dry.errors:
                print(f"  fix row {error.row} ({error.column or 'row'}): {error.reason}")

            try:
                ws.import_xlsx(sheet, platform=args.platform)
            except farmhand.SheetImportError as exc:
                print(f"all-or-nothing import refused ({len(exc.errors)} bad rows); nothing written:", len(ws))

            report = ws.import_xlsx(sheet, platform=args.platform, skip_invalid=True)
            print(f"imported: {report.created} created, {report.updated} updated, {report.skipped} skipped")

            out = Path(tmp) / "export.xlsx"
            summary = ws.export_xlsx(out, platform=args.platform)
            again = ws.import_xlsx(out, platform=args.platform)
            print(f"exported {summary.rows} rows; re-import of the export: {again.unchanged} unchanged")


if __name__ == "__main__":
    main()
