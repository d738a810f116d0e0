"""Workspace CRUD, listing filters, tags and the Account object."""

from __future__ import annotations

import datetime

import pytest

import farmhand
from farmhand import Platform, Status


def test_add_normalises_username_and_returns_the_stored_account(ws: farmhand.Workspace) -> None:
    a = ws.add(" @Alice ", platform="tiktok", email="a@example.com", tags=["warm", "eu"])
    assert a.username == "Alice"
    assert a.platform is Platform.TIKTOK
    assert a.status is Status.ENABLED and a.enabled
    assert a.email == "a@example.com"
    assert a.tags == ("warm", "eu")
    assert a.logged_in is False
    assert a.device is None and a.device_index is None
    assert a.app_package == "com.zhiliaoapp.musically"
    assert isinstance(a.created_at, datetime.datetime)
    assert a.created_at.tzinfo is not None
    assert ws.get(a.id) == a


def test_platform_and_status_accept_enums_and_names(ws: farmhand.Workspace) -> None:
    a = ws.add("one", platform=Platform.INSTAGRAM, status=Status.DISABLED)
    b = ws.add("two", platform="INSTAGRAM", status="disabled")
    assert a.platform == b.platform == "instagram"
    assert a.status == b.status == Status.DISABLED
    assert a.app_package == "com.instagram.android"


def test_same_username_on_two_platforms_is_two_accounts(ws: farmhand.Workspace) -> None:
    ws.add("bob", platform="tiktok")
    ws.add("bob", platform="instagram")
    assert len(ws) == 2


def test_duplicate_spelling_is_refused_and_names_the_clash(ws: farmhand.Workspace) -> None:
    ws.add("bob", platform="tiktok")
    with pytest.raises(farmhand.DuplicateError) as info:
        ws.add("@BOB", platform="tiktok")
    assert info.value.platform == Platform.TIKTOK
    assert info.value.username is not None and info.value.username.lower() == "bob"
    assert info.value.kind == "duplicate"
    assert isinstance(info.value, ValueError)
    assert len(ws) == 1


def test_find_matches_any_spelling(ws: farmhand.Workspace) -> None:
    a = ws.add("Carol", platform="tiktok")
    assert ws.find("@carol", platform="tiktok") == a
    assert ws.find("carol", platform="instagram") is None


def test_update_changes_only_given_fields_and_none_clears(ws: farmhand.Workspace) -> None:
    a = ws.add("dave", platform="tiktok", email="d@x.io", password="pw", package_name="com.clone")
    b = ws.update(a.id, username="Dave2", email=None, logged_in=True, status="disabled", tags=("x",))
    assert b.username == "Dave2"
    assert b.email is None
    assert b.password == "pw"
    assert b.package_name == "com.clone"
    assert b.logged_in is True and b.status is Status.DISABLED
    assert b.tags == ("x",)
    c = ws.update(b, package_name=None, password=None)
    assert c.package_name is None and c.password is None and not c.has_password
    assert ws.update(c.id) == c


