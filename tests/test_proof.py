"""Provable notices: the content fingerprint, `portal verify`, and the printable 刊登证明 (issue 11, item 2).

The sample data is built once with a site address; every notice is verified against its data, on disk and
over HTTP; pages are tampered with field by field; the proof page is opened in Chromium, its QR code read and
its PDF counted.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator import cli
from generator.checking import fingerprint
from generator.checking.rules import BASE
from generator.publishing import scan, verify
from generator.publishing.build import Options, build, check
from generator.site.render import Proof, renderer
from tests.browser import PHONE, browse, require_chromium, serve
from tests.qrdecode import decode_qr
from tests.sitebuild import ROOT, SAMPLE, TODAY, build_site

SITE_URL = "https://gonggao.example.gov.cn/portal/"
NOTICE_FILES = sorted([*SAMPLE.glob("lost/*/*.yaml"), *SAMPLE.glob("deregistration/*/*.yaml")])


@pytest.fixture(scope="module")
def checked():
    result = check(Options(notices=SAMPLE, today=TODAY, cache=False))
    assert not any(p.level == "error" for p in result.problems)
    return result


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    site_dir = tmp_path_factory.mktemp("proof") / "site"
    result = build(Options(notices=SAMPLE, site_dir=site_dir, today=TODAY, site_url=SITE_URL))
    assert not result.failed, "\n".join(p.format() for p in result.problems)
    return site_dir


def run_verify(target: str) -> tuple[int, str]:
    code, lines = verify.verify(verify.VerifyOptions(target, today=TODAY))
    return code, "\n".join(lines)


def page_of(site: Path, notice) -> Path:
    return site / notice.url / "index.html"


def notices_of(checked):
    return {notice.source.path: notice for notice in checked.portal.notices}


# ------------------------------------------------------------------ the canonical form


def test_canonical_form_is_sorted_compact_json_with_a_version_prefix(checked):
    notice = checked.portal.deregistrations[0]
    data = fingerprint.record(notice)
    raw = fingerprint.canonical(data)
    assert raw.startswith(b"v1:{") and b", " not in raw and b": " not in raw
    keys = list(__import__("json").loads(raw[3:].decode()).keys())
    assert keys == sorted(keys)
    assert fingerprint.fingerprint(notice) == hashlib.sha256(raw).hexdigest()


def test_a_masked_number_is_fingerprinted_as_published_never_whole(checked):
    masked = [
        n
        for n in checked.portal.lost
        if n.document.number and fingerprint.record(n)["document.number"] != n.document.number
    ]
    assert masked, "the sample has ID numbers"
    for notice in masked:
        raw = fingerprint.canonical(fingerprint.record(notice)).decode()
        assert notice.document.number not in raw and "*" in raw


def test_text_is_nfc_and_whitespace_is_not_significant():
    assert fingerprint.value("  罗某某\n\t有限  公司 ") == "罗某某 有限 公司"
    assert fingerprint.value("e\u0301") == "\u00e9"
    assert fingerprint.value(True) == "true" and fingerprint.value(dt.date(2022, 6, 1)) == "2022-06-01"


def test_the_worked_example_in_the_developer_page_is_right(checked):
    """dev/proof.md shows the bytes of a sample notice and their SHA-256: both must be what the code computes."""
    text = (ROOT / "dev" / "proof.md").read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith("v1:{"))
    digest = re.search(r"\b([0-9a-f]{64})\b", text[text.index(line) :]).group(1)
    assert hashlib.sha256(line.encode("utf-8")).hexdigest() == digest
    assert digest in {fingerprint.fingerprint(notice) for notice in checked.portal.notices}


# ------------------------------------------------------------------ the notice page


def test_every_notice_page_shows_its_fingerprint_and_links_its_proof(site, checked):
    for notice in checked.portal.notices:
        soup = BeautifulSoup(page_of(site, notice).read_text(encoding="utf-8"), "html.parser")
        line = soup.select_one("p.pt-fingerprint")
        assert "内容指纹 SHA-256" in line.get_text()
        assert line.select_one("code[data-fingerprint]").get_text() == fingerprint.fingerprint(notice)
        assert line.find("a", href="proof/") is not None
        assert (site / notice.proof_url / "index.html").is_file()


# ------------------------------------------------------------------ portal verify: matches


def test_verify_recomputes_every_sample_notice_from_its_data(site):
    for file in NOTICE_FILES:
        code, out = run_cli("verify", str(file), "--site-dir", str(site), "--today", TODAY.isoformat())
        assert code == 0, out
        assert "核对通过" in out


def test_verify_every_sample_notice_over_http(site, checked):
    with serve(site) as base:
        for file in NOTICE_FILES:
            code, out = run_cli("verify", str(file), "--site-url", base, "--today", TODAY.isoformat())
            assert code == 0, out
        notice_page = base + next(n for n in checked.portal.lost if n.year == 2023).url
        code, out = run_cli("verify", notice_page, "--notices", str(SAMPLE), "--today", TODAY.isoformat())
        assert code == 0 and "页面与数据一致" in out, out  # the data file found from the page's address
        code, out = run_cli("verify", base + "notices/lost/2023/no-such-notice/")
        assert code == 1 and "网页不存在" in out


def test_verify_a_page_alone(site, checked):
    for notice in checked.portal.notices:
        code, out = run_verify(str(site / notice.url))
        assert code == 0, out


# ------------------------------------------------------------------ portal verify: tampering


OTHER_VALUE = {
    "status": {"active": "withdrawn", "withdrawn": "active"},
    "reissued": {"true": "false", "false": "true"},
    "kind": {"lost-document": "deregistration", "deregistration": "lost-document"},
}


def tampered_pages(html: str):
    """(what, tampered html) for every field the page shows: one place edited; every place edited
    consistently (value and words); and the phone link and the fingerprint shown."""
    soup = BeautifulSoup(html, "html.parser")
    names = sorted({element["data-field"] for element in soup.select("[data-field]")})
    for name in names:
        one = copy.copy(soup)
        element = one.select_one(f'[data-field="{name}"]')
        element.string = element.get_text() + "改"
        yield f"{name}: one place", str(one)
        every = copy.copy(soup)
        for element in every.select(f'[data-field="{name}"]'):
            value = element.get("datetime") or element.get("data-value") or element.get_text()
            if element.has_attr("datetime"):
                new = (dt.date.fromisoformat(value) + dt.timedelta(days=1)).isoformat()
                element["datetime"] = new
            elif element.has_attr("data-value"):
                new = OTHER_VALUE.get(name, {}).get(value, value + "/某村")
                element["data-value"] = new
            else:
                new = value + "1" if value.isdigit() else value + "改"
            element.string = fingerprint.display(name, new)
        yield f"{name}: every place", str(every)
    for link in soup.select('a[href^="tel:"]'):
        link["href"] = "tel:13900000000"
        yield "phone link", str(soup)
    code = soup.select_one("code[data-fingerprint]")
    code.string = "0" * 64
    yield "fingerprint shown", str(soup)


@pytest.mark.parametrize("kind", ["lost-document", "deregistration"])
def test_editing_any_published_field_of_a_page_fails_verify(site, checked, tmp_path, kind):
    candidates = [n for n in checked.portal.notices if n.kind == kind]
    notice = max(candidates, key=lambda n: len(fingerprint.record(n)))  # the one with the most fields
    original = page_of(site, notice).read_text(encoding="utf-8")
    target = tmp_path / "index.html"
    target.write_text(str(BeautifulSoup(original, "html.parser")), encoding="utf-8")
    assert run_verify(str(target))[0] == 0  # re-serialising alone changes nothing
    seen = set()
    for what, html in tampered_pages(original):
        target.write_text(html, encoding="utf-8")
        code, out = run_verify(str(target))
        assert code == 1, f"{what} not detected:\n{out}"
        assert "核对未通过" in out
        seen.add(what.split(":")[0])
    calls = {"phone link"} if kind == "deregistration" else set()
    assert seen >= set(fingerprint.record(notice)) | {"title", "fingerprint shown"} | calls


def test_a_tampered_data_file_is_detected(site, checked, tmp_path):
    notices = tmp_path / "notices"
    shutil.copytree(SAMPLE, notices)
    lost = checked.portal.lost[0]
    file = notices / lost.data_file.removeprefix("notices/")
    file.write_text(file.read_text(encoding="utf-8").replace(lost.holder, lost.holder + "乙"), encoding="utf-8")
    code, out = run_cli("verify", str(file), "--site-dir", str(site), "--today", TODAY.isoformat())
    assert code == 1 and "holder" in out and "核对未通过" in out, out
    dereg = checked.portal.deregistrations[0]
    file = notices / dereg.data_file.removeprefix("notices/")
    text = file.read_text(encoding="utf-8")
    text = (
        re.sub(r"(?m)^claim_days:.*$", "claim_days: 60", text) if "claim_days:" in text else text + "\nclaim_days: 60\n"
    )
    file.write_text(text, encoding="utf-8")
    code, out = run_cli("verify", str(file), "--site-dir", str(site), "--today", TODAY.isoformat())
    assert code == 1 and "claim_days" in out, out
    # the page against the tampered data, given with --data
    code, out = run_cli("verify", str(site / dereg.url), "--data", str(file), "--today", TODAY.isoformat())
    assert code == 1 and "claim_days" in out, out


# ------------------------------------------------------------------ portal verify: bad input


def run_cli(*argv: str) -> tuple[int, str]:
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(argv))
    return code, out.getvalue() + err.getvalue()


def test_bad_input_is_a_message_and_exit_2(site, tmp_path):
    (tmp_path / "lost" / "2022").mkdir(parents=True)
    broken = tmp_path / "lost" / "2022" / "x.yaml"
    broken.write_text("kind: lost-document\npublished: [\n", encoding="utf-8")
    not_a_page = tmp_path / "page.html"
    not_a_page.write_text("<html><body><p>你好</p>", encoding="utf-8")
    binary = tmp_path / "binary.html"
    binary.write_bytes(b"\xff\xfe\x00<" * 1000)
    cases = [
        [str(broken)],
        [str(tmp_path / "missing.yaml")],
        [str(tmp_path / "elsewhere.yaml")],
        [str(not_a_page)],
        [str(binary)],
        ["http://127.0.0.1:9/x/"],
        [],
        ["--bogus"],
    ]
    (tmp_path / "elsewhere.yaml").write_text("kind: lost-document\n", encoding="utf-8")
    for argv in cases:
        code, out = run_cli("verify", *argv)
        assert code == 2, (argv, out)
        assert "Traceback" not in out and "内部错误" not in out, out
    code, out = run_cli("verify", str(site / "notices" / "lost" / "2022" / "nothing-here"))
    assert code == 1 and "找不到页面" in out


# ------------------------------------------------------------------ the 刊登证明 page


def test_proof_shows_reference_publisher_and_authority(checked):
    """The proof names the notice as the provenance fields do (notice.reference, notice.publisher, for a
    deregistration notice.authority); without them, no empty rows."""
    pages = renderer(checked.portal)
    notice = next(n for n in checked.portal.deregistrations if n.publisher and n.authority)
    soup = BeautifulSoup(pages.proof(Proof(notice)).body, "html.parser")
    assert "没有配置网站网址" in soup.get_text() and soup.select_one("svg") is None  # no site address: no QR code
    facts = {dt_.get_text(): dt_.find_next_sibling("dd").get_text() for dt_ in soup.select("dl.pt-proof__facts dt")}
    assert facts["公告编号"] == notice.reference
    assert notice.publisher.name in facts["发布单位"] and notice.authority.name in facts["登记机关"]
    if notice.publisher.phone:
        assert notice.publisher.phone.text in facts["发布单位"]
    assert facts["内容指纹 SHA-256"] == fingerprint.fingerprint(notice)
    bare = copy.copy(notice)
    bare.publisher = bare.authority = None
    soup = BeautifulSoup(pages.proof(Proof(bare)).body, "html.parser")
    terms = [dt_.get_text() for dt_ in soup.select("dl.pt-proof__facts dt")]
    assert "发布单位" not in terms and "登记机关" not in terms and "公告编号" in terms


def test_provenance_is_in_the_fingerprint_and_marked_on_the_page(site, checked):
    """The reference, the offices, the objection, the newspapers and the corrections are fields of the record,
    each shown on the page under its own mark."""
    names = {name for notice in checked.portal.notices for name in fingerprint.record(notice)}
    for name in (
        "reference",
        "publisher.name",
        "authority.name",
        "objection.closes_on",
        "newspapers.1.name",
        "newspapers.1.date",
        "corrections.1.date",
        "corrections.1.change",
    ):
        assert name in names, f"no sample notice has {name}"
    for notice in checked.portal.notices:
        soup = BeautifulSoup(page_of(site, notice).read_text(encoding="utf-8"), "html.parser")
        marked = {element["data-field"] for element in soup.select("[data-field]")}
        assert set(fingerprint.record(notice)) <= marked, notice.source.path
        assert soup.select_one(".pt-reference [data-field=reference]").get_text() == notice.reference


def test_status_words_are_the_state_words_and_do_not_change_the_fingerprint(checked):
    """The badge's word is the day's (公告期内, then 公告期满); the record holds the data's status, so the
    fingerprint is the same on the day of the deadline and after it, and verify accepts either word."""
    from generator.checking.model import STATE_WORDS

    assert {w for words in fingerprint.STATUS_LABELS.values() for ws in words.values() for w in ws} == set(
        STATE_WORDS.values()
    )
    notice = next(n for n in checked.portal.deregistrations if not n.withdrawn)
    prints = set()
    for day in (notice.claim_deadline, notice.claim_deadline + dt.timedelta(days=1)):
        portal = copy.copy(checked.portal)
        portal.today = day
        body = renderer(portal).notice(notice).body
        word = STATE_WORDS["open" if day == notice.claim_deadline else "closed"]
        assert BeautifulSoup(body, "html.parser").select_one("[data-field=status]").get_text() == word
        page = verify.check_page(body)
        assert not page.problems and page.computed == page.shown
        prints.add(page.shown)
    assert prints == {fingerprint.fingerprint(notice)}


def test_verify_finds_a_homophone_notice_at_its_real_address(tmp_path, write_notices, monkeypatch):
    """Two notices whose file names read alike: the later one's page has a suffix (slugs.distinct). verify
    FILE reads that page, and verify URL finds that file, both by the build's own addresses."""
    body = "kind: lost-document\npublished: {}\nholder: {}\ndocument: {{type: 公章}}\n"
    notices = write_notices(
        {
            **BASE,
            "lost/2022/高源镇公章.yaml": body.format("2022-01-02", "甲"),
            "lost/2022/高园镇公章.yaml": body.format("2022-03-04", "乙"),
        }
    )
    build_site(notices, tmp_path / "site")
    later = next((tmp_path / "site" / "notices" / "lost" / "2022").glob("gao-yuan-zhen-gong-zhang-*"))
    code, out = run_cli(
        "verify",
        str(notices / "lost" / "2022" / "高园镇公章.yaml"),
        "--site-dir",
        str(tmp_path / "site"),
        "--today",
        TODAY.isoformat(),
    )
    assert code == 0 and later.name in out, out
    for page, holder in ((later, "乙"), (later.parent / "gao-yuan-zhen-gong-zhang", "甲")):
        code, out = run_cli("verify", str(page), "--notices", str(notices), "--today", TODAY.isoformat())
        assert code == 0 and "页面与数据一致" in out, out
        assert ("高园镇公章" if holder == "乙" else "高源镇公章") in out


