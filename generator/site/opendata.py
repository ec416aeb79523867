"""Feeds, open data, the sitemap and robots.txt: files written beside the pages, every build, from the model.

- Feeds (Atom, RFC 4287, and JSON Feed 1.1) of the FEED_SIZE newest notices: site-wide (notices/atom.xml,
  notices/feed.json), per kind (notices/lost/…, notices/deregistration/…) and per county (the county's
  notice list folder, notices/regions/<city>/<county>/…). Entry ids and links are absolute: feeds are
  written only when the site's address is known (site.yaml `url` or `portal build --site-url`).
- data/: notices and contacts as JSON and CSV with the same rows (every value text or null; the CSV
  has a BOM for Excel and quotes as RFC 4180), data/index.json with each file's size and sha256 and the
  meaning of every column. Document numbers are masked exactly as on the pages (privacy.public_number).
- sitemap.xml (every page, absolute, with lastmod where the data gives a date) and robots.txt pointing
  at it; MkDocs' own sitemap (which knows only the hub pages) is removed. Without a site address there is
  no sitemap, and robots.txt says nothing of one.

A data file or feed whose inputs are the ones of the last build (`Made.key`: a digest of everything it is
made from) and whose published copy is still the one written is kept from the published site (`Earlier`,
hard-linked as kept pages are), not serialised again; data/index.json takes its size, sha256 and rows from
the record. The result is byte for byte a full build's (tests/test_opendata.py). See dev/open-data.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeAlias
from xml.etree import ElementTree as ET

from ..checking import privacy, published
from ..checking.model import Deregistration, LostDocumentNotice, Notice, Portal, Town
from .page import digest, site_files, still_written

Published: TypeAlias = LostDocumentNotice | Deregistration  # what portal.notices holds
FEED_SIZE = 50  # entries per feed: a reader polls for what is new, the lists and data/ hold the rest
SITEMAP_LIMIT = 50_000  # URLs per sitemap file (sitemaps.org); more: a sitemap index and numbered files
ATOM_FILE, JSON_FEED_FILE = "atom.xml", "feed.json"
SITE_FEEDS = "notices/"  # the folder of the site-wide feeds, beside the notices hub page
DATA = "data/"
CHINA_MIDNIGHT = "T00:00:00+08:00"  # a notice's date is a day in China: its feed time is that day's start
#: A CSV cell starting with one of these is read by Excel as a formula (or would lose its leading quote):
#: the cell gets one more "'" in front, and only in the CSV. Reading back: drop one leading "'" (csv_value()).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")
ATOM = "http://www.w3.org/2005/Atom"

#: The columns of each data file, with their meaning (also written into data/index.json). A notice's columns
#: are the published fields that have one (checking/published.py: the one table of a notice's fields).
NOTICE_COLUMNS = {field.column: field.meaning for field in published.ALL if field.column}
CONTACT_COLUMNS = {
    "town": "镇（街道）（市/县/镇）",
    "url": "镇（街道）页面地址（相对网站根目录）",
    "updated": "名单更新日期",
    "role": "身份：综治中心、驻镇法官、网格长、网格员、楼栋长，或法律服务的类别",
    "name": "姓名或名称",
    "title": "职务（驻镇法官）",
    "organization": "所在单位：法院、律师事务所",
    "grid_id": "网格编号",
    "grid_name": "网格名称",
    "village": "所在村（社区）",
    "covers": "网格覆盖范围（、分隔）",
    "duties": "网格员职责（、分隔）",
    "phone": "电话",
    "address": "地址",
    "hours": "办公时间",
}


@dataclass(frozen=True)
class DataFile:
    name: str
    description: str
    columns: dict[str, str]


NOTICES_JSON = DataFile("notices.json", "全部公告（遗失声明、注销公告），每条一行，最新的在前", NOTICE_COLUMNS)
NOTICES_CSV = DataFile("notices.csv", "与 notices.json 相同的行，CSV（UTF-8 带 BOM，Excel 可直接打开）", NOTICE_COLUMNS)
CONTACTS = "contacts/"  # one pair of files per county: a province's contacts are half a million rows
CONTACTS_DESCRIPTION = "{county}的网格长、网格员、楼栋长、驻镇法官、综治中心和法律服务，每人（每个机构）一行"


@dataclass(frozen=True)
class Made:
    """A file this module wrote (or kept), as the page record keeps it (cache.PageCache.data): the digest of
    everything it is made from, the size and time of the file written, and its sha256 and rows (data/index.json)."""

    key: str
    size: int
    mtime_ns: int
    sha256: str = ""
    rows: int = 0


@dataclass
class Earlier:
    """What the last build wrote, for keeping files whose inputs did not change (build.py passes it in).

    `made`: file below the site → Made, of the published site `site_dir`; `keys`: page URL → the digest of
    everything its page is made from (render.Renderer.job_key, this build's); `keep(source, target)`: puts
    a published file into the staged site (build.keep: a hard link). `made` is filled with this build's
    files as they are written or kept, for the next record."""

    made: Mapping[str, Made] = field(default_factory=dict)
    site_dir: Path | None = None
    keys: Mapping[str, str] = field(default_factory=dict)
    keep: Callable[[Path, Path], None] | None = None
    now: dict[str, Made] = field(default_factory=dict)

    def key_of(self, url: str, thing: object) -> str:
        """The key of the page at `url` (it covers the object the page is made from), or the object's own repr."""
        return self.keys.get(url) or digest(repr(thing))

    def reuse(self, site: Path, name: str, key: str) -> Made | None:
        """Keep the published `name` in the staged `site` when it was made from `key` and is still the file
        written (page.still_written, as build.Plan checks pages); None: write it."""
        before = self.made.get(name)
        if before is None or before.key != key or self.site_dir is None or self.keep is None:
            return None
        source = self.site_dir / name
        if not still_written(source, before.size, before.mtime_ns):
            return None
        self.keep(source, site / name)
        self.now[name] = before
        return before

    def wrote(self, site: Path, name: str, key: str, data: bytes, rows: int = 0) -> Made:
        """Write `data` as `name` into the staged site and record it."""
        target = site / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)  # never write through a kept file's link into the published site
        target.write_bytes(data)
        stat = target.stat()
        made = Made(key, stat.st_size, stat.st_mtime_ns, hashlib.sha256(data).hexdigest(), rows)
        self.now[name] = made
        return made


