"""Page addresses: pinyin that reads Hunan right, homophones apart without an error, and every address
published before reachable (the page itself, or a redirect page that sends the reader to it).

Real builds of the sample and of small data sets; dev/addresses.md describes the rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sitebuild import ROOT, build_site, is_redirect, redirect_pages, sample_site

from generator.checking import slugs
from generator.checking.rules import BASE, BASE_REGIONS, BASE_TOWN
from generator.site.moved import REDIRECT_MARK

ADDRESSES = ROOT / "tests" / "fixtures" / "sample-addresses.tsv"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return sample_site(tmp_path_factory, "addresses")


def soup_at(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url / "index.html").read_text(encoding="utf-8"), "html.parser")


def follow(site: Path, url: str) -> tuple[str, BeautifulSoup]:
    """The page a reader ends on from `url` (one redirect at most: a redirect never leads to another)."""
    soup = soup_at(site, url)
    if not is_redirect(site / url / "index.html"):
        return url, soup
    refresh = soup.select_one('meta[http-equiv="refresh"]')["content"]
    target = re.fullmatch(r"0; url=(.+)", refresh).group(1)
    assert soup.select_one('link[rel="canonical"]')["href"] == target
    assert soup.select_one("body a")["href"] == target  # a link to tap where the refresh is blocked
    assert not soup.select("script")
    landed = (Path("/", url) / target).resolve().relative_to("/").as_posix() + "/"
    assert not is_redirect(site / landed / "index.html"), f"{url} → {landed} is a redirect again"
    return landed, soup_at(site, landed)


def short_title(text: str) -> str:
    """The page's own part of its <title> (the site's name after it may change)."""
    return re.split(r" [-·] ", text.strip())[0]


def test_every_address_of_the_sample_stays_reachable(site):
    """Each address the sample published before the pinyin fix still opens the same page."""
    rows = [line.split("\t") for line in ADDRESSES.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    assert len(rows) > 100
    moved = {}
    for url, title in rows:
        url = "" if url == "/" else url
        assert (site / url / "index.html").is_file(), f"{url or '/'} is gone"
        landed, soup = follow(site, url)
        assert short_title(soup.title.get_text()) == short_title(title), f"{url} leads to another page ({landed})"
        if landed != url:
            moved[url] = landed
    assert moved == {
        "legal/fa-lu-yuan-zhu/": "legal/fa-lv-yuan-zhu/",  # 律 is lǜ (lv), not lu
        "legal/ren-min-diao-jie/": "legal/ren-min-tiao-jie/",
    }  # 调解 is tiáojiě


def test_redirect_pages_stay_out_of_the_search_index(site):
    index = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in (site / "pagefind").rglob("*.json"))
    assert "fa-lu-yuan-zhu" not in index
    assert len(redirect_pages(site)) == 2
    assert all(f'content="{REDIRECT_MARK}"' in p.read_text(encoding="utf-8") for p in redirect_pages(site))


@pytest.mark.parametrize(
    "name, expected",
    [
        ("宁乡市", "ning-xiang-shi"),
        ("汉寿县", "han-shou-xian"),
        ("常宁市", "chang-ning-shi"),
        ("侗族", "dong-zu"),
        ("长塘村", "chang-tang-cun"),
        ("长冲村", "chang-chong-cun"),  # SINGLE 长
        ("村长", "cun-zhang"),  # a phrase pypinyin knows keeps its reading
        ("湖南省长沙市公证处", "hu-nan-sheng-chang-sha-shi-gong-zheng-chu"),  # PHRASES 长沙, not 省长
        ("曾家村", "zeng-jia-cun"),
        ("曾经", "ceng-jing"),  # SINGLE 曾
        ("朝阳街道", "chao-yang-jie-dao"),
        ("单家村", "shan-jia-cun"),
        ("解家湾", "xie-jia-wan"),  # PHRASES
        ("长乐乡", "chang-le-xiang"),
        ("行政村", "xing-zheng-cun"),
        ("重阳村", "chong-yang-cun"),  # pypinyin right alone
        ("会同县", "hui-tong-xian"),
        ("西藏", "xi-zang"),
        ("成都", "cheng-du"),
        ("法律援助", "fa-lv-yuan-zhu"),
        ("兴业小区1栋", "xing-ye-xiao-qu-1dong"),
        ("Zero .yaml", "zero-yaml"),
    ],
)
def test_place_names_read_right(name, expected):
    assert slugs.slug(name) == expected
    assert slugs.slug(name).isascii()


def test_every_override_is_needed():
    """Each entry of the override lists changes what pypinyin alone would say (else it is dead weight)."""
    from pypinyin import lazy_pinyin

    for char, reading in slugs.SINGLE.items():
        assert lazy_pinyin(char) != [reading] and slugs.pinyin(char) == reading + " "
    in_context = {"长沙": ("湖南省长沙市", "hu nan sheng chang sha shi")}  # alone, pypinyin knows 长沙
    for word, reading in slugs.PHRASES.items():
        text, reading = in_context.get(word, (word, reading))
        assert lazy_pinyin(text) != reading.split() and slugs.pinyin(text).split() == reading.split()
    assert set(in_context) <= set(slugs.PHRASES)


HOMOPHONE_REGIONS = BASE_REGIONS.replace(
    """        - name: 甘溪镇
