#!/usr/bin/env python3
"""Shell round trip, side by side: adbutils vs farmhand's AdbDriver.

Both clients run `echo hi` on the same simulated phone through the same real
adb server (private port), in one run, interleaved in rounds so that machine
noise hits both alike. Prints each side's median and the ratio, and exits 1
when farmhand misses its budget (<= 0.5x adbutils and <= 3 ms median).

adbutils 2.12 sleeps 10 ms in `AdbConnection.close()` and opens two connections
per `shell` (one for `host:version`), which dominates its latency; for
reference the script also times adbutils with that sleep patched out (not
used for the budget).

    .venv/bin/pip install adbutils==2.12.0
    .venv/bin/python benches/compare/device_shell.py [--rounds 10] [--calls 200]

The Rust side is the `device_peer` example of `farmhand-benches`, built in
release mode by this script.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

import adbutils
import adbutils._adb as adb_connection

from report import emit

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--calls", type=int, default=200, help="calls per side per round")
    args = parser.parse_args()

    subprocess.run(
        ["cargo", "build", "-q", "--release", "-p", "farmhand-benches", "--example", "device_peer"],
        cwd=ROOT,
        check=True,
    )
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    peer = subprocess.Popen(
        [os.path.join(target, "release", "examples", "device_peer")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        ready = peer.stdout.readline().split()
        if len(ready) != 3 or ready[0] != "READY":
            raise SystemExit(f"device_peer did not start: {ready}")
        port, serial = int(ready[1]), ready[2]

        client = adbutils.AdbClient(host="127.0.0.1", port=port)
        device = client.device(serial)
        if device.shell("echo hi") != "hi":
            raise SystemExit("adbutils cannot reach the phone")

        def ours(n: int) -> list[float]:
            peer.stdin.write(f"ours {n}\n")
            peer.stdin.flush()
            return [int(t) / 1e6 for t in peer.stdout.readline().split()]

        def theirs(n: int) -> list[float]:
            times = []
            for _ in range(n):
                start = time.perf_counter_ns()
                reply = device.shell("echo hi")
                times.append((time.perf_counter_ns() - start) / 1e6)
                assert reply == "hi", reply
            return times

        shipped_close = adb_connection.AdbConnection.close

        def close_without_sleep(self):
            sleep = adb_connection.time.sleep
            adb_connection.time.sleep = lambda _seconds: None
            try:
                shipped_close(self)
            finally:
                adb_connection.time.sleep = sleep

        def theirs_unslept(n: int) -> list[float]:
            adb_connection.AdbConnection.close = close_without_sleep
            try:
                return theirs(n)
            finally:
                adb_connection.AdbConnection.close = shipped_close

        ours(20), theirs(20), theirs_unslept(20)  # warm up every path
        farmhand_ms, adbutils_ms, unslept_ms = [], [], []
        for _ in range(args.rounds):
            adbutils_ms += theirs(args.calls)
            unslept_ms += theirs_unslept(args.calls)
            farmhand_ms += ours(args.calls)

        peer.stdin.write("quit\n")
        peer.stdin.flush()
    finally:
        peer.stdin.close()
        peer.wait(timeout=30)

    ours_median = statistics.median(farmhand_ms)
    theirs_median = statistics.median(adbutils_ms)
    unslept_median = statistics.median(unslept_ms)
    ratio = ours_median / theirs_median
    version = getattr(adbutils, "__version__", "?")
    print(f"adb server port {port}, phone {serial}, {len(farmhand_ms)} calls per side")
    print(f"adbutils {version} device.shell('echo hi'):          median {theirs_median:.3f} ms")
    print(f"adbutils {version}, close() sleep patched out:       median {unslept_median:.3f} ms")
    print(f"farmhand AdbDevice.shell('echo hi'):            median {ours_median:.3f} ms")
    print(f"ratio farmhand/adbutils: {ratio:.3f} (budget <= 0.50); "
          f"against the patched adbutils: {ours_median / unslept_median:.3f}; "
          f"farmhand median budget <= 3 ms")
    # The figures for run_all.py's table (peer median / farmhand median).
    emit("shell round trip `echo hi` (median)", len(farmhand_ms), "farmhand AdbDriver", ours_median / 1e3,
         f"adbutils {version}", theirs_median / 1e3, min_ratio=2)
    emit("shell round trip, adbutils without its 10 ms close() sleep", len(farmhand_ms), "farmhand AdbDriver",
         ours_median / 1e3, f"adbutils {version} patched", unslept_median / 1e3)
    return 0 if ratio <= 0.5 and ours_median <= 3.0 else 1


if __name__ == "__main__":
    sys.exit(main())