def test_update_refuses_unknown_and_mistyped_fields(ws: farmhand.Workspace) -> None:
    a = ws.add("erin", platform="tiktok")
    with pytest.raises(TypeError, match="unexpected keyword argument 'nick_name'"):
        ws.update(a.id, nick_name="x")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="'email'"):
        ws.update(a.id, email=42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="'logged_in'"):
        ws.update(a.id, logged_in="yes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="'username'"):
        ws.update(a.id, username=None)  # type: ignore[arg-type]
    with pytest.raises(farmhand.ValidationError) as info:
        ws.update(a.id, status="paused")
    assert info.value.field == "status"
    assert ws.get(a.id) == a


def test_delete_then_get_is_not_found(ws: farmhand.Workspace) -> None:
    a = ws.add("frank", platform="tiktok")
    ws.delete(a.id)
    with pytest.raises(farmhand.NotFoundError) as info:
        ws.get(a.id)
    assert isinstance(info.value, LookupError)
    assert info.value.kind == "not_found"
    assert str(a.id) in str(info.value)
    with pytest.raises(farmhand.NotFoundError):
        ws.delete(a.id)


def test_list_filters(ws: farmhand.Workspace) -> None:
    a = ws.add("a1", platform="tiktok", device="SER1", tags=["eu"], logged_in=True)
    b = ws.add("a2", platform="tiktok", email="findme@mail.io", status="disabled")
    c = ws.add("a3", platform="instagram", device="SER1", tags=["eu", "us"])
    assert ws.list() == [a, b, c]
    assert ws.list(platform="tiktok") == [a, b]
    assert ws.list(enabled=True) == [a, c]
    assert ws.list(enabled=False) == [b]
    assert ws.list(device="SER1") == [a, c]
    assert ws.list(tag="us") == [c]
    assert ws.list(logged_in=True) == [a]
    assert ws.list(search="FINDME") == [b]
    assert ws.list(platform="tiktok", device="SER1", enabled=True) == [a]
    assert ws.count(tag="eu") == 2
    assert ws.eligible() == [a, c]
    assert ws.eligible(platform="tiktok") == [a]


def test_enable_disable_bind_unbind(ws: farmhand.Workspace) -> None:
    a = ws.add("gina", platform="tiktok")
    assert ws.disable(a.id).status is Status.DISABLED
    assert ws.eligible() == []
    assert ws.enable(a).enabled
    bound = ws.bind(a.id, "emulator-5554")
    assert bound.device == "emulator-5554"
    assert bound.device_index is not None
    assert [d.serial for d in ws.devices()] == ["emulator-5554"]
    assert ws.unbind(a.id).device is None


def test_tags(ws: farmhand.Workspace) -> None:
    a = ws.add("hank", platform="tiktok", tags=["a"])
    assert ws.add_tags(a.id, ["b", "a"]).tags == ("a", "b")
    assert ws.remove_tags(a.id, {"a"}).tags == ("b",)
    assert ws.set_tags(a.id, (t for t in ["x", "y"])).tags == ("x", "y")
    with pytest.raises(TypeError, match="single string"):
        ws.set_tags(a.id, "xy")
    with pytest.raises(TypeError, match="every tag must be a str"):
        ws.add_tags(a.id, ["ok", 3])  # type: ignore[list-item]
    assert ws.get(a.id).tags == ("x", "y")


def test_device_registry(ws: farmhand.Workspace) -> None:
    first = ws.register_device("SER-A")
    second = ws.register_device("10.0.0.7:5555")
    assert ws.register_device("SER-A") == first
    assert first.index != second.index
    labelled = ws.label_device("SER-A", "rack 1")
    assert labelled.label == "rack 1" and labelled.index == first.index
    assert ws.label_device("SER-A", None).label is None
    with pytest.raises(farmhand.NotFoundError):
        ws.label_device("nope", "x")
    assert "SER-A" in repr(first)


def test_account_repr_and_to_dict_hide_the_password(ws: farmhand.Workspace) -> None:
    a = ws.add("ivy", platform="tiktok", password="hunter2", totp_key="jbsw y3dp ehpk 3pxp", email="i@x.io")
    assert "hunter2" not in repr(a) and "JBSWY3DP" not in repr(a)
    assert repr(a).startswith("Account(id=")
    d = a.to_dict()
    assert "password" not in d and "totp_key" not in d
    assert d["username"] == "ivy" and d["platform"] == "tiktok" and d["status"] == "enabled"
    assert d["followers"] is None and d["tags"] == []
    secrets = a.to_dict(include_secrets=True)
    assert (secrets["password"], secrets["totp_key"]) == ("hunter2", "JBSWY3DPEHPK3PXP")
    assert (a.password, a.totp_key, a.has_2fa) == ("hunter2", "JBSWY3DPEHPK3PXP", True)


def test_the_password_is_verbatim_and_the_2fa_key_its_own_field(ws: farmhand.Workspace) -> None:
    a = ws.add("colon", platform="tiktok", password="admin:verysecretpassword")
    assert (a.password, a.totp_key, a.has_2fa) == ("admin:verysecretpassword", None, False)
    creds = a.credentials()
    assert creds is not None and creds.password == "admin:verysecretpassword" and creds.totp is None
    b = ws.update(a, totp_key="JBSWY3DPEHPK3PXP")
    assert b.password == "admin:verysecretpassword" and b.has_2fa
    assert ws.update(b, totp_key=None).totp_key is None
    with pytest.raises(farmhand.ValidationError, match="totp_key") as info:
        ws.add("short", platform="tiktok", totp_key="JBSWY3DPEHPK3PX")
    assert "JBSWY3DPEHPK3PX" not in str(info.value)
    with pytest.raises(TypeError, match="totp_key"):
        ws.update(a, totp_key=42)  # type: ignore[arg-type]


def test_account_is_read_only_and_hashable(ws: farmhand.Workspace) -> None:
    a = ws.add("jay", platform="tiktok")
    with pytest.raises(AttributeError):
        a.username = "other"  # type: ignore[misc]
    assert {a, ws.get(a.id)} == {a}
    assert a != ws.update(a.id, logged_in=True)
    assert a != "jay"
    assert a.stats.followers is None
    assert a.stats.to_dict()["nickname"] is None


def test_workspace_repr_and_path(ws: farmhand.Workspace) -> None:
    assert ws.path is None
    assert repr(ws) == "Workspace.in_memory()"