def write_open_data(
    site: Path,
    portal: Portal,
    region_url,
    title: str,
    redirects: Iterable[str] = (),
    earlier: Earlier | None = None,
) -> dict[str, Made]:
    """Every file this module makes, into the staged site at `site`. `region_url(region)`: the notice
    list folder of a place (render.Renderer.region_url); `title`: the site's name; `redirects`: the old
    addresses that only redirect (moved.py), which the sitemap leaves out; `earlier`: what the last build
    wrote (None: write everything). Returns the record of the data files and feeds, for the next build."""
    earlier = earlier if earlier is not None else Earlier()
    write_data(site, portal, earlier)
    for name in ("sitemap.xml", "sitemap.xml.gz"):  # MkDocs' own: only the hub pages, and no address without site_url
        (site / name).unlink(missing_ok=True)
    if portal.site_url:
        author = feed_author(portal, title)
        for folder, feed_title, notices in feed_groups(portal, region_url, title):
            entries = notices[:FEED_SIZE]
            key = digest(
                "feed",
                folder,
                feed_title,
                author,
                portal.site_url,
                # no entries: the feed's time is today's
                portal.today.isoformat() if not entries else "",
                *(n.url + earlier.key_of(n.url, n) for n in entries),
            )
            if not all(earlier.reuse(site, folder + name, key) for name in (ATOM_FILE, JSON_FEED_FILE)):
                write_feeds(site, portal, folder, feed_title, notices, earlier, key)
        write_sitemap(site, portal.site_url, lastmods(portal), set(redirects))
    write_robots(site, portal.site_url)
    return earlier.now


# ------------------------------------------------------------------ feeds


