"""Selector packs from Python (Pack.builtin / load / check), a pack file passed
to the workflows, and an account's history and health after them."""

from __future__ import annotations

import json
import pathlib
from collections.abc import Iterator

import pytest

import farmhand
from farmhand import sim

REPO = pathlib.Path(__file__).resolve().parents[2]
DUMPS = REPO / "fixtures" / "ui-dumps"
IG = "com.instagram.android"

SCENARIO = {
    "accounts": [
        {"platform": "instagram", "username": "jack", "password": "pw-jack", "followers": 3400000},
        {"platform": "instagram", "username": "ben", "password": "pw-ben", "banned": True},
    ],
    "phones": [{"apps": [{"kind": "instagram", "version": 410}]}],
}


@pytest.fixture
def fleet() -> Iterator[sim.SimFleet]:
    with sim.SimFleet(sim.Scenario.from_dict(SCENARIO)) as phones:
        yield phones


def test_real_dumps_of_other_apps_are_recognised_as_nothing() -> None:
    files = sorted(DUMPS.glob("*.xml"))
    assert len(files) == 9
    for pack in (farmhand.Pack.builtin("tiktok"), farmhand.Pack.builtin("instagram")):
        for path in files:
            checked = pack.check(path.read_text(encoding="utf-8"))
            assert checked["screen"] is None, (pack, path.name)


def test_a_catalogue_drawn_login_form_without_ids_is_named(fleet: sim.SimFleet) -> None:
    phone = fleet.driver().open(fleet.serials[0])
    phone.launch(IG)
    phone.tap(972, 2316)
    xml = phone.shell("uiautomator dump /sdcard/d.xml >/dev/null && cat /sdcard/d.xml").stdout
    pack = farmhand.Pack.builtin("instagram")
    assert pack.app == farmhand.Platform.INSTAGRAM and pack.app_versions
    # Nobody is logged in: this is the login form, which has no ids in 400+ builds.
    checked = pack.check(xml)
    assert checked["screen"] == "login", checked
    assert checked["missing"] == []
    assert "login_field" in checked["controls"]
    with pytest.raises(farmhand.ValidationError):
        pack.check("not a dump")


def test_pack_files_load_or_are_refused_naming_the_file(tmp_path: pathlib.Path) -> None:
    builtin = REPO / "core" / "src" / "apps" / "packs" / "instagram.json"
    custom = json.loads(builtin.read_text(encoding="utf-8"))
    custom["app_versions"] = "my phones, Instagram 999"
    path = tmp_path / "instagram.json"
    path.write_text(json.dumps(custom), encoding="utf-8")
    pack = farmhand.Pack.load(path)
    assert pack.app_versions == "my phones, Instagram 999"
    assert "Instagram 999" in repr(pack)
    broken = tmp_path / "broken.json"
    broken.write_text('{"app": "instagram"', encoding="utf-8")
    with pytest.raises(farmhand.FarmhandError) as info:
        farmhand.Pack.load(broken)
    assert "broken.json" in str(info.value)
    with pytest.raises(farmhand.FileError):
        farmhand.Pack.load(tmp_path / "missing.json")


def test_history_and_health_after_a_login_with_a_pack_and_disable_on_ban(
    tmp_path: pathlib.Path, fleet: sim.SimFleet
) -> None:
    ws = farmhand.Workspace.in_memory()
    serial = fleet.serials[0]
    jack = ws.add("jack", platform="instagram", password="pw-jack", device=serial)
    ben = ws.add("ben", platform="instagram", password="pw-ben", device=serial)
    assert ws.history(jack) == [] and ws.health(jack) is None
    builtin = REPO / "core" / "src" / "apps" / "packs" / "instagram.json"
    path = tmp_path / "instagram.json"
    path.write_text(builtin.read_text(encoding="utf-8"), encoding="utf-8")
    report = ws.login(fleet.driver(), packs=[farmhand.Pack.load(path)], disable_on_ban=True)
    assert report.outcome(jack) == "logged_in"
    assert report.outcome(ben) == "banned"
    assert ws.get(ben.id).status == farmhand.Status.DISABLED
    entries = ws.history(ben, limit=5)
    assert [(e.workflow, e.outcome, e.device) for e in entries] == [("login", "banned", serial)]
    assert entries[0].reason == "disabled automatically (disable_on_ban)"
    health = ws.health(ben)
    assert health is not None and health.state == "banned" and health.at.tzinfo is not None
    assert "banned" in repr(health) and "banned" in repr(entries[0])
    ok = ws.health(jack)
    assert ok is not None and ok.state == "ok"
    with pytest.raises(farmhand.NotFoundError):
        ws.history(987654)
    sheet = tmp_path / "accounts.xlsx"
    ws.export_xlsx(sheet, platform="instagram", include_health=True)
    import openpyxl

    rows = list(openpyxl.load_workbook(sheet).active.iter_rows(values_only=True))
    assert rows[0][-1] == "health"
    health_by_name = {row[rows[0].index("username")]: row[-1] for row in rows[1:]}
    assert health_by_name == {"jack": "ok", "ben": "banned"}
    again = ws.import_xlsx(sheet, platform="instagram")
    assert again.created == again.updated == 0 and not again.unknown_columns


def test_a_sync_of_a_refused_session_ends_banned_and_disables_when_asked() -> None:
    scenario = {
        "accounts": [
            {"platform": "tiktok", "username": "rosa", "password": "pw", "banned": True},
        ],
        "phones": [{"apps": [{"kind": "tiktok", "logged_in": ["rosa"]}]}],
    }
    with sim.SimFleet(sim.Scenario.from_dict(scenario)) as phones:
        ws = farmhand.Workspace.in_memory()
        rosa = ws.add("rosa", platform="tiktok", password="pw", device=phones.serials[0])
        report = ws.sync_profiles(phones.driver(), accounts=[rosa])
        assert report.outcome(rosa) == "banned"
        assert ws.get(rosa.id).status == farmhand.Status.ENABLED
        report = ws.sync_profiles(phones.driver(), accounts=[rosa], disable_on_ban=True)
        assert report.outcome(rosa) == "banned"
        assert ws.get(rosa.id).status == farmhand.Status.DISABLED
        health = ws.health(rosa)
        assert health is not None and health.state == "banned"
        assert health.workflow == "sync_profiles"
