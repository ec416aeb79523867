"""notices/site.yaml (generator/checking/identity.py): checked like every data file, with the line of each problem;
a real site's missing fields fail `portal check --strict`; the sample passes it."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import TODAY, write_tree

from generator.checking.model import POLICE_LINK
from generator.checking.rules import BASE, GOOD_ID, SITE_IDENTITY
from generator.cli import main
from generator.publishing.build import Options, run_check
from tests.sitebuild import SAMPLE


def check(tmp_path: Path, site: str):
    notices = write_tree(tmp_path / "notices", {**BASE, "site.yaml": site})
    return run_check(Options(notices=notices, today=TODAY, cache=False))


def problems(tmp_path: Path, site: str) -> list[tuple[int, str, str, str]]:
    return [(p.line, p.field, p.rule, p.level) for p in check(tmp_path, site).problems]


def test_a_complete_identity_has_no_problem_and_fills_the_model(tmp_path):
    checked = check(tmp_path, SITE_IDENTITY)
    assert checked.problems == []
    identity = checked.portal.identity
    assert (identity.organizer, identity.icp, identity.site_code) == (
        "中共某某县委政法委员会",
        "湘ICP备12345678号-1",
        "4304240001",
    )
    assert identity.contact.phone.href == "tel:07345261234"
    assert checked.portal.site_url == "https://gonggao.example.gov.cn/" and identity.stale_months == 12
    assert identity.police_link == POLICE_LINK.format(code="43042402000123")
    assert not identity.sample


def test_a_missing_required_field_is_a_warning_at_the_file_top_and_fails_strict(tmp_path, capsys):
    site = SITE_IDENTITY.replace("icp: 湘ICP备12345678号-1\n", "")
    assert problems(tmp_path, site) == [(1, "icp", "site-identity-required", "warning")]
    notices = str(tmp_path / "notices")
    assert main(["check", "--notices", notices, "--no-cache", "--today", TODAY.isoformat()]) == 0
    assert main(["check", "--strict", "--notices", notices, "--no-cache", "--today", TODAY.isoformat()]) == 1
    err = capsys.readouterr().err
    assert f"{notices}/site.yaml:1:1: warning: icp: 正式网站要写“ICP备案号”" in err, err


def test_an_empty_required_field_is_reported_at_its_own_line(tmp_path):
    site = SITE_IDENTITY.replace('site_code: "4304240001"', "site_code:")
    line = site.splitlines().index("site_code:") + 1
    assert problems(tmp_path, site) == [(line, "site_code", "site-identity-required", "warning")]


def test_a_missing_contact_phone_is_reported_at_the_contact(tmp_path):
    site = SITE_IDENTITY.replace('contact: {phone: "0734-5261234"}', "contact: {address: 某某路1号}")
    line = next(i for i, text in enumerate(site.splitlines(), 1) if text.startswith("contact:"))
    assert problems(tmp_path, site) == [(line, "contact.phone", "site-identity-required", "warning")]


def test_the_sample_needs_none_of_them_and_the_repository_sample_passes_strict():
    checked = run_check(Options(notices=SAMPLE, today=TODAY, cache=False))
    assert checked.problems == [] and checked.portal.identity.sample
    assert checked.portal.identity.name == "湖南基层公告与法律服务" and checked.portal.site_url is None


@pytest.mark.parametrize(
    "field, written",
    [
        ("icp", "湘ICP12345678号"),
        ("icp", "湘ICP备12345678"),
        ("icp", "XICP备12345678号"),
        ("police", "湘公网安备4304240200012号"),
        ("police", "湘公网安备44042402000123号"),  # 13 digits; Guangdong's code
        ("site_code", "430424001"),
        ("site_code", "43042400011"),
        ("url", "http://gonggao.example.gov.cn/"),
        ("url", "https://gonggao.example.gov.cn/?a=1"),
    ],
)
def test_a_malformed_record_number_code_or_address_is_an_error_at_its_line(tmp_path, field, written):
    lines = SITE_IDENTITY.splitlines()
    line = next(i for i, text in enumerate(lines, 1) if text.startswith(field + ":"))
    lines[line - 1] = f'{field}: "{written}"'
    assert problems(tmp_path, "\n".join(lines) + "\n") == [(line, field, "site-identity-format", "error")]


@pytest.mark.parametrize("written", ["湘ICP备12345678号", "湘ICP备2021012345号-12", "京ICP备05012345号"])
def test_record_numbers_as_issued_pass(tmp_path, written):
    assert problems(tmp_path, SITE_IDENTITY.replace("湘ICP备12345678号-1", written)) == []


def test_an_unquoted_site_code_is_text_to_the_checker(tmp_path):
    assert problems(tmp_path, SITE_IDENTITY.replace('"4304240001"', "4304240001")) == []


def test_an_id_number_in_the_identity_file_is_refused_like_anywhere(tmp_path):
    site = SITE_IDENTITY.replace("中共某某县委政法委员会", f"中共某某县委政法委员会{GOOD_ID}")
    assert (2, "organizer", "id-number-not-allowed", "error") in problems(tmp_path, site)


def test_a_new_county_gets_a_site_file_to_fill_in(tmp_path):
    folder = tmp_path / "county"
    assert main(["init", str(folder), "--name", "某某县"]) == 0
    text = (folder / "notices" / "site.yaml").read_text(encoding="utf-8")
    assert "name: 某某县基层公告与法律服务" in text and "sample: true" in text and "# icp:" in text
    checked = run_check(Options(notices=folder / "notices", today=TODAY, cache=False))
    assert [p for p in checked.problems if p.path.endswith("site.yaml")] == []
    filled = text.replace("sample: true\n", "")
    (folder / "notices" / "site.yaml").write_text(filled, encoding="utf-8")
    checked = run_check(Options(notices=folder / "notices", today=TODAY, cache=False))
    missing = {p.field for p in checked.problems if p.rule == "site-identity-required"}
    assert missing == {"organizer", "contact.phone", "icp", "police", "site_code", "url"}
