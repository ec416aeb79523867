"""Freshness checks: a town list not updated for `stale_months` (town-stale), and the same office or service with
two phone numbers in two files (phone-conflict). Warnings for staff, with file:line; a note for residents."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import TODAY

from generator.checking.rules import BASE_REGIONS, BASE_TOWN
from generator.cli import main
from generator.publishing.build import Options, run_check
from tests.sitebuild import body_text, build_site, page

TOWN = "contacts/hengdong/ganxi.yaml"
OTHER = "contacts/furong/dingwangtai.yaml"
OTHER_TOWN = """town: 长沙市/芙蓉区/定王台街道
updated: 2026-10-01
judges:
  - {name: 李某, court: 芙蓉区人民法院, phone: "0731-84000001"}
grids:
  - {id: "1", name: 燕山街网格, village: 燕山街社区, leader: {name: 王某, phone: "13973400009"}}
"""


def town_updated(date: str) -> str:
    return BASE_TOWN.replace("updated: 2026-10-23", f"updated: {date}")


@pytest.fixture
def check(write_notices, monkeypatch):
    def run(files: dict[str, str], today: dt.date = TODAY, **options):
        notices = write_notices({"regions.yaml": BASE_REGIONS, **files})
        monkeypatch.chdir(notices.parent)
        return run_check(Options(notices=Path("notices"), today=today, **options)).problems

    return run


def of(problems, rule: str):
    return [p for p in problems if p.rule == rule]


# ------------------------------------------------------------------ town-stale


@pytest.mark.parametrize("updated,stale", [("2025-11-24", False), ("2025-11-23", True), ("2023-10-23", True)])
def test_a_list_twelve_months_old_is_stale(check, updated, stale):
    hits = of(check({TOWN: town_updated(updated)}), "town-stale")
    assert bool(hits) == stale
    if hits:
        (hit,) = hits
        assert (hit.path, hit.line, hit.column, hit.field, hit.level) == (
            f"notices/{TOWN}",
            2,
            10,
            "updated",
            "warning",
        )
        assert updated in hit.message and "12 个月" in hit.message


def test_the_age_is_an_option_and_zero_turns_the_check_off(check):
    files = {TOWN: town_updated("2026-04-23")}
    assert not of(check(files), "town-stale")
    assert of(check(files, stale_months=6), "town-stale")
    assert not of(check({TOWN: town_updated("2001-01-01")}, stale_months=0), "town-stale")


def test_stale_months_on_the_command_line(write_notices, monkeypatch, capsys):
    notices = write_notices({"regions.yaml": BASE_REGIONS, TOWN: town_updated("2026-04-23")})
    monkeypatch.chdir(notices.parent)
    assert main(["check", "--strict", "--no-cache", "--today", TODAY.isoformat()]) == 0
    assert main(["check", "--strict", "--no-cache", "--today", TODAY.isoformat(), "--stale-months", "6"]) != 0
    assert "(town-stale)" in capsys.readouterr().err


def test_the_town_page_says_its_list_may_be_out_of_date(write_notices, tmp_path):
    notices = write_notices({"regions.yaml": BASE_REGIONS, TOWN: town_updated("2023-10-23"), OTHER: OTHER_TOWN})
    build_site(notices, tmp_path / "site")
    stale = page(tmp_path / "site", "towns/hengdong/ganxi/")
    note = stale.select_one(".pt-stale")
    assert note is not None and note.get("role") == "note"
    assert "信息更新于 2023年10月23日，可能已有变动，请以电话核实为准" in " ".join(note.get_text().split())
    fresh = page(tmp_path / "site", "towns/furong/dingwangtai/")
    assert fresh.select_one(".pt-stale") is None and "可能已有变动" not in body_text(fresh)
    assert "信息更新于 2026年10月1日" in body_text(fresh)


# ------------------------------------------------------------------ phone-conflict

AID = 'legal_services:\n  - {{kind: legal-aid, name: {name}, phone: "{phone}"}}\n'
OFFICE = 'office: {{name: {name}, phone: "{phone}"}}\n'


def test_the_same_service_with_two_numbers_in_two_town_files_names_both_places(check):
    problems = check(
        {
            TOWN: BASE_TOWN + AID.format(name="衡东县法律援助中心", phone="0734-5233791"),
            OTHER: OTHER_TOWN + AID.format(name="衡东县法律援助中心", phone="0734-5345200"),
        }
    )
    (hit,) = of(problems, "phone-conflict")
    assert hit.level == "warning"
    assert (hit.path, hit.line, hit.field) == (f"notices/{TOWN}", 16, "legal_services[0].phone")
    assert f"notices/{OTHER}:8" in hit.message and "0734-5233791" in hit.message and "0734-5345200" in hit.message


def test_numbers_and_names_are_compared_normalised(check):
    problems = check(
        {
            TOWN: BASE_TOWN + AID.format(name="衡东县法律援助中心", phone="0734-5233791"),
            OTHER: OTHER_TOWN + AID.format(name="衡东县 法律援助中心", phone="０７３４ ５２３３７９１"),
        }
    )
    assert not of(problems, "phone-conflict")
    problems = check(
        {
            TOWN: BASE_TOWN + AID.format(name="衡东县法律援助中心", phone="0734-5233791"),
            OTHER: OTHER_TOWN + AID.format(name="衡东县 法律援助中心", phone="0734-5233792"),
        }
    )
    assert of(problems, "phone-conflict")


def test_an_office_and_a_legal_yaml_hotline_are_compared_too(check):
    legal = 'places:\n  - place: 衡阳市/衡东县\n    hotlines:\n      - {name: 甘溪镇综治中心, phone: "0734-5297229"}\n'
    problems = check(
        {TOWN: BASE_TOWN + OFFICE.format(name="甘溪镇综治中心", phone="0734-5297228"), "legal.yaml": legal}
    )
    (hit,) = of(problems, "phone-conflict")
    assert hit.path == "notices/legal.yaml" and hit.line == 4 and hit.field == "places[0].hotlines[0].phone"
    assert f"notices/{TOWN}:15" in hit.message


def test_same_named_town_offices_of_two_counties_are_two_offices(check):
    """Hunan has a 城关镇 in many counties, each with its own 城关镇人民政府; a legal service named for a county is one
    office wherever it is listed, and an office is still compared within its county and with a county's hotline."""
    office = OFFICE.format(name="城关镇人民政府", phone="0734-5297228")
    other_office = OFFICE.format(name="城关镇人民政府", phone="0731-84942570")
    assert not of(check({TOWN: BASE_TOWN + office, OTHER: OTHER_TOWN + other_office}), "phone-conflict")
    legal = 'places:\n  - place: 长沙市/芙蓉区\n    hotlines:\n      - {name: 城关镇人民政府, phone: "0731-84942571"}\n'
    assert not of(check({TOWN: BASE_TOWN + office, "legal.yaml": legal}), "phone-conflict")
    (hit,) = of(check({OTHER: OTHER_TOWN + other_office, "legal.yaml": legal}), "phone-conflict")
    assert hit.path == "notices/legal.yaml"