def feed_groups(portal: Portal, region_url, title: str) -> Iterable[tuple[str, str, Sequence[Published]]]:
    """(folder, title, notices newest first) of each feed: the site's, each kind's, each county's."""
    notices = portal.notices
    yield SITE_FEEDS, f"{title} · 全部公告", notices
    for folder, kind in (("lost", LostDocumentNotice), ("deregistration", Deregistration)):
        yield f"notices/{folder}/", f"{title} · {kind.kind_label}", [n for n in notices if isinstance(n, kind)]
    counties: dict[str, list[Published]] = {}
    for notice in notices:
        parts = (notice.region or "").split("/")
        if len(parts) >= 2:
            counties.setdefault("/".join(parts[:2]), []).append(notice)
    for path, items in sorted(counties.items()):
        region = portal.region(path)
        if region is not None:
            yield region_url(region), f"{title} · {region.name}的公告", items


def feed_folder(kind: str | None, region_path: str | None, portal: Portal, region_url) -> str:
    """The feed folder a notice list page offers: its kind's, its county's (a town's list: its county's;
    a city's: the site's), or the site's."""
    if kind:
        return f"notices/{kind}/"
    parts = (region_path or "").split("/")
    region = portal.region("/".join(parts[:2])) if len(parts) >= 2 else None
    return region_url(region) if region is not None else SITE_FEEDS


def feed_author(portal: Portal, title: str) -> str:
    return portal.identity.organizer or portal.identity.name or title


def timestamp(day: dt.date) -> str:
    return day.isoformat() + CHINA_MIDNIGHT


def summary(notice: Notice) -> str:
    """One line for a feed entry, with the document number masked as on the page."""
    if isinstance(notice, LostDocumentNotice):
        number = privacy.public_number(notice.document)
        text = (
            f"{notice.holder}遗失{notice.document.label}" + (f"（号码：{number}）" if number else "") + "，声明作废。"
        )
    else:
        assert isinstance(notice, Deregistration)
        text = (
            f"{notice.organization}（统一社会信用代码 {notice.credit_code}）拟申请注销登记，"
            f"债权人请于 {notice.claim_deadline.isoformat()} 前申报债权。"
        )
    return ("【已撤回】" + text) if notice.withdrawn else text


