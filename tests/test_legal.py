"""Legal information: guides checked like notices, linked from the notices and towns they concern,
with the hotlines and services of the resident's place. The sample site is built for real."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from generator.checking import guides, legal
from generator.checking.model import Deregistration, Document, LostDocumentNotice, Region, Source
from generator.checking.rules import BASE, BASE_TOWN, guide
from generator.checking.schema import DOCUMENT_TYPES
from tests.sitebuild import SAMPLE, body_text, build_site, is_redirect, page, sample_site


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return sample_site(tmp_path_factory, "legal")


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    return yaml.load(text.split("\n---", 1)[0], Loader=yaml.BaseLoader)


GUIDE_FILES = sorted((SAMPLE / "guides").glob("*.md"))


def guide_url(path: Path) -> str:
    return f"legal/guides/{path.stem.replace('_', '-')}/"


def legal_pages(site: Path) -> list[str]:
    return sorted(
        p.parent.relative_to(site).as_posix() + "/" for p in (site / "legal").rglob("index.html") if not is_redirect(p)
    )


# ------------------------------------------------------------------ the sample site


def test_there_are_sample_guides_in_every_category_they_need():
    assert len(GUIDE_FILES) >= 8
    categories = {front_matter(path)["category"] for path in GUIDE_FILES}
    assert {
        "证件与印章",
        "债权债务",
        "法律援助",
        "人民调解",
        "婚姻家庭",
        "赡养继承",
        "土地与宅基地",
        "劳动报酬",
    } <= categories


@pytest.mark.parametrize("path", GUIDE_FILES, ids=[p.stem for p in GUIDE_FILES])
def test_every_guide_page_lists_its_citations_review_and_help(site, path):
    meta = front_matter(path)
    soup = page(site, guide_url(path))
    assert soup.select_one("h1").get_text(strip=True) == meta["title"]
    cited = [li.get_text("", strip=True) for li in soup.select("#legal-basis li")]
    assert cited == [c["law"] + c["article"] for c in meta["legal_basis"]]
    review = soup.select_one(".pt-review").get_text(" ", strip=True)
    assert meta["reviewed_by"] in review
    assert "12348" in soup.select_one("#help").get_text()
    if meta.get("sample") == "true":
        assert "发布前须经县（市、区）司法局审核" in body_text(soup)


def test_every_lost_document_type_has_a_guide_of_its_own():
    checked_guides = _sample_guides()
    for kind in DOCUMENT_TYPES:
        notice = LostDocumentNotice(dt.date(2026, 1, 1), Source("x"), "n/", holder="某", document=Document(kind, "1"))
        found = guides.for_notice(checked_guides, notice)
        assert found, f"no guide for a lost {kind}"
        assert any(kind in g.documents for g in found), kind


def test_every_notice_links_to_a_guide_that_exists(site):
    for folder in ("lost", "deregistration"):
        for path in sorted((SAMPLE / folder).rglob("*.yaml")):
            url = f"notices/{folder}/{path.parent.name}/{path.stem}/"
            links = page(site, url).select("a.pt-guide-link")
            assert links, f"{url} links to no guide"
            for link in links:
                target = (site / url / link["href"]).resolve()
                assert (target / "index.html").is_file(), f"{url} links to a missing page {link['href']}"
                assert "/legal/guides/" in target.as_posix() + "/"


def test_a_lost_id_card_notice_says_what_the_notice_does_not_do(site):
    path = next(
        p
        for p in sorted((SAMPLE / "lost").rglob("*.yaml"))
        if "document: {type: 身份证" in p.read_text(encoding="utf-8") or "type: 身份证" in p.read_text(encoding="utf-8")
    )
    soup = page(site, f"notices/lost/{path.parent.name}/{path.stem}/")
    help_text = soup.select_one("#what-to-do").get_text()
    assert "不能注销证件" in help_text and "公安机关" in help_text
    assert soup.select_one("a.pt-guide-link").get_text(strip=True) == "身份证丢了怎么办"


def test_a_deregistration_says_how_to_claim_and_where_to_object(site):
    for path in sorted((SAMPLE / "deregistration").rglob("*.yaml")):
        code = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)["credit_code"]
        text = page(site, f"notices/deregistration/{path.parent.name}/{path.stem}/").select_one("#creditors").get_text()
        assert "书面" in text and "证明材料" in text and "截止日期" in text
        assert legal.registrar(code) in text


def test_12348_on_every_town_and_legal_page(site):
    urls = [f"towns/{p.parent.name}/{p.stem}/" for p in sorted((SAMPLE / "contacts").rglob("*.yaml"))]
    urls += legal_pages(site) + ["judges/"]
    urls += sorted(p.parent.relative_to(site).as_posix() + "/" for p in (site / "judges").rglob("index.html"))
    assert len(urls) > 20
    for url in urls:
        help_box = page(site, url).select_one("#help")
        assert help_box is not None and "12348" in help_box.get_text(), url
        assert help_box.select_one('a[href="tel:12348"]'), url


def test_a_county_overrides_and_adds_hotlines(site):
    hengdong = page(site, "towns/hengdong/ganxi/").select_one("#help").get_text()
    furong = page(site, "towns/furong/donghu/").select_one("#help").get_text()
    assert "衡东县公共法律服务中心" in hengdong and "衡东县公共法律服务中心" not in furong
    assert "12345" in furong


def test_a_village_adviser_and_mediation_committee_are_next_to_its_grids(site):
    soup = page(site, "towns/hengdong/ganxi/")
    village = next(s for s in soup.select("section.pt-village") if s.h2.get_text(strip=True) == "乌塘村")
    legal_box = village.select_one(".pt-village-legal").get_text(" ", strip=True)
    assert "欧阳慧敏" in legal_box and "湖南衡东致远律师事务所" in legal_box and "18100007321" in legal_box
    assert "乌塘村人民调解委员会" in legal_box
    assert village.select_one(".pt-village-legal").find_next_sibling("article", class_="pt-grid")
    other = next(s for s in soup.select("section.pt-village") if s.h2.get_text(strip=True) == "石湾村")
    assert "欧阳慧敏" not in other.get_text()


def test_town_page_links_the_guides_of_its_county_only(site):
    def guides_on(url):
        return {a.get_text(strip=True) for a in page(site, url).select(".pt-guides a")}

    assert "宅基地和承包地的常见问题" in guides_on("towns/hengdong/ganxi/")  # applies to 衡阳市 and 长沙市
    assert "想离婚，怎么办" in guides_on("towns/furong/donghu/")


def test_home_has_a_legal_services_tile(site):
    tiles = page(site, "").select("a.pt-tile")
    assert len(tiles) == 5
    legal_tile = next(t for t in tiles if "法律服务" in t.get_text())
    assert (site / legal_tile["href"] / "index.html").is_file()


def test_judges_are_found_city_county_town(site):
    soup = page(site, "judges/")
    county_links = soup.select("details.pt-tree a.pt-chip")
    assert len(county_links) == 4
    for link in county_links:
        county = page(site / "judges", link["href"])
        assert county.select("section.pt-card h2 a")  # towns, each linking to its page
    hengdong = page(site / "judges", next(a["href"] for a in county_links if "衡东县" in a.get_text()))
    text = body_text(hengdong)
    assert "陈美" in text and "衡东县人民法院甘溪人民法庭" in text and "0734-5297368" in text
    assert "周一至周五" in body_text(page(site, "towns/hengdong/ganxi/"))  # hours and addresses on the town page


def test_guide_lists_by_category(site):
    soup = page(site, "legal/")
    for path in GUIDE_FILES:
        meta = front_matter(path)
        category_page = page(site, guides.category_url(meta["category"]))
        assert meta["title"] in [a.get_text(strip=True) for a in category_page.select(".pt-list a")]
        assert meta["title"] in soup.get_text()


def test_guides_are_search_documents(site):
    """Pagefind reads the guide pages (data-pagefind-body) and the 法律服务 page's hotlines; town and
    guide pages keep the hotlines out of the index, so 12348 finds the 法律服务 page."""
    guide = page(site, "legal/guides/lihun/")
    assert guide.select_one("[data-pagefind-body]").select_one("h1")
    assert guide.select_one("#help").has_attr("data-pagefind-ignore")
    assert not page(site, "legal/").select_one("#help").has_attr("data-pagefind-ignore")
    assert page(site, "towns/hengdong/ganxi/").select_one("#help").has_attr("data-pagefind-ignore")


# ------------------------------------------------------------------ the checker


def _sample_guides():
    from generator.publishing.build import Options, run_check

    checked = run_check(Options(notices=SAMPLE, today=dt.date(2026, 11, 23), cache=False))
    assert not checked.problems, [p.format() for p in checked.problems]
    return checked.portal.guides


def test_sample_data_has_no_problems():
    assert len(_sample_guides()) == len(GUIDE_FILES)


def test_front_matter_problems_point_at_the_file_line_and_column(check_files):
    text = guide()["guides/shenfenzheng.md"].replace("category: 证件与印章", "category: 证件")
    checked = check_files({**BASE, "guides/shenfenzheng.md": text})
    [problem] = checked.problems
    assert problem.format().startswith("notices/guides/shenfenzheng.md:3:11: error: category: ")
    assert problem.rule == "field-choice" and "证件与印章" in problem.message


def test_front_matter_scalars_stay_strings(check_files):
    text = guide()["guides/shenfenzheng.md"].replace("title: 身份证丢了怎么办", "title: 0734")
    checked = check_files({**BASE, "guides/shenfenzheng.md": text})
    assert checked.problems == []
    assert checked.portal.guides[0].title == "0734"


def test_every_problem_is_collected(check_files):
    text = guide(article="11", reviewed_on="2020-01-02", body="<b>注意</b> [点我](javascript:alert(1))")[
        "guides/shenfenzheng.md"
    ]
    checked = check_files({**BASE, "guides/shenfenzheng.md": text.replace("category: 证件与印章\n", "")})
    rules = sorted(p.rule for p in checked.problems)
    assert rules == [
        "field-required",
        "guide-citation",
        "guide-markup",
        "guide-markup",
        "guide-markup",
        "guide-review-age",
    ]
    markup = [p for p in checked.problems if p.rule == "guide-markup"]
    assert {(p.line, p.column) for p in markup} == {(9, 1), (9, 6), (9, 14)}


def test_review_age_is_configurable(check_files):
    old = guide(reviewed_on="2025-10-01")
    assert check_files({**BASE, **old}).problems == []
    checked = check_files({**BASE, **old, "legal.yaml": "review_months: 12\n"})
    assert [p.rule for p in checked.problems] == ["guide-review-age"]
    assert checked.problems[0].level == "warning"


def test_applies_to_must_be_a_city_or_county(check_files):
    text = guide()["guides/shenfenzheng.md"].replace(
        "reviewed_by:", "applies_to: [衡阳市/衡东县/甘溪镇, 衡阳市/衡冬县]\nreviewed_by:"
    )
    checked = check_files({**BASE, "guides/shenfenzheng.md": text})
    assert [(p.rule, p.line) for p in checked.problems] == [("region-unknown", 7), ("region-unknown", 7)]


def test_hotline_places_must_exist(check_files):
    config = 'places:\n  - place: 衡阳市/衡冬县\n    hotlines: [{name: 政务服务便民热线, phone: "0734-8212345"}]\n'
    checked = check_files({**BASE, "legal.yaml": config})
    assert [(p.rule, p.line, p.column) for p in checked.problems] == [("region-unknown", 2, 12)]


def test_hotlines_of_a_place_replace_by_name_and_add(check_files):
    config = (
        'places:\n  - place: 衡阳市/衡东县\n    hotlines:\n      - {name: 政务服务便民热线, phone: "0734-8212345"}\n'
        '      - {name: 县法律援助中心, phone: "0734-5233791"}\n'
    )
    portal = check_files({**BASE, "legal.yaml": config}).portal
    here = legal.hotlines_for(portal.hotlines, portal.place_hotlines, "衡阳市/衡东县/甘溪镇")
    elsewhere = legal.hotlines_for(portal.hotlines, portal.place_hotlines, "长沙市/芙蓉区")
    assert [h.phone.text for h in here] == ["12348", "12368", "0734-8212345", "110", "0734-5233791"]
    assert [h.phone.text for h in elsewhere] == ["12348", "12368", "12345", "110"]


def test_adviser_village_must_be_in_the_town(check_files):
    town = (
        BASE_TOWN
        + 'legal_services:\n  - {kind: adviser, name: 向某, village: 新塘, firm: 某律师事务所, phone: "18100006059"}\n'
    )
    checked = check_files({**BASE, "contacts/hengdong/ganxi.yaml": town})
    assert [(p.rule, p.field) for p in checked.problems] == [("village-unknown", "legal_services[0].village")]


def test_raw_html_and_unsafe_links_never_reach_the_page():
    html = guides.to_html(
        "<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n"
        "![地图](https://example.com/a.png) [12348](tel:12348)"
    )
    assert "<script" not in html and "<img" not in html and "javascript:" not in html
    assert "&lt;script&gt;" in html
    assert 'href="tel:12348"' in html


def test_guides_for_a_deregistration_and_unknown_places():
    sample = _sample_guides()
    dereg = Deregistration(dt.date(2026, 1, 1), Source("x"), "d/", organization="某", credit_code="9")
    assert [g.title for g in guides.for_notice(sample, dereg)] == ["公司、协会注销了，欠我的钱怎么申报"]
    land = next(g for g in sample if g.category == "土地与宅基地")
    assert land.applies("衡阳市/衡东县/甘溪镇") and not land.applies("岳阳市/平江县")


def test_a_broken_guide_stops_the_build(tmp_path, write_notices):
    notices = write_notices({**BASE, **guide(body="<iframe src=x>")})
    with pytest.raises(AssertionError, match="guide-markup"):
        build_site(notices, tmp_path / "site")
    assert not (tmp_path / "site").exists()


# ------------------------------------------------------------------ page size at province scale


PAGE_LIMIT = 100_000  # bytes of HTML of a judges or services page at province scale


def test_judges_and_services_pages_stay_small_at_province_scale(tmp_path):
    """No judges or county services page over PAGE_LIMIT at province scale (bench/province.py --scale 1).

    A county's page holds one card per town, so its size is the frame plus its towns' cards: the cards
    are measured on a generated province at scale 0.1 (14 counties, 190 towns: the same per-town
    structure, services and villages as at scale 1), and the bound is the frame plus the largest card
    times the most towns a county has at scale 1 (24: bench/province.py's county split, computed
    without writing the data). The judges page grows with counties only: it is rendered with 122."""
    import subprocess
    import sys

    from bs4 import BeautifulSoup

    from generator.publishing.build import Options, run_check
    from generator.site.render import renderer
    from tests.sitebuild import ROOT

    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import province
    finally:
        sys.path.remove(str(ROOT / "bench"))
    full = province.Province(1.0, 1, dt.date(2026, 11, 23))
    full.build_regions()
    most_towns = max(len(county["towns"]) for county in full.counties)
    assert most_towns >= 20

    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "province.py"),
            "--scale",
            "0.1",
            "--seed",
            "1",
            "--today",
            "2026-11-23",
            "--out",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
    )
    checked = run_check(Options(notices=tmp_path / "notices", today=dt.date(2026, 11, 23), cache=False))
    assert not [p for p in checked.problems if p.level == "error"], checked.problems[:3]
    assert checked.portal.guides and any(s.kind == "adviser" for t in checked.portal.towns for s in t.legal_services)
    pages = renderer(checked.portal)
    frame = 16_000  # the theme's frame around a body (header, menu, scripts): 15.3 KB on the sample site
    cards, rest = [], []  # each town's card; each page without its cards and chips (heading, hotlines)
    for job in pages.jobs():
        if job.method == "county_services":
            soup = BeautifulSoup(pages.render_job(job).body, "html.parser")
            mine = [len(str(card).encode()) for card in soup.select("section.pt-card:not(.pt-help)")]
            chips = [len(str(chip).encode()) for chip in soup.select(".pt-jump li")]
            cards += [card + chip for card, chip in zip(mine, chips)]
            rest.append(len(str(soup).encode()) - sum(mine) - sum(chips))
    assert len(rest) == 14 and len(cards) == len(checked.portal.towns)
    bound = frame + max(rest) + most_towns * max(cards)
    assert bound <= PAGE_LIMIT, f"a county page with {most_towns} towns could reach {bound:,} bytes"
    counties = [Region(f"县{n}", f"市/县{n}") for n in range(122)]
    tree = [(Region("市", "市", children=counties), [(c, checked.portal.towns[:16]) for c in counties])]
    judges = pages.page(
        "judges/", "驻镇法官与法律服务", ["judges.html"], tree=tree, county_url=lambda county: "judges/x/y/"
    )
    assert frame + len(judges.body.encode()) <= PAGE_LIMIT
    print(
        f"\ncounty page bound at scale 1: {bound:,} bytes ({most_towns} towns, largest card {max(cards):,}); "
        f"judges page with 122 counties: {frame + len(judges.body.encode()):,} bytes"
    )


def test_the_pre_commit_check_reports_a_staged_guide(write_notices, monkeypatch, capsys):
    """`portal check FILE…` (what pre-commit runs) reports the problems of a staged guide, not only of YAML files."""
    from generator.cli import main

    notices = write_notices({**BASE, **guide(article="11")})
    monkeypatch.chdir(notices.parent)
    assert main(["check", "--strict", "--no-cache", "--today", "2026-11-23", "notices/guides/shenfenzheng.md"]) == 1
    assert "notices/guides/shenfenzheng.md:6:37: error: legal_basis[0].article" in capsys.readouterr().err
    assert (
        main(["check", "--strict", "--no-cache", "--today", "2026-11-23", "notices/contacts/hengdong/ganxi.yaml"]) == 0
    )
