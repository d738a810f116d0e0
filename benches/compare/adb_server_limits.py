"""What the real adb server spends per phone and per connection, and what it
does at its file-descriptor limit: the measurements behind the README's
"A whole PC's farm at once".

Starts a private adb server (`adb -P PORT start-server`) under a chosen
`ulimit -n`, connects N simulated phones (served by `fleet_scaling
--serve-sim N` in a child process), then opens K host connections at once,
each running `sleep 3` on a phone, and prints the server's threads and file
descriptors idle, with the phones connected and with the commands in flight,
and how the commands ended.

    cargo build --release -p farmhand-benches --example fleet_scaling
    python3 benches/compare/adb_server_limits.py --phones 256 --commands 256 --nofile 20000
    python3 benches/compare/adb_server_limits.py --phones 256 --commands 800 --nofile 1024

Needs Linux (/proc) and `adb` on PATH. Not part of run_all.py: it measures the
adb server, not farmhand.
"""

from __future__ import annotations

import argparse
import collections
import os
import socket
import subprocess
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SIM = ROOT / "target" / "release" / "examples" / "fleet_scaling"
COMMAND = "sleep 3; echo done"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_pid(port: int) -> str:
    """The pid of the adb server on `port` (its command line names tcp:PORT)."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"fork-server" in args and any(f"tcp:{port}".encode() in a for a in args):
            return pid
    raise SystemExit(f"no adb server found on port {port}")


def usage(pid: str) -> tuple[int, int]:
    """(threads, open file descriptors) of a process."""
    threads = next(int(line.split()[1]) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                   if line.startswith("Threads:"))
    return threads, len(os.listdir(f"/proc/{pid}/fd"))


def request(sock: socket.socket, service: str) -> bytes:
    payload = service.encode()
    sock.sendall(b"%04x" % len(payload) + payload)
    return sock.recv(4, socket.MSG_WAITALL)


def command(port: int, serial: str, results: list) -> None:
    """One shell command through the server; appends (how it ended, seconds)."""
    started = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
            if request(sock, f"host:transport:{serial}") != b"OKAY":
                results.append(("transport refused", time.monotonic() - started))
                return
            if request(sock, f"shell,v2,raw:{COMMAND}") != b"OKAY":
                results.append(("shell refused", time.monotonic() - started))
                return
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        results.append(("ok" if b"done" in data else "cut short", time.monotonic() - started))
    except OSError as e:
        results.append((type(e).__name__, time.monotonic() - started))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--phones", type=int, default=256)
    parser.add_argument("--commands", type=int, default=256, help="host connections open at once")
    parser.add_argument("--nofile", type=int, default=1024, help="the server's ulimit -n")
    args = parser.parse_args()
    if not SIM.exists():
        raise SystemExit("build it first: cargo build --release -p farmhand-benches --example fleet_scaling")

    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("ANDROID_SERIAL", "ANDROID_ADB_SERVER_PORT")}
    subprocess.run(["bash", "-c", f"ulimit -Sn {args.nofile} && adb -P {port} start-server"], env=env, check=True)
    sim = None
    try:
        pid = server_pid(port)
        limit = next(line for line in Path(f"/proc/{pid}/limits").read_text().splitlines() if "open files" in line)
        print(f"adb server {pid} on :{port}; {' '.join(limit.split())}")
        print(f"idle: threads, descriptors = {usage(pid)}")

        sim = subprocess.Popen([str(SIM), "--serve-sim", str(args.phones)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
        assert sim.stdout is not None
        serials = []
        for line in sim.stdout:
            if line.strip() == "ready":
                break
            serials.append(line.strip())
        for serial in serials:
            with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
                request(sock, f"host:connect:{serial}")
                sock.recv(1024)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            listing = subprocess.run(["adb", "-P", str(port), "devices"], env=env, capture_output=True,
                                     text=True).stdout
            if sum(line.endswith("\tdevice") for line in listing.splitlines()) == len(serials):
                break
            time.sleep(0.2)
        print(f"{len(serials)} phones connected: threads, descriptors = {usage(pid)}")

        results: list = []
        threads = [threading.Thread(target=command, args=(port, serials[i % len(serials)], results))
                   for i in range(args.commands)]
        for t in threads:
            t.start()
        time.sleep(1.5)
        print(f"{args.commands} commands in flight: threads, descriptors = {usage(pid)}")
        for t in threads:
            t.join()
        ends = collections.Counter(end for end, _ in results)
        took = sorted(s for _, s in results)
        print(f"commands ({COMMAND!r}): {dict(ends)}; took {took[0]:.2f} s to {took[-1]:.2f} s")
    finally:
        if sim is not None and sim.stdin is not None:
            sim.stdin.close()
            sim.wait()
        subprocess.run(["adb", "-P", str(port), "kill-server"], env=env, capture_output=True)


if __name__ == "__main__":
    main()