""",
    """        - name: 高园镇
          code: "430424104000"
          children: [高园村]
        - name: 高源镇
          code: "430424102000"
          children: [高源村]
        - name: 甘溪镇
""",
)


def homophone_town(name: str, village: str) -> str:
    return BASE_TOWN.replace("甘溪镇", name).replace("乌塘村", village).replace("新塘村", village)


def test_homophone_towns_get_their_own_stable_addresses(tmp_path, write_notices):
    """高源镇 and 高园镇 of one county both read gao-yuan-zhen: no error, one address each, decided by
    their region codes (not by file order), and a third one added later moves neither."""
    files = {
        **BASE,
        "regions.yaml": HOMOPHONE_REGIONS,
        "contacts/hengdong/高园镇.yaml": homophone_town("高园镇", "高园村"),
        "contacts/hengdong/高源镇.yaml": homophone_town("高源镇", "高源村"),
    }
    build_site(write_notices(files), tmp_path / "one")
    first = {
        url: soup_at(tmp_path / "one", url).h1.get_text()
        for url in ("towns/hengdong/gao-yuan-zhen/", "towns/hengdong/gao-yuan-zhen-104/")
    }
    assert "高源镇" in first["towns/hengdong/gao-yuan-zhen/"]  # the smaller code, 102, keeps the bare address
    assert "高园镇" in first["towns/hengdong/gao-yuan-zhen-104/"]
    later = files | {
        "regions.yaml": HOMOPHONE_REGIONS.replace(
            "        - name: 甘溪镇\n",
            """        - name: 高原镇
          code: "430424106000"
          children: [高原村]
        - name: 甘溪镇
