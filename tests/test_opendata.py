"""Feeds, open data (data/), the sitemap and robots.txt, and the site identity on pages (generator/site/opendata.py,
generator/checking/identity.py): a configured (not sample) copy of the sample data, built for real and read back
with feedparser, the csv module and BeautifulSoup."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest

from generator.checking import identifiers
from generator.checking.model import SAMPLE_WORDING
from generator.checking.rules import GOOD_ID
from generator.publishing import scan
from generator.publishing.build import Options, build, run_check
from generator.site import opendata
from generator.site.render import Page
from generator.site.shell import TITLE_MARK, URL_MARK, Frame
from tests.sitebuild import SAMPLE, TODAY, build_site, html_pages, page
from tests.test_incremental import assert_equals_full_build, edit_town, run

SITE_URL = "https://gonggao.example.gov.cn/"
IDENTITY = f"""name: 衡东县基层公告与法律服务
description: 衡东县网格员联系方式、驻镇法官、遗失声明与注销公告查询
organizer: 中共衡东县委政法委员会
operator: 衡东县司法局
contact: {{phone: "0734-5261234", email: gonggao@example.gov.cn, address: 衡东县城关镇某某路1号}}
icp: 湘ICP备12345678号-1
police: 湘公网安备43042402000123号
site_code: "4304240001"
url: {SITE_URL}
"""
#: A 驾驶证 whose number is an ID number (masked on the page and in data/), and a holder Excel would run as a formula.
DRIVING_LICENCE = f"""kind: lost-document
published: 2026-11-20
holder: "=HYPERLINK(\\"https://example.com\\",\\"点我\\")"
region: 衡阳市/衡东县/甘溪镇
document: {{type: 驾驶证, number: "{GOOD_ID}"}}
"""
LICENCE_URL = "notices/lost/2026/jiashizheng/"


def configured(folder: Path) -> Path:
    notices = folder / "notices"
    shutil.copytree(SAMPLE, notices)
    (notices / "site.yaml").write_text(IDENTITY, encoding="utf-8")
    (notices / "lost" / "2026").mkdir(exist_ok=True)
    (notices / "lost" / "2026" / "jiashizheng.yaml").write_text(DRIVING_LICENCE, encoding="utf-8")
    return notices


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return configured(tmp_path_factory.mktemp("configured"))


@pytest.fixture(scope="module")
def site(data) -> Path:
    site_dir = data.parent / "site"
    build_site(data, site_dir)
    return site_dir


@pytest.fixture(scope="module")
def portal(data):
    checked = run_check(Options(notices=data, today=TODAY, cache=False))
    assert not [p for p in checked.problems if p.level == "error"]
    return checked.portal


def absolute(url: str) -> str:
    return SITE_URL + url


# ------------------------------------------------------------------ feeds


def feed_files(site: Path) -> list[Path]:
    return sorted(site.rglob(opendata.ATOM_FILE))


def test_feeds_site_wide_per_kind_and_per_county_parse_with_the_right_entries(site, portal):
    counties = {"/".join(n.region.split("/")[:2]) for n in portal.notices if n.region and n.region.count("/") >= 1}
    expected = {
        "notices/": portal.notices,
        "notices/lost/": portal.lost,
        "notices/deregistration/": portal.deregistrations,
    }
    for county in counties:
        folder = next(
            f.parent.relative_to(site).as_posix() + "/"
            for f in feed_files(site)
            if feedparser.parse(f.read_bytes()).feed.title.endswith(f" · {county.split('/')[1]}的公告")
        )
        expected[folder] = [n for n in portal.notices if n.region and (n.region + "/").startswith(county + "/")]
    assert len(counties) >= 3 and len(feed_files(site)) == len(expected)
    for folder, notices in expected.items():
        newest = sorted(notices, key=lambda n: (n.published, n.url), reverse=True)[: opendata.FEED_SIZE]
        parsed = feedparser.parse((site / folder / opendata.ATOM_FILE).read_bytes())
        assert not parsed.bozo, (folder, parsed.bozo_exception)
        assert parsed.version == "atom10"
        assert [e.link for e in parsed.entries] == [absolute(n.url) for n in newest], folder
        assert [e.id for e in parsed.entries] == [absolute(n.url) for n in newest]
        assert [e.title for e in parsed.entries] == [n.title for n in newest]
        assert [e.published[:10] for e in parsed.entries] == [n.published.isoformat() for n in newest]
        assert all(e.summary for e in parsed.entries)
        assert parsed.feed.links[0].href == absolute(folder + opendata.ATOM_FILE)
        as_json = json.loads((site / folder / opendata.JSON_FEED_FILE).read_text(encoding="utf-8"))
        assert [item["url"] for item in as_json["items"]] == [absolute(n.url) for n in newest]
        assert [item["summary"] for item in as_json["items"]] == [e.summary for e in parsed.entries]


def test_a_feed_summary_masks_the_id_number_as_the_page_does(site):
    parsed = feedparser.parse((site / "notices" / opendata.ATOM_FILE).read_bytes())
    entry = next(e for e in parsed.entries if e.link == absolute(LICENCE_URL))
    masked = f"43************{GOOD_ID[-4:]}"
    assert masked in entry.summary and GOOD_ID not in entry.summary
    assert masked in page(site, LICENCE_URL).get_text()


def test_json_feed_has_the_required_keys_of_version_1_1(site):
    for path in sorted(site.rglob(opendata.JSON_FEED_FILE)):
        document = json.loads(path.read_text(encoding="utf-8"))
        assert document["version"] == "https://jsonfeed.org/version/1.1"
        assert document["title"] and isinstance(document["items"], list) and document["items"]
        assert document["feed_url"] == absolute(path.relative_to(site).as_posix())
        for item in document["items"]:
            assert isinstance(item["id"], str) and item["id"]
            assert item.get("content_text") or item.get("content_html")
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T00:00:00\+08:00", item["date_published"])
            assert item["url"].startswith(SITE_URL)


def test_feeds_hold_at_most_the_newest_feed_size(portal, tmp_path, monkeypatch):
    monkeypatch.setattr(opendata, "FEED_SIZE", 3)
    opendata.write_feeds(tmp_path, portal, "notices/", "全部", portal.notices)
    parsed = feedparser.parse((tmp_path / "notices" / opendata.ATOM_FILE).read_bytes())
    assert [e.link for e in parsed.entries] == [absolute(n.url) for n in portal.notices[:3]]


def test_notice_lists_link_their_feeds_and_every_page_the_site_wide_one(site):
    hub = page(site, "notices/")
    assert [a["href"] for a in hub.select(".pt-feed a")] == ["atom.xml", "feed.json"]
    lost = page(site, "notices/lost/2025/")
    assert [a["href"] for a in lost.select(".pt-feed a")] == ["../atom.xml", "../feed.json"]
    regions = site / "notices" / "regions"
    town_list = next(
        p for p in html_pages(regions) if len(p.relative_to(regions).parts) == 4
    )  # <city>/<county>/<town>/
    county = town_list.parent.parent  # a town's notice list offers its county's feeds
    links = [a["href"] for a in page(site, town_list.parent.relative_to(site).as_posix() + "/").select(".pt-feed a")]
    assert links == ["../atom.xml", "../feed.json"] and (county / "atom.xml").is_file()
    # No <link rel="alternate"> in the head: Material's script would fetch a sitemap beside each, on every page.
    assert page(site, LICENCE_URL).select('link[rel="alternate"]') == []


# ------------------------------------------------------------------ data/


def read_csv(path: Path) -> list[dict[str, str | None]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "a BOM, for Excel"
    assert b"\r\n" in raw, "RFC 4180 line ends"
    rows = csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
    return [{key: opendata.csv_value(value) for key, value in row.items()} for row in rows]


def data_files(site: Path) -> list[Path]:
    return sorted(p for p in (site / "data").rglob("*") if p.is_file())


def test_csv_reads_back_exactly_the_values_of_the_json(site, portal):
    pairs = [(p, p.with_suffix(".csv")) for p in data_files(site) if p.suffix == ".json" and p.name != "index.json"]
    assert len(pairs) == 1 + len({town.url.split("/")[1] for town in portal.towns})  # notices, each county's contacts
    for json_file, csv_file in pairs:
        rows = json.loads(json_file.read_text(encoding="utf-8"))
        assert rows and read_csv(csv_file) == rows, json_file


def test_a_formula_like_cell_is_marked_not_run_and_reads_back(site):
    rows = json.loads((site / "data" / "notices.json").read_text(encoding="utf-8"))
    licence = next(row for row in rows if row["url"] == LICENCE_URL)
    assert licence["holder"].startswith("=HYPERLINK(")
    text = (site / "data" / "notices.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK(" in text and not re.search(r"(^|,)\"?=HYPERLINK", text, re.MULTILINE)


def test_data_rows_are_what_the_pages_show(site, portal):
    rows = json.loads((site / "data" / "notices.json").read_text(encoding="utf-8"))
    assert [row["url"] for row in rows] == [n.url for n in portal.notices]
    licence = next(row for row in rows if row["url"] == LICENCE_URL)
    assert licence["document_number"] == f"43************{GOOD_ID[-4:]}"
    contacts = [
        row
        for path in sorted((site / "data" / "contacts").glob("*.json"))
        for row in json.loads(path.read_text(encoding="utf-8"))
    ]
    assert {row["town"] for row in contacts} == {town.path for town in portal.towns}
    people = sum(1 + len(g.workers) + len(g.buildings) for t in portal.towns for g in t.grids)
    assert sum(row["role"] in ("网格长", "网格员", "楼栋长") for row in contacts) == people
    assert {row["phone"] for row in contacts if row["role"] == "驻镇法官"} == {
        j.phone.text for t in portal.towns for j in t.judges
    }


def test_no_whole_id_number_anywhere_in_data(site):
    for path in data_files(site):
        found = identifiers.find_id_numbers(path.read_text(encoding="utf-8-sig"))
        assert found == [], (path.name, found)


def test_index_lists_every_data_file_with_its_size_and_hash(site):
    index = json.loads((site / "data" / "index.json").read_text(encoding="utf-8"))
    names = sorted(entry["name"] for entry in index["files"])
    assert names == sorted(p.relative_to(site / "data").as_posix() for p in data_files(site) if p.name != "index.json")
    for entry in index["files"]:
        data = (site / "data" / entry["name"]).read_bytes()
        assert entry["size"] == len(data) and entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["description"] and entry["rows"] > 0
    assert set(index["columns"]["notices"]) == set(json.loads((site / "data" / "notices.json").read_bytes())[0])


# ------------------------------------------------------------------ sitemap and robots.txt


def test_sitemap_lists_every_page_with_its_absolute_address(site, portal):
    root = ET.fromstring((site / "sitemap.xml").read_bytes())
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    listed = {url.findtext("s:loc", namespaces=ns): url.findtext("s:lastmod", namespaces=ns) for url in root}
    pages = {
        absolute(path.parent.relative_to(site).as_posix() + "/").replace("/./", "/")
        for path in html_pages(site)
        if path.name == "index.html" and "admin" not in path.parts
    }
    assert set(listed) == pages
    assert listed[absolute(LICENCE_URL)] == "2026-11-20"
    town = portal.towns[0]
    assert listed[absolute(town.url)] == town.updated.isoformat()
    assert not (site / "sitemap.xml.gz").exists(), "MkDocs' own sitemap, which knows only the hub pages, is removed"


def test_robots_txt_points_at_the_sitemap(site):
    lines = (site / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert f"Sitemap: {SITE_URL}sitemap.xml" in lines and "Disallow: /admin/" in lines


def test_a_big_site_gets_a_sitemap_index(tmp_path, monkeypatch):
    for n in range(5):
        (tmp_path / f"p{n}").mkdir()
        (tmp_path / f"p{n}" / "index.html").write_text("x", encoding="utf-8")
    monkeypatch.setattr(opendata, "SITEMAP_LIMIT", 2)
    opendata.write_sitemap(tmp_path, SITE_URL, {})
    index = (tmp_path / "sitemap.xml").read_text(encoding="utf-8")
    assert "<sitemapindex" in index and index.count("<sitemap>") == 3
    listed = re.findall(r"<loc>([^<]*)</loc>", "".join((tmp_path / f"sitemap-{n}.xml").read_text() for n in (1, 2, 3)))
    assert listed == [absolute(f"p{n}/") for n in range(5)]


# ------------------------------------------------------------------ identity on pages


def test_the_identity_footer_and_meta_tags_appear_and_the_sample_wording_does_not(site):
    for url in ("", "notices/", LICENCE_URL, "towns/"):
        soup = page(site, url)
        footer = soup.select_one("footer .pt-identity").get_text(" ", strip=True)
        for part in (
            "主办单位：中共衡东县委政法委员会",
            "承办单位：衡东县司法局",
            "0734-5261234",
            "湘ICP备12345678号-1",
            "湘公网安备43042402000123号",
            "网站标识码 4304240001",
        ):
            assert part in footer, (url, part)
        links = {a.get_text(strip=True): a["href"] for a in soup.select("footer .pt-identity a")}
        assert links["湘ICP备12345678号-1"] == "https://beian.miit.gov.cn/"
        assert links["湘公网安备43042402000123号"] == "https://beian.mps.gov.cn/#/query/webSearch?code=43042402000123"
        assert (
            soup.select_one('meta[name="description"]')["content"]
            == "衡东县网格员联系方式、驻镇法官、遗失声明与注销公告查询"
        )
        assert (
            soup.select_one('meta[property="og:description"]')["content"]
            == "衡东县网格员联系方式、驻镇法官、遗失声明与注销公告查询"
        )
        assert soup.select_one('link[rel="canonical"]')["href"] == absolute(url)
        assert soup.select_one('meta[property="og:url"]')["content"] == absolute(url)
        assert (
            soup.title.get_text().endswith(" - 衡东县基层公告与法律服务")
            or soup.title.get_text() == "衡东县基层公告与法律服务"
        )
    licence = page(site, LICENCE_URL)
    og_title = licence.select_one('meta[property="og:title"]')["content"]
    assert og_title.endswith("遗失驾驶证声明") and licence.title.get_text() == f"{og_title} - 衡东县基层公告与法律服务"
    for path in [*html_pages(site), *data_files(site), *site.rglob("*.xml")]:
        assert SAMPLE_WORDING not in path.read_text(encoding="utf-8-sig"), path


def test_the_sample_says_it_is_the_sample_and_has_no_feeds_without_an_address(tmp_path):
    site = tmp_path / "site"
    build_site(SAMPLE, site)
    home = page(site, "")
    assert SAMPLE_WORDING in home.select_one('meta[name="description"]')["content"]
    assert SAMPLE_WORDING in home.select_one("footer .pt-identity").get_text()
    assert not list(site.rglob(opendata.ATOM_FILE)) and not (site / "sitemap.xml").exists()
    assert page(site, "notices/").select(".pt-feed") == [] and home.select('link[rel="canonical"]') == []
    assert "Sitemap:" not in (site / "robots.txt").read_text(encoding="utf-8")
    assert (site / "data" / "index.json").is_file()


def test_site_url_option_wins_over_the_identity_file(data, tmp_path):
    other = "https://portal.example.org/hengdong/"
    result = build(Options(notices=data, site_dir=tmp_path / "site", today=TODAY, site_url=other))
    assert not result.failed
    assert f"Sitemap: {other}sitemap.xml" in (tmp_path / "site" / "robots.txt").read_text(encoding="utf-8")
    assert page(tmp_path / "site", "").select_one('link[rel="canonical"]')["href"] == other


def test_rebuilds_after_edits_of_the_identity_and_the_notices_equal_a_full_build(tmp_path):
    notices = configured(tmp_path)
    site = tmp_path / "site"
    run(notices, site)
    (notices / "site.yaml").write_text(IDENTITY.replace("衡东县司法局", "衡东县人民政府办公室"), encoding="utf-8")
    (notices / "lost" / "2026" / "jiashizheng.yaml").unlink()
    run(notices, site)
    assert "衡东县人民政府办公室" in page(site, "notices/").select_one("footer").get_text()
    feed = feedparser.parse((site / "notices" / opendata.ATOM_FILE).read_bytes())
    assert absolute(LICENCE_URL) not in [e.link for e in feed.entries]
    assert LICENCE_URL not in (site / "data" / "notices.json").read_text(encoding="utf-8")
    assert_equals_full_build(notices, site)


def test_the_frame_naming_each_page_s_address_is_still_read_once_for_all_pages():
    """The canonical link names each shell page's own address (shell.URL_MARK): the output scan still matches
    the page against the shared frame (reading only the body), and gets the address as it gets the title."""
    head = (
        f'<head><title>{TITLE_MARK}</title><meta property="og:title" content="{TITLE_MARK}">'
        f'<link rel="canonical" href="{SITE_URL}{URL_MARK}"></head><body>'
    )
    frame = Frame(head, "</body>")
    filled = frame.fill(Page(LICENCE_URL, "某某遗失驾驶证声明", "<p>x</p>", True))
    assert f'href="{SITE_URL}{LICENCE_URL}"' in filled
    context = scan.Context(
        Path("/nowhere"), frozenset([LICENCE_URL + "index.html"]), scan.Trusted((), (), site_url=SITE_URL)
    )
    match = scan.FrameScan.of(LICENCE_URL + "index.html", head, "</body>", context).pattern.fullmatch(filled)
    assert match and (match.group("url"), match.group("body")) == (LICENCE_URL, "<p>x</p>")


def test_a_hash_in_data_index_that_happens_to_hold_an_id_number_is_not_a_finding_anything_else_is():
    """A SHA-256 in hex holds 18 digits in a row now and then (at province scale, one of ~250 files' did): the
    output scan reads every value of data/index.json but a `sha256` of 64 hex digits."""
    digest = GOOD_ID + "a" * 46
    index = json.dumps({"files": [{"sha256": digest, "name": "x"}]}).encode()
    assert scan.id_findings("data/index.json", scan.data_text("data/index.json", index)) == []
    elsewhere = json.dumps({"files": [{"sha256": digest + "0", "name": digest}]}).encode()
    assert len(scan.id_findings("data/index.json", scan.data_text("data/index.json", elsewhere))) == 2  # both


def made_files(site: Path) -> dict[str, Path]:
    """The files this module may keep from the last build: data/ (but its index) and the feeds."""
    files = [p for p in (site / "data").rglob("*") if p.is_file() and p.name != "index.json"]
    files += [p for name in (opendata.ATOM_FILE, opendata.JSON_FEED_FILE) for p in site.rglob(name)]
    return {p.relative_to(site).as_posix(): p for p in files}


def snapshot(site: Path) -> dict[str, tuple[int, bytes]]:
    return {name: (p.stat().st_ino, p.read_bytes()) for name, p in made_files(site).items()}


def test_data_files_and_feeds_whose_inputs_did_not_change_are_kept_and_the_rest_equal_a_full_build(tmp_path):
    """Add, edit and delete a notice and edit a town: the changed county's contacts, the notices files and the
    feeds holding a changed notice are written again; every other data file and feed is the published file
    itself (same inode: kept, not serialised again); the whole site equals a full build's, data/index.json too."""
    notices = configured(tmp_path)
    site = tmp_path / "site"
    run(notices, site)
    before = snapshot(site)
    added = notices / "lost" / "2026" / "xinzeng.yaml"
    added.write_text(DRIVING_LICENCE.replace("2026-11-20", "2026-11-21").replace(GOOD_ID, "湘A12345"), "utf-8")
    edited = notices / "deregistration" / "2026" / "2026-10-20-ganxi-shiwan-guoshu.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("欧阳敏艳", "欧阳敏"), encoding="utf-8")
    (notices / "lost" / "2025" / "2025-02-18-budongchan.yaml").unlink()
    edit_town(notices)  # hengdong/ganxi
    run(notices, site)
    after = snapshot(site)
    assert_equals_full_build(notices, site)
    assert before.keys() == after.keys()
    kept = {name for name in after if after[name][0] == before[name][0]}
    (county,) = {p.stem for p in (site / "data" / "contacts").glob("*.json") if "/ganxi/" in p.read_text("utf-8")}
    changed = {f"data/contacts/{county}.json", f"data/contacts/{county}.csv", "data/notices.json", "data/notices.csv"}
    assert changed <= set(after) - kept
    others = {name for name in after if name.startswith("data/contacts/")} - changed
    assert len(others) >= 4 and others <= kept  # the other counties' contacts are the published files
    # a county without a changed notice keeps its feeds (which county's notices changed: the site's feed tells)
    assert any(name.startswith("notices/regions/") for name in kept)
    index = json.loads((site / "data" / "index.json").read_bytes())
    for entry in index["files"]:  # sizes and hashes of kept files come from the record: still the files'
        data = (site / "data" / entry["name"]).read_bytes()
        assert (entry["size"], entry["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())


def test_a_published_data_file_changed_by_hand_is_written_again(tmp_path):
    notices = configured(tmp_path)
    site = tmp_path / "site"
    run(notices, site)
    tampered, untouched = sorted((site / "data" / "contacts").glob("*.csv"))[:2]
    with tampered.open("ab") as f:
        f.write(b"x,y\r\n")
    inodes = tampered.stat().st_ino, untouched.stat().st_ino
    run(notices, site)
    assert (tampered.stat().st_ino, untouched.stat().st_ino) != inodes
    assert untouched.stat().st_ino == inodes[1]  # kept: only the tampered file is written again
    assert not tampered.read_bytes().endswith(b"x,y\r\n")
    assert_equals_full_build(notices, site)
