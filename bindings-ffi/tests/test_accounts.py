"""Workspace CRUD, listing, status, binding and tags through the C ABI."""

from __future__ import annotations

import datetime
import os
import tempfile

import pytest

import farmhand_ffi as ffi
from conftest import new

TT = ffi.Platform.TIKTOK
IG = ffi.Platform.INSTAGRAM


def test_add_get_find_update_delete(ws: ffi.Workspace) -> None:
    alice = ws.add(new("@Alice", email="alice@example.com", password="pw", totp_key="JBSWY3DPEHPK3PXP", tags=["a", "b"]))
    assert alice.id > 0 and alice.username == "Alice" and alice.platform == TT
    assert alice.email == "alice@example.com" and alice.tags == ["a", "b"]
    assert alice.has_password and alice.has_totp
    assert alice.status == ffi.Status.ENABLED and not alice.logged_in
    assert isinstance(alice.created_at, datetime.datetime)
    assert ws.get(alice.id) == alice
    assert ws.find(TT, " ALICE ") == alice
    assert ws.find(IG, "alice") is None

    changed = ws.update(
        alice.id,
        ffi.AccountPatch(
            username="alice2",
            email=ffi.TextChange.CLEAR(),
            password=ffi.PasswordChange.SET(ffi.Secret("plain")),
            stats=ffi.ProfileStats(followers=12),
        ),
    )
    assert changed.username == "alice2" and changed.email is None
    assert changed.has_password and changed.has_totp, "a new password keeps the 2FA key"
    changed = ws.update(alice.id, ffi.AccountPatch(totp_key=ffi.PasswordChange.CLEAR()))
    assert changed.has_password and not changed.has_totp
    assert changed.stats.followers == 12 and changed.tags == ["a", "b"]
    assert ws.update(alice.id, ffi.AccountPatch()) .username == "alice2"
    cleared = ws.update(alice.id, ffi.AccountPatch(password=ffi.PasswordChange.CLEAR()))
    assert not cleared.has_password

    ws.delete(alice.id)
    with pytest.raises(ffi.FarmhandError.NotFound):
        ws.get(alice.id)
    assert ws.add(new("alice")).id != alice.id, "ids are never reused"


def test_the_account_record_holds_no_secret(ws: ffi.Workspace) -> None:
    account = ws.add(new("bob", password="hunter2", totp_key="JBSWY3DPEHPK3PXP"))
    shown = repr(account) + str(account) + repr(vars(account))
    assert "hunter2" not in shown and "JBSWY3DPEHPK3PXP" not in shown
    assert not hasattr(account, "password")
    request = new("carol", password="hunter2")
    assert "hunter2" not in repr(request) + str(request)


def test_list_and_count_with_filters(ws: ffi.Workspace) -> None:
    a = ws.add(new("a", tags=["vip"], device="emulator-5554"))
    b = ws.add(new("b", platform=IG, logged_in=True))
    c = ws.add(new("c", email="c@example.com", status=ffi.Status.DISABLED))
    assert [x.id for x in ws.list()] == [a.id, b.id, c.id]
    assert ws.count() == 3 and ws.count(ffi.AccountFilter()) == 3
    assert [x.id for x in ws.list(ffi.AccountFilter(platform=IG))] == [b.id]
    assert [x.id for x in ws.list(ffi.AccountFilter(status=ffi.Status.DISABLED))] == [c.id]
    assert [x.id for x in ws.list(ffi.AccountFilter(logged_in=True))] == [b.id]
    assert [x.id for x in ws.list(ffi.AccountFilter(device="emulator-5554"))] == [a.id]
    assert [x.id for x in ws.list(ffi.AccountFilter(tag="vip"))] == [a.id]
    assert [x.id for x in ws.list(ffi.AccountFilter(text="EXAMPLE"))] == [c.id]
    assert ws.count(ffi.AccountFilter(platform=TT, status=ffi.Status.ENABLED)) == 1


def test_enable_disable_bind_unbind_devices(ws: ffi.Workspace) -> None:
    a = ws.add(new("a"))
    assert ws.disable(a.id).status == ffi.Status.DISABLED
    assert ws.enable(a.id).status == ffi.Status.ENABLED
    bound = ws.bind(a.id, "10.0.0.7:5555")
    assert bound.device == "10.0.0.7:5555" and bound.device_index == 1
    assert ws.devices() == [ffi.DeviceRecord(serial="10.0.0.7:5555", index=1, label=None)]
    unbound = ws.unbind(a.id)
    assert unbound.device is None and unbound.device_index is None
    assert [d.serial for d in ws.devices()] == ["10.0.0.7:5555"], "the phone stays registered"


def test_tags(ws: ffi.Workspace) -> None:
    a = ws.add(new("a", tags=["x"]))
    assert ws.add_tags(a.id, ["y", "x", " z "]).tags == ["x", "y", "z"]
    assert ws.remove_tags(a.id, ["x", "absent"]).tags == ["y", "z"]
    assert ws.set_tags(a.id, ["only"]).tags == ["only"]
    assert ws.set_tags(a.id, []).tags == []


def test_open_a_workspace_file_and_reopen_it() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "farm.db")
        first = ffi.Workspace.open(path)
        made = first.add(new("persisted", password="pw"))
        del first
        again = ffi.Workspace.open(path)
        assert again.get(made.id) == made


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"username": "  "}, "username"),
        ({"username": "bad name"}, "username"),
        ({"username": "x" * 65}, "username"),
        ({"tags": ["a,b"]}, "tags"),
        ({"tags": [f"t{i}" for i in range(65)]}, "tags"),
        ({"device": "has space"}, "device"),
        ({"package_name": "com.bad;rm"}, "packagename"),
        ({"password": "pw\nnext"}, "password"),
        ({"email": "a\x00b"}, "email"),
    ],
)
def test_bad_fields_are_validation_errors_naming_the_field(ws: ffi.Workspace, fields: dict, field: str) -> None:
    username = fields.pop("username", "ok")
    with pytest.raises(ffi.FarmhandError.Validation) as info:
        ws.add(new(username, **fields))
    assert info.value.field == field
    assert "next" not in str(info.value), "a password never appears in an error"
    assert ws.count() == 0, "nothing half-written"


def test_bad_updates_change_nothing(ws: ffi.Workspace) -> None:
    a = ws.add(new("a", tags=["keep"]))
    ws.add(new("b"))
    with pytest.raises(ffi.FarmhandError.Duplicate) as info:
        ws.update(a.id, ffi.AccountPatch(username="@B"))
    assert info.value.username == "B", "the clashing username as given, without its @"
    with pytest.raises(ffi.FarmhandError.Validation):
        ws.update(a.id, ffi.AccountPatch(username="c", tags=["x,y"]))
    assert ws.get(a.id) == a
    for call in (ws.get, ws.delete, ws.enable, ws.disable, ws.unbind):
        with pytest.raises(ffi.FarmhandError.NotFound):
            call(999)
    with pytest.raises(ffi.FarmhandError.NotFound):
        ws.update(999, ffi.AccountPatch(logged_in=True))


def test_wrong_types_are_refused_before_the_call(ws: ffi.Workspace) -> None:
    # The generated code checks arguments before lowering them; a str in place
    # of a record fails on its missing fields.
    with pytest.raises((TypeError, AttributeError)):
        ws.add("alice")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ws.get("1")  # type: ignore[arg-type]
    with pytest.raises((TypeError, ValueError)):
        ws.get(2**64)
    with pytest.raises(TypeError):
        ws.set_tags(1, [7])  # type: ignore[list-item]
    assert ws.count() == 0
