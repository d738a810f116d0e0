"""TOTP codes: farmhand (through its Python package) against pyotp, in one process.

First checks that both give the same code for many keys and times (pyotp is an
implementation this project did not write), then times:

1. codes from a parsed key: `farmhand.Totp(key).code(t)` vs `pyotp.TOTP(key).at(t)`;
2. one-shot codes (parse the key, then compute): `farmhand.totp(key, t)` vs
   `pyotp.TOTP(key).at(t)`.

    python benches/compare/totp_vs_pyotp.py [--codes 100000] [--runs 5]

Needs the built package (`maturin develop -r` in bindings-python for release
figures) and pyotp.
"""

from __future__ import annotations

import argparse
import base64
import random

import pyotp

import farmhand
from report import best_of_each, emit


def keys(count: int) -> list[str]:
    """Random base32 keys of 24 or 32 characters (120 or 160 bits: pyotp 2.12
    refuses keys under 112 bits, which farmhand accepts down to 80)."""
    rng = random.Random(6238)
    out = []
    for _ in range(count):
        raw = bytes(rng.randrange(256) for _ in range(rng.choice([15, 20])))
        out.append(base64.b32encode(raw).decode().rstrip("="))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--codes", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    n, runs = args.codes, args.runs

    secrets = keys(64)
    times = [59 + 30 * i * 7919 for i in range(n)]
    for key in secrets:
        ours, peer = farmhand.Totp(key), pyotp.TOTP(key)
        for t in times[:500]:
            assert ours.code(t) == peer.at(t), f"codes differ at t={t}"

    key = secrets[0]
    ours_key, peer_key = farmhand.Totp(key), pyotp.TOTP(key)
    (ours_s, ours_codes), (peer_s, peer_codes) = best_of_each(
        runs, lambda: [ours_key.code(t) for t in times], lambda: [peer_key.at(t) for t in times])
    assert ours_codes == peer_codes
    emit(f"TOTP {n} codes from a parsed key", n, "farmhand.Totp.code", ours_s, "pyotp.TOTP.at", peer_s)

    pairs = [(secrets[i % len(secrets)], t) for i, t in enumerate(times)]
    (ours_s, ours_codes), (peer_s, peer_codes) = best_of_each(
        runs, lambda: [farmhand.totp(k, t) for k, t in pairs], lambda: [pyotp.TOTP(k).at(t) for k, t in pairs])
    assert ours_codes == peer_codes
    emit(f"TOTP {n} one-shot codes (parse + code)", n, "farmhand.totp", ours_s, "pyotp.TOTP(k).at", peer_s)


if __name__ == "__main__":
    main()