""",
        ),
        "contacts/hengdong/高原镇.yaml": homophone_town("高原镇", "高原村"),
    }
    build_site(write_notices(later), tmp_path / "two")
    for url, heading in first.items():
        assert soup_at(tmp_path / "two", url).h1.get_text() == heading
    assert "高原镇" in soup_at(tmp_path / "two", "towns/hengdong/gao-yuan-zhen-106/").h1.get_text()


def test_homophone_places_get_their_own_list_pages(check_files):
    """Region lists follow the same rule: 高园镇 (code …104) is gao-yuan-zhen-104 whatever the order."""
    from generator.site.render import renderer

    for regions in (
        HOMOPHONE_REGIONS,
        HOMOPHONE_REGIONS.replace("高园", "TMP")
        .replace("高源", "高园")
        .replace("TMP", "高源")
        .replace('"430424104000"', "X")
        .replace('"430424102000"', '"430424104000"')
        .replace("X", '"430424102000"'),
    ):
        checked = check_files({**BASE, "regions.yaml": regions})
        pages = renderer(checked.portal)
        urls = {region.name: pages.region_url(region) for region in checked.portal.regions[0].children[0].children}
        assert urls["高源镇"] == "notices/regions/heng-yang-shi/heng-dong-xian/gao-yuan-zhen/"
        assert urls["高园镇"] == "notices/regions/heng-yang-shi/heng-dong-xian/gao-yuan-zhen-104/"


def test_homophone_notices_without_codes_keep_their_addresses(tmp_path, write_notices):
    """Notices have no code: a file named as its address keeps it, then the earliest published; the others
    get four characters of their own name's hash, so a homophone filed later moves nothing published
    (高园 sorts before 高源, yet the later notice gets the suffix)."""
    body = "kind: lost-document\npublished: 2022-01-02\nholder: {}\ndocument: {{type: 公章}}\n"
    files = {**BASE, "lost/2022/高源镇公章.yaml": body.format("甲")}
    build_site(write_notices(files), tmp_path / "one")
    assert "甲" in soup_at(tmp_path / "one", "notices/lost/2022/gao-yuan-zhen-gong-zhang/").get_text()
    later = body.format("乙").replace("2022-01-02", "2022-03-04")
    build_site(write_notices(files | {"lost/2022/高园镇公章.yaml": later}), tmp_path / "two")
    assert "甲" in soup_at(tmp_path / "two", "notices/lost/2022/gao-yuan-zhen-gong-zhang/").get_text()
    own = slugs.suffix(slugs.Claim("", None, "高园镇公章"))
    assert "乙" in soup_at(tmp_path / "two", f"notices/lost/2022/gao-yuan-zhen-gong-zhang-{own}/").get_text()


def test_addresses_published_by_the_old_reading_redirect(tmp_path, write_notices):
    """A county whose town file was named 宁乡.yaml published towns/…/zhu-xiang/: it now redirects."""
    regions = (
        BASE_REGIONS
        + """- name: 长沙市宁乡市
  children:
    - name: 宁乡县
      children:
        - name: 宁乡镇
          children: [宁乡村]
"""
    )
    town = (
        BASE_TOWN.replace("衡阳市/衡东县/甘溪镇", "长沙市宁乡市/宁乡县/宁乡镇")
        .replace("乌塘村", "宁乡村")
        .replace("新塘村", "宁乡村")
    )
    notices = write_notices(
        {
            **BASE,
            "regions.yaml": regions,
            "contacts/宁乡/宁乡镇.yaml": town,
            "lost/2022/宁乡.yaml": "kind: lost-document\npublished: 2022-01-02\nholder: 甲\n"
            "document: {type: 公章}\nregion: 长沙市宁乡市/宁乡县/宁乡镇\n",
        }
    )
    site = tmp_path / "site"
    build_site(notices, site)
    for old, new in (
        ("towns/zhu-xiang/zhu-xiang-zhen/", "towns/ning-xiang/ning-xiang-zhen/"),
        ("notices/lost/2022/zhu-xiang/", "notices/lost/2022/ning-xiang/"),
        (
            "notices/regions/chang-sha-shi-zhu-xiang-shi/zhu-xiang-xian/zhu-xiang-zhen/",
            "notices/regions/chang-sha-shi-ning-xiang-shi/ning-xiang-xian/ning-xiang-zhen/",
        ),
        ("judges/chang-sha-shi-zhu-xiang-shi/zhu-xiang-xian/", "judges/chang-sha-shi-ning-xiang-shi/ning-xiang-xian/"),
    ):
        assert is_redirect(site / old / "index.html"), old
        assert follow(site, old)[0] == new


@pytest.mark.parametrize(
    "code, expected",
    [
        ("430400", "04"),
        ("4304", "04"),
        ("430424", "24"),
        ("430424104", "104"),
        ("430424104000", "104"),
        ("430424104201", "201"),
    ],
)
def test_a_suffix_is_the_place_own_part_of_its_code(code, expected):
    assert slugs.suffix(slugs.Claim("x/", code, "名")) == expected


def test_the_province_generator_names_files_as_the_site_reads_them():
    """bench/province.py names files and folders in pinyin from its own tables: they must agree with
    slugs.slug, so that its addresses are its file names (no redirects, no surprise homophones)."""
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    import province

    assert [(char, reading) for char, reading in province.FIRST + province.SECOND if slugs.slug(char) != reading] == []
