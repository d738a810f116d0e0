"""Side-by-side: the C ABI's generated Python module (`farmhand_ffi`, uniffi over
ctypes) against the PyO3 package (`farmhand`), both in this one process. Not
run by CI (it is a measurement, not a test).

Listing 100k accounts of one workspace file into Python objects:
`farmhand_ffi.Workspace.list()` against `farmhand.Workspace.list()`. Both call
the same engine on the same file; the difference is the boundary: uniffi
serialises each record into a buffer that generated Python code reads field by
field, PyO3 hands out objects whose fields are read from Rust on access. The
work is made equal by realising every field on both sides: the PyO3 side reads
each field a uniffi record holds (its `list()` and those reads are timed).
Best of the same N runs for each, taking turns.

    python benches/compare/ffi_vs_pyo3.py [--rows 100000] [--runs 5]
    python benches/compare/run_all.py --only uniffi   # builds both in release first

`FARMHAND_FFI_DIR` names the output of `bindings-ffi/generate.sh`; without it
this script runs generate.sh (release) into a temporary folder. The PyO3
package must be installed (`maturin develop --release` in bindings-python for
release figures).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import farmhand

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import best_of_each, emit  # noqa: E402


def load_ffi(scratch: Path):
    """The generated module: from FARMHAND_FFI_DIR, or generated (release) into `scratch`."""
    out = os.environ.get("FARMHAND_FFI_DIR")
    if not out:
        out = str(scratch / "ffi")
        print("generating farmhand_ffi (release)...", file=sys.stderr, flush=True)
        subprocess.run([str(ROOT / "bindings-ffi" / "generate.sh"), out], check=True)
    sys.path.insert(0, out)
    import farmhand_ffi

    return farmhand_ffi


def pyo3_fields(account: farmhand.Account) -> tuple:
    """The fields a `farmhand_ffi` Account record holds, read from a PyO3 Account.
    The uniffi record is built with every field decoded; PyO3's Account converts
    a field only when it is read, so reading them all makes the work equal."""
    s = account.stats
    return (
        account.id, account.platform, account.username, account.email, account.has_password,
        account.has_2fa, account.device, account.device_index, account.package_name,
        account.logged_in, account.status, account.tags, s.nickname, s.country, s.followers,
        s.following, s.hearts, s.videos, s.friends, s.synced_at, account.last_login_at,
        account.last_error, account.created_at, account.updated_at,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    n, runs = args.rows, args.runs

    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        ffi = load_ffi(scratch)
        db = scratch / "list.farmhand"
        with farmhand.Workspace.open(db) as ws:
            for start in range(0, n, 10_000):
                for i in range(start, min(n, start + 10_000)):
                    ws.add(f"user{i}", platform="tiktok", email=f"user{i}@example.com", password=f"pw{i}",
                           device=f"127.0.0.1:{5555 + i % 200}", tags=["batch", "eu"] if i % 3 else ["batch"],
                           followers=i * 7, nickname=f"Nick {i}")

        pyo3_ws = farmhand.Workspace.open(db)
        ffi_ws = ffi.Workspace.open(str(db))
        (pyo3_time, pyo3_rows), (ffi_time, ffi_accounts) = best_of_each(
            runs, lambda: [pyo3_fields(a) for a in pyo3_ws.list()], lambda: ffi_ws.list())
        pyo3_ws.close()
        assert len(ffi_accounts) == len(pyo3_rows) == n, (len(ffi_accounts), len(pyo3_rows))
        first, last = ffi_accounts[0], ffi_accounts[-1]
        assert (first.username, last.username, last.stats.followers) == ("user0", f"user{n - 1}", (n - 1) * 7)
        assert pyo3_rows[-1][2] == last.username
        emit(f"list {n} accounts into Python values, every field realised", n,
             "farmhand_ffi (uniffi, ctypes)", ffi_time, "farmhand (PyO3) + field reads", pyo3_time)


if __name__ == "__main__":
    main()
