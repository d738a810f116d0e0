"""The module is the generated ctypes binding over the C ABI, and its top-level functions."""

from __future__ import annotations

import ctypes
import os

import pytest

import farmhand_ffi
from conftest import OUT_DIR

# RFC 6238 appendix B, SHA-1 rows: the key is the ASCII "12345678901234567890"
# (base32 below); codes are the low 6 digits of the RFC's 8-digit values.
RFC_6238_KEY = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
RFC_6238_SHA1 = [
    (59, "287082"),
    (1111111109, "081804"),
    (1111111111, "050471"),
    (1234567890, "005924"),
    (2000000000, "279037"),
    (20000000000, "353130"),
]


def test_the_module_is_generated_python_over_ctypes_not_pyo3() -> None:
    assert farmhand_ffi.__file__ == os.path.join(OUT_DIR, "farmhand_ffi.py")
    lib = farmhand_ffi._UniffiLib
    assert isinstance(lib, ctypes.CDLL)
    assert os.path.dirname(lib._name) == OUT_DIR and "farmhand_ffi" in os.path.basename(lib._name)


def test_version_is_the_crate_version() -> None:
    root = os.path.join(os.path.dirname(__file__), "..", "..", "Cargo.toml")
    with open(root, encoding="utf-8") as f:
        declared = next(line.split('"')[1] for line in f if line.startswith("version = "))
    assert farmhand_ffi.version() == declared


@pytest.mark.parametrize(("unix_time", "code"), RFC_6238_SHA1)
def test_totp_code_matches_rfc_6238(unix_time: int, code: str) -> None:
    assert farmhand_ffi.totp_code(RFC_6238_KEY, unix_time) == code


def test_totp_code_takes_keys_as_authenticator_apps_show_them() -> None:
    spaced = " ".join(RFC_6238_KEY[i : i + 4] for i in range(0, len(RFC_6238_KEY), 4)).lower()
    assert farmhand_ffi.totp_code(spaced, 59) == "287082"


@pytest.mark.parametrize("bad", ["", "JBSWY3DP", "JBSWY3DPEHPK3PX1", "not a key at all!"])
def test_totp_code_refuses_bad_keys_without_echoing_them(bad: str) -> None:
    with pytest.raises(farmhand_ffi.FarmhandError.Validation) as info:
        farmhand_ffi.totp_code(bad, 59)
    assert info.value.field == "totp secret"
    if bad:
        assert bad not in str(info.value)


def test_totp_code_refuses_a_negative_time() -> None:
    with pytest.raises((ValueError, OverflowError, TypeError)):
        farmhand_ffi.totp_code(RFC_6238_KEY, -1)
