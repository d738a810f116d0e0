"""TOTP codes and the password/2FA split, checked against RFC 6238 and an independent implementation."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import struct

import pytest

import farmhand


def reference_totp(secret_b32: str, at: int) -> str:
    """RFC 6238 (SHA-1, 6 digits, 30 s) written from the RFC, independent of farmhand."""
    key = base64.b32decode(secret_b32.replace(" ", "").upper() + "=" * (-len(secret_b32.replace(" ", "")) % 8))
    digest = hmac.new(key, struct.pack(">Q", at // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


@pytest.mark.parametrize(
    "at, code",
    [(59, "287082"), (1111111109, "081804"), (1111111111, "050471"), (1234567890, "005924"),
     (2000000000, "279037"), (20000000000, "353130")],
)
def test_rfc6238_vectors(at: int, code: str) -> None:
    assert farmhand.totp(RFC_SECRET, at=at) == code


def test_matches_an_independent_implementation_at_many_times() -> None:
    for secret in ("JBSWY3DPEHPK3PXP", RFC_SECRET, "GEZDGNBVGY3TQOJQ"):
        for at in range(0, 3_000_000_000, 97_000_037):
            assert farmhand.totp(secret, at=at) == reference_totp(secret, at)


def test_lenient_key_forms_and_time_forms() -> None:
    at = 1_700_000_000
    expected = reference_totp("JBSWY3DPEHPK3PXP", at)
    assert farmhand.totp("jbsw y3dp ehpk 3pxp", at=at) == expected
    assert farmhand.totp("JBSWY3DPEHPK3PXP", at=float(at) + 0.9) == expected
    aware = datetime.datetime.fromtimestamp(at, tz=datetime.timezone.utc)
    assert farmhand.totp("JBSWY3DPEHPK3PXP", at=aware) == expected
    with pytest.raises(ValueError, match="naive"):
        farmhand.totp("JBSWY3DPEHPK3PXP", at=aware.replace(tzinfo=None))
    now = farmhand.totp("JBSWY3DPEHPK3PXP")
    assert len(now) == 6 and now.isdigit()


def test_split_password() -> None:
    password, key = farmhand.split_password("hunter2:JBSWY3DPEHPK3PXP")
    assert password == "hunter2"
    assert key is not None
    assert key.code(at=59) == reference_totp("JBSWY3DPEHPK3PXP", 59)
    assert 1 <= key.seconds_left(at=59) <= 30 and key.seconds_left(at=59) == 1
    assert repr(key) == "Totp(***)"
    assert farmhand.split_password("pa:ss:word1") == ("pa:ss:word1", None)
    assert farmhand.split_password("admin:verysecretpassword") == ("admin:verysecretpassword", None)
    assert farmhand.split_password("correct:horsebatterystaple") == ("correct:horsebatterystaple", None)
    assert farmhand.split_password("pw:JBSWY3DPEHPK3PX") == ("pw:JBSWY3DPEHPK3PX", None)
    spaced_password, spaced = farmhand.split_password("pw:jbsw y3dp ehpk 3pxp")
    assert spaced_password == "pw" and spaced is not None and spaced.code(at=59) == key.code(at=59)
    assert farmhand.split_password("hunter2:abc") == ("hunter2:abc", None)
    assert farmhand.split_password("no-colon") == ("no-colon", None)


def test_totp_object() -> None:
    key = farmhand.Totp("JBSWY3DPEHPK3PXP")
    assert key.code(at=1_000_000) == reference_totp("JBSWY3DPEHPK3PXP", 1_000_000)
    with pytest.raises(farmhand.ValidationError):
        farmhand.Totp("short")


def test_credentials(ws: farmhand.Workspace) -> None:
    with_email = ws.add("kim", platform="tiktok", email="kim@x.io", password="pw", totp_key="JBSWY3DPEHPK3PXP")
    creds = with_email.credentials()
    assert creds is not None
    assert (creds.login, creds.login_kind, creds.password) == ("kim@x.io", "email", "pw")
    assert creds.totp is not None and creds.totp.code(at=59) == reference_totp("JBSWY3DPEHPK3PXP", 59)
    assert "pw" not in repr(creds).replace("password", "") and "JBSW" not in repr(creds)
    no_email = ws.add("lee", platform="tiktok", password="plain")
    creds = no_email.credentials()
    assert creds is not None
    assert (creds.login, creds.login_kind, creds.password, creds.totp) == ("lee", "username", "plain", None)
    assert ws.add("max", platform="tiktok").credentials() is None