def test_services_named_for_same_named_towns_of_two_counties_are_two_offices(check):
    """Found by the scale-1 benchmark (142 warnings): two counties each with a 甘溪镇, each listing its own
    甘溪镇人民调解委员会. Within one county the same committee with two numbers is still a conflict, and a
    service named for a county (衡东县法律援助中心) is still compared across counties."""
    regions = BASE_REGIONS.replace(
        "          children: [燕山街社区]",
        "          children: [燕山街社区]\n        - name: 甘溪镇\n          children: [甘溪社区]",
    )
    committee = 'legal_services:\n  - {{kind: mediation, name: 甘溪镇人民调解委员会, phone: "{phone}"}}\n'
    other = OTHER_TOWN.replace("定王台街道", "甘溪镇").replace(
        "燕山街网格, village: 燕山街社区", "甘溪网格, village: 甘溪社区"
    )
    files = {
        "regions.yaml": regions,
        TOWN: BASE_TOWN + committee.format(phone="0734-5297228"),
        "contacts/furong/ganxi.yaml": other + committee.format(phone="0731-84942570"),
    }
    problems = check(files)
    assert not [p for p in problems if p.level == "error"], [p.format() for p in problems]
    assert not of(problems, "phone-conflict")
    files["contacts/furong/ganxi.yaml"] = other + AID.format(name="衡东县法律援助中心", phone="0731-84942570")
    files[TOWN] = BASE_TOWN + AID.format(name="衡东县法律援助中心", phone="0734-5233791")
    assert of(check(files), "phone-conflict")


def test_a_town_s_own_committee_is_compared_within_its_county(check):
    committee = 'legal_services:\n  - {{kind: mediation, name: 甘溪镇人民调解委员会, phone: "{phone}"}}\n'
    legal = 'places:\n  - place: 衡阳市/衡东县\n    hotlines:\n      - {name: 甘溪镇人民调解委员会, phone: "0734-5297229"}\n'
    (hit,) = of(
        check({TOWN: BASE_TOWN + committee.format(phone="0734-5297228"), "legal.yaml": legal}), "phone-conflict"
    )
    assert hit.path == "notices/legal.yaml"


def test_different_services_and_one_file_are_not_conflicts(check):
    services = (
        'legal_services:\n  - {kind: legal-aid, name: 衡东县法律援助中心, phone: "0734-5233791"}\n'
        '  - {kind: legal-aid, name: 衡东县法律援助中心, phone: "0734-5233792"}\n'
    )
    assert not of(check({TOWN: BASE_TOWN + services}), "phone-conflict")
    assert not of(
        check(
            {
                TOWN: BASE_TOWN + AID.format(name="衡东县法律援助中心", phone="0734-5233791"),
                OTHER: OTHER_TOWN + AID.format(name="芙蓉区法律援助中心", phone="0731-84942571"),
            }
        ),
        "phone-conflict",
    )
