"""Runs every peer comparison side by side in one run and prints a table of ratios.

Each comparison is a program that times farmhand against a peer in the same
process and prints `COMPARE {json}` lines (see report.py). This runner builds
what they need in release mode, runs them one after another, and prints one
Markdown table (the README's) headed by the machine and the date.

    python3 benches/compare/run_all.py            # full sizes (minutes)
    python3 benches/compare/run_all.py --quick    # tiny sizes: does everything still run?

It uses the project venv (.venv, made as .ci/run makes it) and adds the peers
(pyotp, adbutils, openpyxl, xlsxwriter). Exit status 1 when a comparison is
missing, crashes or prints no figure.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / "bin" / "python"
PEERS = ["pyotp==2.12.1", "adbutils==2.12.0", "openpyxl==3.1.5", "xlsxwriter==3.3.1", "maturin==1.16.0"]
PREFIX = "COMPARE "
RESOURCES = "RESOURCES "


@dataclass
class Comparison:
    """One comparison program: what it compares, how to run it full size and quick."""

    title: str
    argv: list[str]
    quick: list[str] = field(default_factory=list)
    full: list[str] = field(default_factory=list)

    def path(self) -> Path | None:
        """The script, when the program is a script of this folder."""
        scripts = [a for a in self.argv if a.endswith(".py")]
        return ROOT / scripts[0] if scripts else None


COMPARISONS = [
    Comparison("accounts.xlsx import/export vs openpyxl, xlsxwriter, calamine-only",
               [str(PY), "benches/compare/xlsx_compare.py"],
               quick=["--rows", "2000", "--big", "5000", "--repeat", "1"]),
    Comparison("TOTP vs pyotp", [str(PY), "benches/compare/totp_vs_pyotp.py"],
               quick=["--codes", "2000", "--runs", "1"]),
    Comparison("Python listing vs sqlite3, sheet import vs an openpyxl script",
               [str(PY), "benches/compare/python_bindings.py"],
               quick=["--rows", "2000", "--runs", "1"]),
    Comparison("C ABI: uniffi Python module vs the PyO3 module, listing accounts",
               [str(PY), "benches/compare/ffi_vs_pyo3.py"],
               quick=["--rows", "2000", "--runs", "1"]),
    Comparison("fleet login scaling, 1 vs 32, 128 and 256 phones",
               ["cargo", "run", "--release", "-q", "-p", "farmhand-benches", "--example", "fleet_scaling", "--"],
               quick=["--sizes", "1,4", "--runs", "1"], full=["--sizes", "1,32,128,256", "--runs", "1"]),
    Comparison("shell round trip vs adbutils", [str(PY), "benches/compare/device_shell.py"],
               quick=["--rounds", "1", "--calls", "20"]),
]


def machine() -> str:
    """CPU model, cores, memory, OS, Python and rustc versions."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.0f} GiB RAM"
                break
    except OSError:
        pass
    rustc = subprocess.run(["rustc", "-V"], capture_output=True, text=True).stdout.strip()
    return (f"{cpu}, {os.cpu_count()} cores{memory}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; {rustc}")


def prepare(build: bool) -> None:
    """The venv with the peers, and the Python package built in release mode."""
    if not PY.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(PY), "-m", "pip", "install", "-q", "--disable-pip-version-check", *PEERS], check=True)
    if build:
        print("building the Python package (release)...", file=sys.stderr, flush=True)
        env = dict(os.environ, VIRTUAL_ENV=str(VENV))
        subprocess.run([str(VENV / "bin" / "maturin"), "develop", "--release", "--quiet"],
                       cwd=ROOT / "bindings-python", env=env, check=True)


def run(comparison: Comparison, quick: bool, resources: list[dict]) -> tuple[list[dict], str | None]:
    """Runs one comparison; its figures, and what went wrong if anything did.
    `RESOURCES {json}` lines (the controller's memory, threads and CPU per
    fleet size) are added to `resources`."""
    script = comparison.path()
    if script is not None and not script.exists():
        return [], f"missing: {script.relative_to(ROOT)}"
    argv = comparison.argv + (comparison.quick if quick else comparison.full)
    print(f"\n## {comparison.title}\n$ {' '.join(argv)}", file=sys.stderr, flush=True)
    started = time.monotonic()
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    figures = []
    for line in proc.stdout:
        if line.startswith(PREFIX):
            figures.append(json.loads(line[len(PREFIX):]))
        elif line.startswith(RESOURCES):
            resources.append(json.loads(line[len(RESOURCES):]))
        else:
            print(line, end="", file=sys.stderr, flush=True)
    code = proc.wait()
    print(f"({time.monotonic() - started:.0f} s)", file=sys.stderr, flush=True)
    if code != 0:
        return figures, f"exit status {code}"
    if not figures:
        return figures, "printed no COMPARE line"
    return figures, None


def seconds(s: float) -> str:
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.1f} ms"
    return f"{s * 1e6:.1f} µs"


def table(rows: list[tuple[Comparison, list[dict], str | None]], quick: bool) -> str:
    """The Markdown table: one line per figure, failures included."""
    today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"Machine: {machine()}. Date: {today}." + (" Quick sizes (not figures to quote)." if quick else ""),
        "",
        "| comparison | farmhand | time | peer | time | peer / farmhand | budget |",
        "| --- | --- | ---: | --- | ---: | ---: | --- |",
    ]
    for comparison, figures, problem in rows:
        for f in figures:
            budget = "" if f.get("min_ratio") is None else (
                f"≥ {f['min_ratio']:.3g} {'met' if f['met'] else '**missed**'}")
            lines.append(f"| {f['name']} | {f['ours']} | {seconds(f['ours_s'])} | {f['peer']} | "
                         f"{seconds(f['peer_s'])} | {f['ratio']:.2f}x | {budget} |")
        if problem:
            lines.append(f"| {comparison.title} | | | | | | **{problem}** |")
    return "\n".join(lines)


def resource_table(resources: list[dict]) -> str:
    """The fleet controller's peak memory, threads and CPU per fleet size."""
    if not resources:
        return ""
    lines = [
        "",
        "| phones | wall | controller peak RSS | controller threads | controller CPU | per phone "
        "| simulated phones CPU | adb server CPU | its busiest thread |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in resources:
        lines.append(f"| {r['phones']} | {seconds(r['wall_s'])} | {r['rss_mib']:.1f} MiB | {r['threads']} | "
                     f"{r['controller_cpu_s']:.2f} s | {r['controller_cpu_ms_per_phone']:.1f} ms | "
                     f"{r['sim_cpu_s']:.2f} s | {r['adb_cpu_s']:.2f} s | {r['adb_busiest_thread_s']:.2f} s |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one run each")
    parser.add_argument("--no-build", action="store_true", help="use the Python package as installed")
    parser.add_argument("--only", help="run the comparisons whose title contains this text")
    args = parser.parse_args()

    prepare(build=not args.no_build)
    chosen = [c for c in COMPARISONS if not args.only or args.only.lower() in c.title.lower()]
    resources: list[dict] = []
    rows = [(c, *run(c, args.quick, resources)) for c in chosen]
    print(table(rows, args.quick))
    if resources:
        print(resource_table(resources))
    return 1 if any(problem for _, _, problem in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