def test_proof_pages_are_not_searched(site, checked):
    for notice in checked.portal.notices:
        assert "data-pagefind-body" not in (site / notice.proof_url / "index.html").read_text(encoding="utf-8")
    for file in (site / "pagefind").rglob("*"):
        if file.suffix in scan.PAGEFIND_SUFFIXES:
            text = scan.data_text(file.name, file.read_bytes())
            assert "Proof of publication" not in text and "公告原文" not in text and "/proof/" not in text, file


def test_the_output_scan_counts_proof_pages(site, checked):
    expected = scan.expected_pages(checked.portal, checked.data_files)
    assert len(expected.pages["刊登证明"]) == len(checked.portal.notices)
    shutil.rmtree(site.parent / "copy", ignore_errors=True)
    broken = site.parent / "copy"
    shutil.copytree(site, broken)
    notice = checked.portal.lost[0]
    shutil.rmtree(broken / notice.proof_url)
    findings = scan.scan(broken, expected, scan.default_trusted())
    assert any("刊登证明没有生成页面" in finding.what for finding in findings)
    shutil.rmtree(broken)


require_chromium("the proof page's QR code and print tests")


def test_proof_qr_code_reads_as_the_notice_live_address(site, checked):
    with browse(site, PHONE) as browser:
        for notice in (checked.portal.lost[0], checked.portal.deregistrations[0]):
            page = browser.open(notice.proof_url)
            assert decode_qr(page) == [SITE_URL + notice.url]
            assert SITE_URL + notice.url in page.inner_text(".pt-proof__facts")
        browser.assert_clean()


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def test_every_proof_prints_on_exactly_one_a4_page(site, checked):
    with browse(site, PHONE) as browser:
        page = browser.new_page()
        for notice in checked.portal.notices:
            page.goto(browser.base_url + notice.proof_url)
            assert pdf_pages(page.pdf(format="A4")) == 1, notice.proof_url
        page.goto(browser.base_url + "notices/lost/")  # the counting itself: a long list takes several sheets
        assert pdf_pages(page.pdf(format="A4")) > 1


def test_fingerprint_fits_a_phone(site, checked):
    with browse(site, PHONE) as browser:
        for notice in (checked.portal.lost[0], checked.portal.deregistrations[0]):
            page = browser.open(notice.url)
            box = page.locator("code[data-fingerprint]").bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            assert (
                "mono"
                in page.evaluate(
                    "getComputedStyle(document.querySelector('code[data-fingerprint]')).fontFamily"
                ).lower()
            )
            assert page.locator("code[data-fingerprint]").inner_text().replace("\n", "") == fingerprint.fingerprint(
                notice
            )


def test_a_proof_rendered_for_print(site, checked):
    """The README's picture of a 刊登证明 (test-artifacts/proof-print.png; copied to docs/images/): the proof as
    it prints, on a page as wide as A4 at 96 dpi."""
    from tests.browser import ARTIFACTS

    with browse(site, {"width": 794, "height": 1123}) as browser:
        page = browser.open(checked.portal.deregistrations[0].proof_url)
        page.emulate_media(media="print")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "proof-print.png"), full_page=True)
        assert (ARTIFACTS / "proof-print.png").stat().st_size > 10_000
        browser.assert_clean()
