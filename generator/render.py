"""Stage 3: turn the model into pages (Markdown files holding escaped HTML) for MkDocs.

Every value from YAML goes through Jinja's autoescape inside a raw HTML block,
which Markdown leaves alone: `<script>`, `javascript:` links, `{{ }}` and
`# heading` in a value show as plain text. Templates are looked up most
specific first, and a folder of overrides is searched before `templates/`.
"""

from __future__ import annotations

import datetime as dt
import json
import posixpath
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import jinja2
from slugify import slugify

from . import privacy
from .history import History
from .model import Deregistration, LostDocumentNotice, Notice, Portal, Region, Town, region_index
from .rules import RULES
from .schema import DEREGISTRATION, LOST, TOWN, ListOf, Struct

DEFAULT_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
LATEST_COUNT = 10


@dataclass(frozen=True)
class Page:
    """One generated page: its URL (directory style, relative to the site root) and its Markdown."""

    url: str
    title: str
    text: str

    @property
    def docs_path(self) -> str:
        return "index.md" if self.url == "" else self.url.rstrip("/") + ".md"


def environment(overrides: Path | None = None) -> jinja2.Environment:
    loaders = [jinja2.FileSystemLoader(str(overrides))] if overrides else []
    loaders.append(jinja2.FileSystemLoader(str(DEFAULT_TEMPLATES)))
    env = jinja2.Environment(loader=jinja2.ChoiceLoader(loaders), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.filters["zh_date"] = zh_date
    env.filters["public_number"] = lambda document: privacy.public_number(document.type, document.number)
    return env


def zh_date(value: dt.date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def relative(from_url: str, to_url: str) -> str:
    """A relative link between two directory-style URLs (`a/b/` → `c/`), so the site works under any prefix."""
    start = "/" + from_url
    target = "/" + to_url
    rel = posixpath.relpath(target, start if start.endswith("/") else posixpath.dirname(start))
    if (to_url == "" or to_url.endswith("/")) and not rel.endswith("/"):
        rel += "/"
    if rel.startswith("./"):
        rel = rel[2:]
    return rel or "./"


def safe_title(text: str) -> str:
    """A page title for the theme's <title> and header, which print it unescaped: no markup characters survive."""
    return text.translate(str.maketrans({"<": "＜", ">": "＞", "&": "＆", '"': "＂", "'": "＇", "{": "｛", "}": "｝"}))


class Renderer:
    """Renders every page of one portal; templates see the model and a `link()` helper."""

    def __init__(self, portal: Portal, env: jinja2.Environment, history: dict[Path, History] | None = None):
        self.portal = portal
        self.env = env
        self.index = region_index(portal.regions)
        self.history = history or {}

    def history_of(self, source_path: str, written: dt.date) -> History:
        """From git when the file is committed; otherwise the date written in the file."""
        return self.history.get(Path(source_path).resolve()) or History(written, written, from_git=False)

    def page(self, url: str, title: str, templates: list[str], **context) -> Page:
        template = self.env.select_template(templates)
        html = template.render(
            portal=self.portal, today=self.portal.today, page_url=url, title=title,
            link=lambda target: relative(url, target), **context)
        html = "\n".join(line for line in html.splitlines() if line.strip())
        front = f"---\ntitle: {json.dumps(safe_title(title), ensure_ascii=False)}\n---\n\n"
        return Page(url, title, front + html + "\n")

    # ---------------------------------------------------------------- pages

    def all_pages(self) -> list[Page]:
        pages = [self.home(), self.towns_index(), self.judges(), self.search(), self.notices_index(),
                 self.rules_reference(), self.fields_reference()]
        pages += [self.town(town) for town in self.portal.towns]
        pages += [self.notice(notice) for notice in self.portal.notices]
        pages += self.notice_lists()
        return pages

    def home(self) -> Page:
        return self.page("", "公告与法律服务", ["home.html"], latest=self.portal.notices[:LATEST_COUNT],
                         tree=self.town_tree())

    def towns_index(self) -> Page:
        return self.page("towns/", "查找网格员", ["towns.html"], tree=self.town_tree())

    def judges(self) -> Page:
        return self.page("judges/", "驻镇法官与法律服务", ["judges.html"], tree=self.town_tree())

    def search(self) -> Page:
        return self.page("search/", "搜索", ["search.html"])

    def town(self, town: Town) -> Page:
        county_slug, town_slug = town.url.split("/")[1:3]
        title = f"{town.name}网格员、驻镇法官联系方式"
        return self.page(town.url, title, [f"town/{county_slug}/{town_slug}.html", "town.html"], town=town,
                         villages=self._villages(town), history=self.history_of(town.source.path, town.updated))

    def notice(self, notice: Notice) -> Page:
        return self.page(notice.url, notice.title, [f"{notice.kind}.html", "notice.html"], notice=notice,
                         claim_open=notice.claim_open(self.portal.today) if isinstance(notice, Deregistration) else None,
                         search_extra=self._search_extra(notice),
                         history=self.history_of(notice.source.path, notice.published))

    def notices_index(self) -> Page:
        years = defaultdict(lambda: defaultdict(int))
        for notice in self.portal.notices:
            years[notice.kind][notice.year] += 1
        return self.page("notices/", "全部公告", ["notices.html"], years=years, regions=self._notice_regions(),
                         region_url=self.region_url)

    def notice_lists(self) -> list[Page]:
        pages = []
        for kind, label, notices in (("lost", "遗失声明", self.portal.lost), ("deregistration", "注销公告", self.portal.deregistrations)):
            ordered = sorted(notices, key=lambda n: (n.published, n.url), reverse=True)
            by_year = defaultdict(list)
            for notice in ordered:
                by_year[notice.data_file.split("/")[2]].append(notice)
            pages.append(self.page(f"notices/{kind}/", label, ["notice-list.html"], notices=ordered,
                                   years=sorted(by_year, reverse=True), kind=kind))
            for year, items in by_year.items():
                pages.append(self.page(f"notices/{kind}/{year}/", f"{year}年{label}", ["notice-list.html"],
                                       notices=items, years=[], kind=kind))
        for region, items in self._notice_regions().items():
            pages.append(self.page(self.region_url(region), f"{region.name}的公告", ["notice-list.html"],
                                   notices=items, years=[], kind=None))
        return pages

    def rules_reference(self) -> Page:
        return self.page("guide/rules/", "检查规则一览", ["rules.html"], rules=list(RULES.values()))

    def fields_reference(self) -> Page:
        sections = [("遗失声明 lost/<年>/*.yaml", list(flatten(LOST))), ("注销公告 deregistration/<年>/*.yaml", list(flatten(DEREGISTRATION))),
                    ("镇（街道）contacts/<县>/<镇>.yaml", list(flatten(TOWN)))]
        return self.page("guide/fields/", "字段说明", ["fields.html"], sections=sections)

    # ---------------------------------------------------------------- helpers

    def town_tree(self) -> list[tuple[Region, list[tuple[Region, list[Town]]]]]:
        """City → county → towns that have a contacts file, in regions.yaml order."""
        by_county = defaultdict(list)
        for town in self.portal.towns:
            by_county[town.county_path].append(town)
        order = {region.path: i for i, region in enumerate(_walk(self.portal.regions))}
        tree = []
        for city in self.portal.regions:
            counties = [(county, sorted(by_county[county.path], key=lambda t: order.get(t.path, 0)))
                        for county in city.children if by_county.get(county.path)]
            if counties:
                tree.append((city, counties))
        return tree

    def region_url(self, region: Region) -> str:
        return "notices/regions/" + "/".join(slugify(part) or "region" for part in region.path.split("/")) + "/"

    def _notice_regions(self) -> dict[Region, list[Notice]]:
        """Every region with notices in it (a notice counts for its region and each region above)."""
        result: dict[str, list[Notice]] = defaultdict(list)
        for notice in self.portal.notices:
            if not notice.region:
                continue
            parts = notice.region.split("/")
            for depth in range(1, len(parts) + 1):
                result["/".join(parts[:depth])].append(notice)
        return {self.index[path]: items for path, items in sorted(result.items()) if path in self.index}

    def _villages(self, town: Town) -> dict[str, list]:
        villages = defaultdict(list)
        for grid in town.grids:
            villages[grid.village].append(grid)
        return villages

    def _search_extra(self, notice: Notice) -> str | None:
        if isinstance(notice, LostDocumentNotice):
            return privacy.visible_part(notice.document.type, notice.document.number)
        return None


def _walk(regions: list[Region]):
    for region in regions:
        yield region
        yield from _walk(region.children)


def flatten(struct: Struct, prefix: str = ""):
    """(key path, field) rows of a schema, for the field reference."""
    for key, spec in struct.fields.items():
        yield prefix + key, spec
        inner = spec.type.item if isinstance(spec.type, ListOf) else spec.type
        if isinstance(inner, Struct):
            yield from flatten(inner, prefix + key + ("[]." if isinstance(spec.type, ListOf) else "."))


def render(portal: Portal, overrides: Path | None = None, history: dict[Path, History] | None = None) -> list[Page]:
    return Renderer(portal, environment(overrides), history).all_pages()
