"""Profile fields (nickname, country, followers...) set by hand with add() and update()."""

from __future__ import annotations

from typing import Any

import pytest

import farmhand

COUNTS = ("followers", "following", "hearts", "videos", "friends")


def test_add_sets_every_profile_field(ws: farmhand.Workspace) -> None:
    a = ws.add(
        "mia",
        platform="tiktok",
        nickname=" Mia M. ",
        country="DE",
        followers=1200,
        following=80,
        hearts=5400,
        videos=31,
        friends=12,
    )
    s = a.stats
    assert (s.nickname, s.country) == ("Mia M.", "DE")
    assert (s.followers, s.following, s.hearts, s.videos, s.friends) == (1200, 80, 5400, 31, 12)
    assert s.synced_at is None, "numbers typed by hand are not a sync"
    assert ws.get(a.id).stats == s


def test_add_without_profile_fields_leaves_them_empty(ws: farmhand.Workspace) -> None:
    s = ws.add("bare", platform="instagram").stats
    assert s.nickname is None and s.country is None
    assert all(getattr(s, name) is None for name in COUNTS)


def test_update_changes_the_given_profile_fields_keeps_the_others_and_none_clears(
    ws: farmhand.Workspace,
) -> None:
    a = ws.add("leo", platform="tiktok", nickname="Leo", country="FR", followers=34, hearts=7)
    b = ws.update(a.id, followers=35, country=None, email="leo@example.com")
    assert b.stats.followers == 35
    assert b.stats.country is None
    assert b.stats.nickname == "Leo" and b.stats.hearts == 7
    assert b.email == "leo@example.com"
    c = ws.update(b, nickname="", hearts=None, videos=0)
    assert c.stats.nickname is None, "a blank nickname clears it"
    assert c.stats.hearts is None and c.stats.videos == 0 and c.stats.followers == 35


@pytest.mark.parametrize("field", COUNTS)
def test_counts_out_of_range_are_validation_errors_naming_the_field(
    ws: farmhand.Workspace, field: str
) -> None:
    a = ws.add("ana", platform="instagram", followers=5)
    dyn: Any = ws  # the field is chosen at run time
    for bad in (-1, 2**63, 10**40):
        with pytest.raises(farmhand.ValidationError) as info:
            dyn.update(a.id, **{field: bad})
        assert info.value.field == field
        with pytest.raises(farmhand.ValidationError) as info:
            dyn.add("other", platform="tiktok", **{field: bad})
        assert info.value.field == field
    assert dyn.update(a.id, **{field: 2**63 - 1}).stats.to_dict()[field] == 2**63 - 1
    assert len(ws) == 1, "a refused add created an account"


def test_wrong_types_are_type_errors_naming_the_field(ws: farmhand.Workspace) -> None:
    a = ws.add("kim", platform="tiktok")
    dyn: Any = ws  # wrong types on purpose
    for field, bad in (("followers", "12"), ("hearts", 1.5), ("videos", True), ("nickname", 7), ("country", b"DE")):
        with pytest.raises(TypeError, match=f"'{field}'"):
            dyn.update(a.id, **{field: bad})
        with pytest.raises(TypeError, match=f"'{field}'"):
            dyn.add("kim2", platform="tiktok", **{field: bad})
    assert ws.get(a.id) == a


def test_hostile_texts_are_refused_and_nothing_changes(ws: farmhand.Workspace) -> None:
    a = ws.add("ivy", platform="tiktok", nickname="Ivy")
    dyn: Any = ws  # the field is chosen at run time
    for field, bad in (("nickname", "x" * 100_000), ("country", "D\nE"), ("nickname", "a\x00b")):
        with pytest.raises(farmhand.ValidationError) as info:
            dyn.update(a.id, **{field: bad})
        assert info.value.field == field
    assert ws.get(a.id) == a
