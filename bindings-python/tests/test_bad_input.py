"""Wrong types, hostile values and closed workspaces: clear errors, never a panic."""

from __future__ import annotations

from typing import Any, Callable

import pytest

import farmhand
from conftest import argument_named


def test_wrong_types_name_the_argument(ws: farmhand.Workspace) -> None:
    cases: list[tuple[Callable[[], Any], str]] = [
        (lambda: ws.add(None, platform="tiktok"), "username"),  # type: ignore[arg-type]
        (lambda: ws.add(b"alice", platform="tiktok"), "username"),  # type: ignore[arg-type]
        (lambda: ws.add(42, platform="tiktok"), "username"),  # type: ignore[arg-type]
        (lambda: ws.add("alice", platform=None), "platform"),  # type: ignore[arg-type]
        (lambda: ws.add("alice", platform=1), "platform"),  # type: ignore[arg-type]
        (lambda: ws.add("alice", platform="tiktok", email=b"x"), "email"),  # type: ignore[arg-type]
        (lambda: ws.add("alice", platform="tiktok", tags="eu"), "tags"),
        (lambda: ws.add("alice", platform="tiktok", logged_in=1), "logged_in"),  # type: ignore[arg-type]
        (lambda: ws.add("alice", platform="tiktok", status=0), "status"),  # type: ignore[arg-type]
        (lambda: ws.get("1"), "id"),  # type: ignore[arg-type]
        (lambda: ws.get(None), "id"),  # type: ignore[arg-type]
        (lambda: ws.get(True), "id"),
        (lambda: ws.list(enabled="yes"), "enabled"),  # type: ignore[arg-type]
        (lambda: ws.list(device=5), "device"),  # type: ignore[arg-type]
        (lambda: ws.bind(1, None), "serial"),  # type: ignore[arg-type]
        (lambda: farmhand.totp(None), "secret"),  # type: ignore[arg-type]
        (lambda: farmhand.totp("JBSWY3DPEHPK3PXP", at="now"), "at"),  # type: ignore[arg-type]
    ]
    for call, name in cases:
        with pytest.raises(TypeError) as info:
            call()
        assert argument_named(info.value, name), (name, info.value)
    assert len(ws) == 0


def test_missing_required_keyword(ws: farmhand.Workspace) -> None:
    with pytest.raises(TypeError, match="platform"):
        ws.add("alice")  # type: ignore[call-arg]


def test_bad_values_are_validation_errors_naming_the_field(ws: farmhand.Workspace) -> None:
    cases: list[tuple[Callable[[], Any], str]] = [
        (lambda: ws.add("", platform="tiktok"), "username"),
        (lambda: ws.add("   @ ", platform="tiktok"), "username"),
        (lambda: ws.add("has space", platform="tiktok"), "username"),
        (lambda: ws.add("x" * 10_000, platform="tiktok"), "username"),
        (lambda: ws.add("nul\x00byte", platform="tiktok"), "username"),
        (lambda: ws.add("alice", platform="myspace"), "platform"),
        (lambda: ws.add("alice", platform="tiktok", status="paused"), "status"),
        (lambda: farmhand.totp("not base32!"), "totp secret"),
        (lambda: farmhand.totp("JBSWY3DP"), "totp secret"),
    ]
    for call, field in cases:
        with pytest.raises(farmhand.ValidationError) as info:
            call()
        assert isinstance(info.value, ValueError)
        assert info.value.field == field, (field, info.value)
        assert info.value.kind == "validation"
    assert len(ws) == 0


def test_out_of_range_numbers_are_value_errors(ws: farmhand.Workspace) -> None:
    with pytest.raises(ValueError):
        ws.get(2**80)
    with pytest.raises(ValueError, match="at"):
        farmhand.totp("JBSWY3DPEHPK3PXP", at=-1)
    with pytest.raises(ValueError, match="at"):
        farmhand.totp("JBSWY3DPEHPK3PXP", at=float("nan"))


def test_validation_messages_never_echo_secrets(ws: farmhand.Workspace) -> None:
    secret = "S3CRETS3CRETS3CR!"
    with pytest.raises(farmhand.ValidationError) as info:
        farmhand.totp(secret)
    assert secret not in str(info.value)


def test_closed_workspace_raises_a_clear_error() -> None:
    ws = farmhand.Workspace.in_memory()
    a = ws.add("alice", platform="tiktok")
    with ws:
        pass
    assert ws.closed
    assert "closed" in repr(ws)
    for call in (
        lambda: ws.get(a.id),
        lambda: ws.list(),
        lambda: ws.add("bob", platform="tiktok"),
        lambda: len(ws),
        lambda: ws.devices(),
    ):
        with pytest.raises(farmhand.ClosedError, match="closed"):
            call()
    ws.close()
    assert isinstance(farmhand.ClosedError("x"), ValueError)
    assert a.username == "alice"


def test_context_manager_closes_even_on_error() -> None:
    with pytest.raises(RuntimeError):
        with farmhand.Workspace.in_memory() as ws:
            raise RuntimeError("boom")
    assert ws.closed


def test_no_public_constructor() -> None:
    with pytest.raises(TypeError):
        farmhand.Workspace()
    with pytest.raises(TypeError):
        farmhand.Account()


def test_exception_tree() -> None:
    e = farmhand.errors
    for cls in (
        e.ValidationError,
        e.NotFoundError,
        e.DuplicateError,
        e.SheetImportError,
        e.PackError,
        e.ScenarioError,
        e.DeviceError,
        e.TimeoutError,
        e.StorageError,
        e.FileError,
        e.CancelledError,
        e.ClosedError,
    ):
        assert issubclass(cls, farmhand.FarmhandError)
    assert issubclass(farmhand.PackError, ValueError)
    assert issubclass(farmhand.ScenarioError, ValueError)
    assert not issubclass(farmhand.ScenarioError, farmhand.SheetImportError)
    assert issubclass(farmhand.TimeoutError, TimeoutError)
    assert issubclass(farmhand.TimeoutError, OSError)
    assert issubclass(farmhand.FileError, OSError)
    assert issubclass(farmhand.NotFoundError, LookupError)
    assert not issubclass(farmhand.SheetImportError, ImportError)
    kinds = {c.kind for c in (e.ValidationError, e.NotFoundError, e.DuplicateError, e.SheetImportError,
                              e.PackError, e.ScenarioError, e.DeviceError, e.TimeoutError, e.StorageError,
                              e.FileError, e.CancelledError)}
    assert kinds == {"validation", "not_found", "duplicate", "import", "pack", "scenario", "device",
                     "timeout", "storage", "io", "cancelled"}
