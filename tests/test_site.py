"""The sample site, built for real and read back as HTML: what residents get."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from generator.checking import identifiers, privacy
from generator.checking.model import Document
from tests.sitebuild import SAMPLE, TODAY, body_text, build_site, html_pages, page


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    site_dir = tmp_path_factory.mktemp("sample") / "site"
    build_site(SAMPLE, site_dir)
    return site_dir


def notice_files(kind: str) -> list[Path]:
    return sorted((SAMPLE / kind).rglob("*.yaml"))


def raw(path: Path) -> dict:
    """The file as plain strings (BaseLoader: no YAML 1.1 conversions), for comparison with pages."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)


def document_of(data: dict) -> Document:
    document = data["document"]
    return Document(document["type"], document.get("number"), name=document.get("name"))


def notice_url(path: Path) -> str:
    folder, year = path.parent.parent.name, path.parent.name
    return f"notices/{folder}/{year}/{path.stem}/"


def leaves(value, key=""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from leaves(v, f"{key}.{k}" if key else k)
    elif isinstance(value, list):
        for v in value:
            yield from leaves(v, key)
    else:
        yield key, value


def zh(date_text: str) -> str:
    y, m, d = (int(x) for x in date_text.split("-"))
    return f"{y}年{m}月{d}日"


def test_every_page_is_simplified_chinese(site):
    for path in html_pages(site):
        html = path.read_text(encoding="utf-8")
        assert re.search(r'<html[^>]* lang="zh"', html), path


def test_no_request_leaves_the_site(site):
    for path in html_pages(site):
        soup = page(path.parent, "") if path.name == "index.html" else None
        if soup is None:
            continue
        for tag, attr in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"), ("source", "src")):
            for element in soup.find_all(tag):
                value = element.get(attr)
                if value and not (tag == "link" and "canonical" in (element.get("rel") or [])):
                    assert not re.match(r"^(https?:)?//", value), f"{path}: {tag} {value}"
    # Material's bundle names two CDN fallbacks: a ResizeObserver polyfill for old browsers (we
    # serve our own copy first, see overrides/main.html) and mermaid (we draw no diagrams).
    allowed = {"https://unpkg.com/resize-observer-polyfill", "https://unpkg.com/mermaid@11/dist/mermaid.min.js"}
    for asset in list(site.rglob("*.css")) + list(site.rglob("*.js")):
        if "admin" in asset.relative_to(site).parts:
            continue  # the staff CMS at admin/: its requests are checked in a browser by tests/test_cms.py
        text = asset.read_text(encoding="utf-8", errors="replace")
        urls = set(
            re.findall(
                r"https?://(?:unpkg\.com|cdn\.jsdelivr\.net|cdnjs\.[a-z.]+|fonts\.(?:googleapis|gstatic)\.com)[^\s\"'`)]*",
                text,
            )
        )
        assert urls <= allowed, f"{asset} loads {urls - allowed}"
    polyfill = "assets/vendor/resize-observer-polyfill-1.5.1.js"
    assert (site / polyfill).is_file() and polyfill in (site / "index.html").read_text(encoding="utf-8")


def test_every_notice_field_reaches_its_page(site):
    for path in notice_files("lost") + notice_files("deregistration"):
        data = raw(path)
        soup = page(site, notice_url(path))
        text = body_text(soup)
        for key, value in leaves(data):
            if key in ("kind", "status"):
                continue
            if key in (
                "published",
                "lost_on",
                "decided_on",
                "newspapers.date",
                "corrections.date",
                "objection.closes_on",
                "objection.opens_on",
            ):
                assert zh(value) in text or value in text, (path, key)
            elif key == "reissued":
                assert ("已申领新证" if value == "true" else "尚未申领新证") in text, path
            elif key == "document.number" and privacy.is_masked(document_of(data)):
                assert privacy.public_number(document_of(data)) in text, path
                assert value not in text, path
            elif key == "region":
                assert value.replace("/", " › ") in text, path
            else:
                assert value in text, (path, key, value)


def test_every_town_entry_reaches_its_page(site):
    for path in sorted((SAMPLE / "contacts").rglob("*.yaml")):
        data = raw(path)
        soup = page(site, f"towns/{path.parent.name}/{path.stem}/")
        text = body_text(soup)
        for key, value in leaves(data):
            if key == "town":
                assert value.rsplit("/", 1)[-1] in soup.h1.get_text(), path
            elif key == "updated":
                assert zh(value) in text
            elif key == "legal_services.kind":
                continue  # shown as its Chinese label, checked below
            else:
                assert value in text, (path, key, value)
        assert len(soup.select("article.pt-grid")) == len(data["grids"])


def test_every_phone_is_a_tap_to_call_link(site):
    for path in sorted((SAMPLE / "contacts").rglob("*.yaml")):
        soup = page(site, f"towns/{path.parent.name}/{path.stem}/")
        hrefs = {a["href"] for a in soup.select("a[href^='tel:']")}
        phones = [v for k, v in leaves(raw(path)) if k.endswith("phone")]
        assert phones
        for phone in phones:
            assert identifiers.tel_uri(phone) in hrefs, (path, phone)


def test_id_numbers_are_never_published_whole(site):
    numbers = [raw(p)["document"]["number"] for p in notice_files("lost") if raw(p)["document"]["type"] == "身份证"]
    assert len(numbers) >= 6
    normalized = [identifiers.normalize(n).upper() for n in numbers]
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if "pagefind" in path.parts and path.suffix.startswith(".pf_"):
            data = gzip.decompress(data)
        text = data.decode("utf-8", errors="replace")
        for number in normalized:
            assert number not in text, f"{path} publishes {number}"
    soup = page(site, "notices/lost/2021/2021-03-18-shenfenzheng/")
    assert "43************2150" in body_text(soup)


def test_deregistration_shows_deadline_and_whether_open(site):
    closed = page(site, "notices/deregistration/2022/2022-06-06-hengdong-yangfeng-xiehui/")
    assert closed.select_one(".pt-deadline time")["datetime"] == "2022-07-21"
    assert "公告期满" in body_text(closed)
    opened = page(site, "notices/deregistration/2026/2026-10-20-ganxi-shiwan-guoshu/")
    assert opened.select_one(".pt-deadline time")["datetime"] == "2026-12-04"
    assert "公告期内" in body_text(opened)


def test_withdrawn_notice_is_reachable_and_says_why(site):
    soup = page(site, "notices/lost/2023/2023-10-09-biyezhengshu/")
    alert = soup.select_one(".pt-alert--withdrawn")
    assert alert and "已撤回" in alert.get_text() and "寻回" in alert.get_text()
    assert "已撤回" in soup.select_one(".pt-status").get_text()  # in words, not only colour
    listing = page(site, "notices/lost/2023/")
    assert any("已撤回" in li.get_text() for li in listing.select("li.pt-list__item"))


def test_notices_stay_out_of_the_navigation(site):
    soup = page(site, "notices/lost/2022/2022-06-20-shenfenzheng/")
    nav_links = [a.get("href", "") for a in soup.select("nav.md-nav a")]
    assert nav_links and not any("/lost/20" in href for href in nav_links)


def test_list_pages_by_type_year_and_region(site):
    lost = page(site, "notices/lost/")
    assert len(lost.select("li.pt-list__item")) == len(notice_files("lost"))
    year = page(site, "notices/lost/2022/")
    assert len(year.select("li.pt-list__item")) == len(list((SAMPLE / "lost/2022").glob("*.yaml")))
    regions = page(site, "notices/")
    region_links = [a["href"] for a in regions.select("a.pt-chip") if "regions/" in a["href"]]
    assert region_links
    for href in region_links:
        target = (site / "notices" / href).resolve() / "index.html"
        assert target.is_file(), href


def test_every_internal_link_resolves(site):
    for path in html_pages(site):
        soup = page(path.parent, "") if path.name == "index.html" else None
        if soup is None:
            continue
        for a in soup.select(".md-content a[href]"):
            href = a["href"].split("#")[0].split("?")[0]
            if not href or re.match(r"^[a-z]+:", href):
                continue
            target = (path.parent / href).resolve()
            assert (target / "index.html").is_file() or target.is_file(), f"{path}: {a['href']}"


def test_home_leads_to_every_town_and_latest_notices(site):
    soup = page(site, "")
    towns = {a.get_text(strip=True) for a in soup.select("#find-grid a.pt-chip")}
    assert towns == {"甘溪镇", "杨桥镇", "白果镇", "东湖街道", "黄花镇"}
    assert soup.select("form.pt-search input[name=q]")
    assert len(soup.select("li.pt-list__item")) == 10


def test_town_page_shows_judges_and_building_leaders(site):
    soup = page(site, "towns/furong/donghu/")
    assert soup.select(".pt-card--judge .pt-person")
    assert "旷海华" in soup.get_text() and "兴业小区10栋" in soup.get_text()
    ganxi = page(site, "towns/hengdong/ganxi/")
    grid = ganxi.select_one("#grid-03")
    assert "乌塘村3组" in grid.get_text() and "刘玉亮" in grid.get_text()


def test_search_page_and_index_exist(site):
    soup = page(site, "search/")
    script = soup.select_one("script[data-pagefind]")
    assert (site / "search" / script["src"]).resolve().is_file()
    assert (site / "search" / script["data-pagefind"]).resolve().is_file()
    assert soup.find("noscript")
    # Material's own search is off: no lunr index is shipped.
    assert not (site / "search" / "search_index.json").exists()


def test_only_page_bodies_are_indexed(site):
    notice = page(site, "notices/lost/2022/2022-06-20-shenfenzheng/")
    assert notice.select("[data-pagefind-body]")
    assert not page(site, "guide/staff/").select("[data-pagefind-body]")


def test_today_is_the_reference_for_open_deadlines():
    assert TODAY.isoformat() == "2026-11-23"


def test_the_not_found_page_speaks_chinese_and_links_from_any_address(site):
    """Hosts show 404.html at any depth, so its links start at the site root; Material's own says "404 - Not found"."""
    soup = BeautifulSoup((site / "404.html").read_text(encoding="utf-8"), "html.parser")
    assert soup.find("h1").get_text(strip=True) == "找不到这个页面"
    assert "Not found" not in soup.get_text()
    hrefs = {a["href"] for a in soup.select(".pt-page a")}
    assert {"/", "/towns/", "/notices/", "/search/"} <= hrefs
    assert soup.select_one("form.pt-search")["action"] == "/search/"
    assert soup.select_one("#pt-elder-toggle") is not None


# ------------------------------------------------------------------ every document that carries an ID number

#: Notices whose numbers are ID numbers by their type, by their name or by their shape; each file's
#: number (normalised) must appear nowhere in the site, masked on its page and in the list.
ID_CARRYING = {
    "lost/2022/jiazhao.yaml": ("驾驶证", "430105199606060138", None, "43************0138"),
    "lost/2022/hukou.yaml": ("户口簿", "430121197012310022", None, "43************0022"),
    "lost/2022/juminshenfenzheng.yaml": ("其他", "430424198506120034", "居民身份证", "43************0034"),
    "lost/2022/shebao.yaml": ("社会保障卡", "110101198001010010", None, "11************0010"),
    "lost/2022/juzhuzheng.yaml": ("港澳台居民居住证", "810000199408230021", None, "81************0021"),
    "lost/2022/biye.yaml": ("毕业证书", "HN-4307 0219 9202 2901 17", None, "HN**************0117"),
}


@pytest.fixture(scope="module")
def id_site(tmp_path_factory) -> Path:
    from conftest import write_tree

    from generator.checking.rules import BASE

    root = tmp_path_factory.mktemp("ids")
    files = dict(BASE)
    for name, (kind, number, doc_name, _) in ID_CARRYING.items():
        named = f", name: {doc_name}" if doc_name else ""
        files[name] = (
            f"kind: lost-document\npublished: 2022-06-20\nholder: 罗某\n"
            f'document: {{type: {kind}, number: "{number}"{named}}}\n'
        )
    build_site(write_tree(root / "notices", files), root / "site")
    return root / "site"


def site_texts(site: Path):
    """Every file the build wrote, as text (Pagefind's compressed files decompressed)."""
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        yield path, data.decode("utf-8", errors="replace")


def test_every_id_carrying_number_is_masked_on_its_page_and_in_the_list(id_site):
    listing = body_text(page(id_site, "notices/lost/"))
    for name, (_, number, _, masked) in ID_CARRYING.items():
        assert identifiers.find_id_numbers(number)
        text = body_text(page(id_site, f"notices/lost/2022/{Path(name).stem}/"))
        assert f"证件号码 {masked}" in text, (name, text)
        assert "罗某遗失" in text
        assert masked in listing or "罗某" in listing


def test_no_id_number_anywhere_in_the_built_site(id_site):
    """Pages, lists, sitemap, search fragments and index (decompressed): none of the ID numbers, in any
    form (the text compacted as find_id_numbers reads it: spaces, hyphens and zero-width taken out)."""
    numbers = [identifiers.find_id_numbers(number)[0][2] for _, number, _, _ in ID_CARRYING.values()]
    fragments = 0
    for path, text in site_texts(id_site):
        fragments += "fragment" in path.parts
        folded = identifiers.compact(text)
        for number in numbers:
            assert number not in folded and number.lower() not in folded, (path, number)
    assert fragments, "no search fragment was read"


def test_no_page_names_its_data_file(id_site, site):
    """The footer line "本页由 notices/….yaml 生成" is gone: residents do not need it, and a file name is
    the clerk's, not the portal's (staff find the file from the page address)."""
    for built in (id_site, site):
        for path in html_pages(built):
            text = path.read_text(encoding="utf-8")
            assert "本页由" not in text, path
            if "guide" not in path.parts:  # the staff guide names folders (lost/<年>/*.yaml), not a file
                assert ".yaml" not in BeautifulSoup(text, "html.parser").get_text(), path
