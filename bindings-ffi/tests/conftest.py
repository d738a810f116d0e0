"""Shared set-up of the farmhand_ffi test suite.

The module under test is the one uniffi generates (`generate.sh OUT_DIR`): pure
Python calling the C ABI of libfarmhand_ffi through ctypes, not the PyO3
package. `FARMHAND_FFI_DIR` names OUT_DIR; `.ci/run` generates it and sets it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

import pytest

OUT_DIR = os.environ.get("FARMHAND_FFI_DIR")
if not OUT_DIR or not os.path.isfile(os.path.join(OUT_DIR, "farmhand_ffi.py")):
    raise RuntimeError(
        "FARMHAND_FFI_DIR must name the output of `bindings-ffi/generate.sh OUT_DIR` "
        f"(got {OUT_DIR!r}); .ci/run sets it"
    )
sys.path.insert(0, OUT_DIR)

import farmhand_ffi  # noqa: E402


@pytest.fixture
def ws() -> Iterator[farmhand_ffi.Workspace]:
    """A fresh in-memory workspace."""
    yield farmhand_ffi.Workspace.in_memory()


def new(username: str, platform: farmhand_ffi.Platform = farmhand_ffi.Platform.TIKTOK, **fields) -> farmhand_ffi.NewAccount:
    """A NewAccount with the given fields (a password or 2FA key given as str is wrapped in a Secret)."""
    for secret in ("password", "totp_key"):
        if isinstance(fields.get(secret), str):
            fields[secret] = farmhand_ffi.Secret(fields[secret])
    return farmhand_ffi.NewAccount(platform=platform, username=username, **fields)
