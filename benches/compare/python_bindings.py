"""Side-by-side: the Python package `farmhand` against what a Python scripter
would write without it. Not run by CI (it is a measurement, not a test).

1. Listing 100k accounts into Python values against Python's `sqlite3`
   fetching the same rows from the same workspace file (budget: farmhand <= 2x
   sqlite3). The fields are realised on both sides: sqlite3's `fetchall`
   builds every column's Python value, and farmhand's `Account` objects
   convert a field only when it is read, so the farmhand side reads every
   field of every account (`Workspace.list()` plus those reads is timed).
2. Importing a 100k-row accounts.xlsx (`Workspace.import_xlsx`, into a
   workspace file) against an openpyxl script that reads the same sheet,
   normalises and de-duplicates usernames and inserts the rows into a SQLite
   file in one transaction (budget: farmhand >= 15x faster).

Both sides run in this one process, best of the same N runs each, taking
turns; figures are printed for people and as `COMPARE` lines for `run_all.py`.

    python benches/compare/python_bindings.py [--rows 100000] [--runs 5]
    python benches/compare/run_all.py --only python   # builds the package in release first

Needs: the built package (`maturin develop --release` in bindings-python for
release figures), openpyxl and xlsxwriter.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
from pathlib import Path

import farmhand

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import best_of_each, emit  # noqa: E402

HEADER = ["id", "email", "pwd", "username", "packagename", "device", "device_index", "logined", "status", "tags",
          "nickname", "country", "followers", "following", "hearts", "videos", "friends"]


def write_sheet(path: Path, rows: int) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("accounts")
    ws.write_row(0, 0, HEADER)
    for i in range(rows):
        ws.write_row(i + 1, 0, [
            "", f"user{i}@example.com", f"pw{i}:JBSWY3DPEHPK3PXP", f"@User{i}", "", f"127.0.0.1:{5555 + i % 200}",
            "", i % 2, 0, "batch,eu" if i % 3 else "batch", f"Nick {i}", "DE", i * 7, i % 500, i * 11, i % 90, i % 40,
        ])
    wb.close()


def realised(account: farmhand.Account) -> tuple:
    """Every field of `account` as a Python value, as sqlite3 gives a row's columns."""
    s = account.stats
    return (
        account.id, account.platform, account.username, account.email, account.password,
        account.totp_key, account.device, account.device_index, account.package_name,
        account.logged_in, account.status, account.tags, s.nickname, s.country, s.followers,
        s.following, s.hearts, s.videos, s.friends, s.synced_at, account.last_login_at,
        account.last_error, account.created_at, account.updated_at,
    )


def openpyxl_import(sheet: Path, db_path: Path) -> int:
    """What a scripter writes: read with openpyxl, check, insert into SQLite."""
    import openpyxl

    wb = openpyxl.load_workbook(sheet, read_only=True)
    ws = wb["accounts"]
    rows = ws.iter_rows(values_only=True)
    header = [str(h) for h in next(rows)]
    col = {name: i for i, name in enumerate(header)}
    seen: set[str] = set()
    records = []
    for row in rows:
        username = str(row[col["username"]] or "").strip().removeprefix("@")
        if not username or any(c.isspace() for c in username):
            raise ValueError(f"bad username {username!r}")
        key = username.lower()
        if key in seen:
            raise ValueError(f"duplicate {username}")
        seen.add(key)
        tags = [t.strip() for t in str(row[col["tags"]] or "").split(",") if t.strip()]
        records.append((
            "tiktok", username, key, row[col["email"]] or None, row[col["pwd"]] or None, row[col["device"]] or None,
            int(row[col["logined"]] or 0), int(row[col["status"]] or 0), "," + ",".join(tags) + "," if tags else "",
            row[col["nickname"]], row[col["country"]], row[col["followers"]], row[col["following"]],
            row[col["hearts"]], row[col["videos"]], row[col["friends"]],
        ))
    wb.close()
    con = sqlite3.connect(db_path)
    con.execute("CREATE TABLE IF NOT EXISTS accounts (platform, username, username_key UNIQUE, email, password, "
                "device, logged_in, status, tags, nickname, country, followers, following, hearts, videos, friends)")
    with con:
        con.executemany("INSERT INTO accounts VALUES (" + ",".join("?" * 16) + ")", records)
    con.close()
    return len(records)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    n, runs = args.rows, args.runs

    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        sheet = tmpdir / "accounts.xlsx"
        write_sheet(sheet, n)

        # 1. listing: one workspace file, read by farmhand and by sqlite3.
        db = tmpdir / "list.farmhand"
        with farmhand.Workspace.open(db) as ws:
            ws.import_xlsx(sheet, platform="tiktok")
        query = ("SELECT a.*, d.idx FROM accounts a LEFT JOIN devices d ON d.serial = a.device ORDER BY a.id")

        def sqlite_list() -> int:
            con = sqlite3.connect(db)
            rows = con.execute(query).fetchall()
            con.close()
            return len(rows)

        ws = farmhand.Workspace.open(db)
        (peer_list, peer_n), (ours_list, ours_n) = best_of_each(
            runs, sqlite_list, lambda: len([realised(a) for a in ws.list()]))
        ws.close()
        assert ours_n == peer_n == n, (ours_n, peer_n)
        # Budget: farmhand at most 2x sqlite3's time, i.e. peer/farmhand >= 0.5.
        emit(f"list {n} accounts into Python values, every field read", n,
             "Workspace.list() + field reads", ours_list, "sqlite3 fetchall (tuples)", peer_list,
             min_ratio=0.5)

        # 2. import of the sheet into a fresh file each run.
        counter = iter(range(10_000))

        def farmhand_import() -> int:
            with farmhand.Workspace.open(tmpdir / f"imp{next(counter)}.farmhand") as ws:
                return ws.import_xlsx(sheet, platform="tiktok").created

        def peer_import() -> int:
            return openpyxl_import(sheet, tmpdir / f"peer{next(counter)}.sqlite")

        (ours_imp, created), (peer_imp, peer_created) = best_of_each(runs, farmhand_import, peer_import)
        assert created == peer_created == n, (created, peer_created)
        emit(f"import a {n}-row accounts.xlsx into a workspace file", n, "Workspace.import_xlsx", ours_imp,
             "openpyxl read_only + sqlite3 script", peer_imp, min_ratio=15)


if __name__ == "__main__":
    main()