def write_feeds(
    site: Path,
    portal: Portal,
    folder: str,
    title: str,
    notices: Sequence[Published],
    earlier: Earlier | None = None,
    key: str = "",
) -> None:
    earlier = earlier if earlier is not None else Earlier()
    base = portal.site_url or ""
    entries = notices[:FEED_SIZE]
    updated = timestamp(max((n.published for n in entries), default=portal.today))
    author = feed_author(portal, title)
    feed = ET.Element("feed", {"xmlns": ATOM, "xml:lang": "zh-CN"})
    for tag, text in (("id", base + folder + ATOM_FILE), ("title", title), ("updated", updated)):
        ET.SubElement(feed, tag).text = text
    ET.SubElement(feed, "link", {"rel": "self", "type": "application/atom+xml", "href": base + folder + ATOM_FILE})
    ET.SubElement(feed, "link", {"rel": "alternate", "type": "text/html", "href": base + folder})
    ET.SubElement(ET.SubElement(feed, "author"), "name").text = author
    for notice in entries:
        entry = ET.SubElement(feed, "entry")
        for tag, text in (
            ("id", base + notice.url),
            ("title", notice.title),
            ("published", timestamp(notice.published)),
            ("updated", timestamp(notice.published)),
        ):
            ET.SubElement(entry, tag).text = text
        ET.SubElement(entry, "link", {"rel": "alternate", "type": "text/html", "href": base + notice.url})
        ET.SubElement(entry, "summary", {"type": "text"}).text = summary(notice)
        ET.SubElement(entry, "category", {"term": notice.kind, "label": notice.kind_label})
    earlier.wrote(site, folder + ATOM_FILE, key, ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n")
    items = [
        {
            "id": base + n.url,
            "url": base + n.url,
            "title": n.title,
            "content_text": summary(n),
            "summary": summary(n),
            "date_published": timestamp(n.published),
            "tags": [n.kind_label],
        }
        for n in entries
    ]
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "home_page_url": base + folder,
        "feed_url": base + folder + JSON_FEED_FILE,
        "language": "zh-CN",
        "authors": [{"name": author}],
        "items": items,
    }
    earlier.wrote(
        site, folder + JSON_FEED_FILE, key, (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode()
    )


# ------------------------------------------------------------------ data/


def text(value) -> str | None:
    """Every value in data/ is text or null: dates YYYY-MM-DD, true/false, whole numbers in digits."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def notice_row(notice: Published) -> dict[str, str | None]:
    """A notice's row of data/notices.*: its published fields (checking/published.py), each under its column."""
    fields = published.values(notice)
    return {field.column: text(fields.get(field.name)) for field in published.ALL if field.column}


def contact_rows(town: Town) -> Iterable[dict[str, str | None]]:
    place = {"town": town.path, "url": town.url, "updated": town.updated}

    def row(**values) -> dict[str, str | None]:
        merged = place | values
        return {column: text(merged.get(column)) for column in CONTACT_COLUMNS}

    if town.office:
        yield row(role="综治中心", name=town.office.name, phone=town.office.phone, address=town.office.address)
    for judge in town.judges:
        yield row(role="驻镇法官", name=judge.name, title=judge.title, organization=judge.court, phone=judge.phone)
    for grid in town.grids:
        where = {"grid_id": grid.id, "grid_name": grid.name, "village": grid.village}
        yield row(
            role="网格长",
            name=grid.leader.name,
            phone=grid.leader.phone,
            covers="、".join(grid.covers) or None,
            **where,
        )
        for worker in grid.workers:
            yield row(
                role="网格员", name=worker.name, phone=worker.phone, duties="、".join(worker.duties) or None, **where
            )
        for building in grid.buildings:
            yield row(
                role="楼栋长", name=building.leader.name, phone=building.leader.phone, address=building.name, **where
            )
    for service in town.legal_services:
        yield row(
            role=service.kind_label,
            name=service.name,
            organization=service.firm,
            village=service.village,
            phone=service.phone,
            address=service.address,
            hours=service.hours,
        )


def contact_table(towns: list[Town]) -> list[dict[str, str | None]]:
    return [row for town in towns for row in contact_rows(town)]


def csv_cell(value: str | None) -> str:
    """A value as a CSV cell: null is empty; a formula-like start gets one "'" more (FORMULA_STARTS)."""
    if value is None:
        return ""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_value(cell: str) -> str | None:
    """The value a CSV cell holds (the inverse of csv_cell): for readers of data/*.csv and the tests."""
    if cell == "":
        return None
    return cell.removeprefix("'")


def csv_bytes(rows: list[dict[str, str | None]], columns: dict[str, str]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)  # RFC 4180: CRLF, "" inside quotes
    writer.writerow(columns)
    for row in rows:
        writer.writerow(csv_cell(row[column]) for column in columns)
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def write_data(site: Path, portal: Portal, earlier: Earlier | None = None) -> None:
    """data/notices.json and .csv, data/contacts/<county>.json and .csv (the county's folder name in the
    towns' addresses, towns/<county>/<town>/), and data/index.json listing them. A file whose key (a digest
    of its name, description and the keys of the notices or towns it holds) is the last build's, and whose
    published copy is untouched, is kept (`Earlier.reuse`); its size, sha256 and rows come from the record."""
    earlier = earlier if earlier is not None else Earlier()
    (site / DATA / CONTACTS).mkdir(parents=True, exist_ok=True)
    groups: list[tuple[list[DataFile], Callable[[], list[dict[str, str | None]]], list[str]]] = [
        (
            [NOTICES_JSON, NOTICES_CSV],
            lambda: [notice_row(n) for n in portal.notices],
            [n.url + earlier.key_of(n.url, n) for n in portal.notices],
        )
    ]
    counties: dict[str, list[Town]] = {}
    for town in sorted(portal.towns, key=lambda t: t.path):
        counties.setdefault(town.url.split("/")[1], []).append(town)
    for name, towns in sorted(counties.items()):
        description = CONTACTS_DESCRIPTION.format(county=towns[0].county_path)
        specs = [
            DataFile(f"{CONTACTS}{name}.json", description, CONTACT_COLUMNS),
            DataFile(f"{CONTACTS}{name}.csv", description + "（CSV，UTF-8 带 BOM）", CONTACT_COLUMNS),
        ]
        groups.append(
            (
                specs,
                functools.partial(contact_table, towns),
                [repr((t.path, t.url, t.updated)) + earlier.key_of(t.url, t) for t in towns],
            )
        )
    files = []
    for specs, make_rows, parts in groups:
        rows: list[dict[str, str | None]] | None = None
        for spec in specs:
            name = DATA + spec.name
            key = digest("data", spec.name, spec.description, repr(spec.columns), *parts)
            made = earlier.reuse(site, name, key)
            if made is None:
                rows = make_rows() if rows is None else rows
                data = json_bytes(rows) if spec.name.endswith(".json") else csv_bytes(rows, spec.columns)
                made = earlier.wrote(site, name, key, data, len(rows))
            files.append(
                {
                    "name": spec.name,
                    "description": spec.description,
                    "rows": made.rows,
                    "size": made.size,
                    "sha256": made.sha256,
                }
            )
    index = {
        "title": "开放数据 (open data)",
        "date": portal.today.isoformat(),
        "note": (
            "每个值都是文字或 null；日期 YYYY-MM-DD。CSV 为 UTF-8（带 BOM）、RFC 4180 格式；以 = + - @ ' "
            "或制表符开头的单元格前多加了一个 '，防止 Excel 当作公式，读取时去掉这一个 '。证件号码与网页相同地遮盖。"
        ),
        "columns": {"notices": NOTICE_COLUMNS, "contacts": CONTACT_COLUMNS},
        "files": files,
    }
    (site / DATA / "index.json").write_bytes(json_bytes(index, indent=1))


def json_bytes(value, indent: int | None = None) -> bytes:
    """JSON in UTF-8; the data files one row a line (compact, yet a diff or `head` shows rows)."""
    if indent is not None or not isinstance(value, list):
        return (json.dumps(value, ensure_ascii=False, indent=indent) + "\n").encode("utf-8")
    rows = (json.dumps(row, ensure_ascii=False, separators=(",", ":")) for row in value)
    return ("[\n" + ",\n".join(rows) + "\n]\n").encode("utf-8")


# ------------------------------------------------------------------ sitemap and robots.txt


def lastmods(portal: Portal) -> dict[str, dt.date]:
    """The date the data gives each page: a notice's publication, a town list's update."""
    dates: dict[str, dt.date] = {n.url: n.published for n in portal.notices}
    dates.update({town.url: town.updated for town in portal.towns})
    return dates


def page_urls(site: Path, redirects: AbstractSet[str] = frozenset()) -> list[str]:
    """Every HTML page of the staged site as its address (directory style), but the 404 page, the
    web editor (admin/) and the redirect pages of old addresses."""
    urls = []
    for name in site_files(site):
        if name.endswith(".html") and name != "404.html" and not name.startswith(("admin/", "pagefind/")):
            url = name.removesuffix("index.html")
            if url not in redirects:
                urls.append(url)
    return sorted(urls)


def write_sitemap(
    site: Path, site_url: str, dates: dict[str, dt.date], redirects: AbstractSet[str] = frozenset()
) -> None:
    urls = page_urls(site, redirects)
    chunks = [urls[i : i + SITEMAP_LIMIT] for i in range(0, len(urls), SITEMAP_LIMIT)] or [[]]
    names = ["sitemap.xml"] if len(chunks) == 1 else [f"sitemap-{n}.xml" for n in range(1, len(chunks) + 1)]
    for name, chunk in zip(names, chunks):
        lines = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
        ]
        for url in chunk:
            lastmod = f"<lastmod>{dates[url].isoformat()}</lastmod>" if url in dates else ""
            lines.append(f"<url><loc>{xml_text(site_url + url)}</loc>{lastmod}</url>")
        (site / name).write_text("\n".join([*lines, "</urlset>", ""]), encoding="utf-8")
    if len(chunks) > 1:
        lines = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
        ]
        lines += [f"<sitemap><loc>{xml_text(site_url + name)}</loc></sitemap>" for name in names]
        (site / "sitemap.xml").write_text("\n".join([*lines, "</sitemapindex>", ""]), encoding="utf-8")


def xml_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_robots(site: Path, site_url: str | None) -> None:
    lines = ["User-agent: *", "Disallow: /admin/", "Allow: /"]
    if site_url:
        lines.append(f"Sitemap: {site_url}sitemap.xml")
    (site / "robots.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
