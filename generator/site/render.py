"""Stage 3: turn the model into pages: escaped HTML bodies with a title and a URL.

Every value from YAML goes through Jinja's autoescape: `<script>`, `javascript:`
links, `{{ }}` and `# heading` in a value show as plain text. Templates are
looked up most specific first, and a folder of overrides is searched before
`templates/`.

Two kinds of page come out. The few hub pages in the navigation (home, towns,
judges, notices, search, guides) go through MkDocs as Markdown files holding a
raw HTML block, which Markdown leaves alone. The thousands of town, notice and
list pages are "shell" pages: each is written straight into the theme's page
frame (see shell.py), so a province builds in seconds rather than hours.
"""

from __future__ import annotations

import datetime as dt
import functools
import posixpath
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup

from .. import resources
from ..checking import fingerprint, privacy, reference, slugs
from ..checking import guides as guide_rules
from ..checking.guides import GUIDE
from ..checking.history import History
from ..checking.identity import SITE
from ..checking.legal import LEGAL
from ..checking.model import STATE_WORDS, Deregistration, LostDocumentNotice, Notice, Portal, Region, Town, region_index
from ..checking.rules import RULES
from ..checking.schema import DEREGISTRATION, LOST, TOWN, ListOf, Struct
from ..checking.validate import ASSEMBLED_FIELDS
from . import boards, legalpages, moved, qr, searchwords
from .anchors import town_anchors, village_anchors
from .opendata import ATOM_FILE, JSON_FEED_FILE, feed_folder
from .page import Job, Page, digest
from .searchindex import search_group

DEFAULT_TEMPLATES = resources.TEMPLATES
LATEST_COUNT = 10


PAGE_SIZE = 100  # notices per list page


#: The pages of each town and each notice, in the order `Renderer.jobs` lists them: (method, its target).
TOWN_PAGES = (("town", lambda town: town), ("boards_page", lambda town: boards.Boards(town)))
NOTICE_PAGES = (("notice", lambda notice: notice), ("proof", lambda notice: Proof(notice)))


@dataclass(frozen=True)
class Proof:
    """A notice's 刊登证明 (publication proof): a page of its own below the notice's, `<notice>/proof/`."""

    notice: LostDocumentNotice | Deregistration

    @property
    def url(self) -> str:
        return self.notice.proof_url


def environment(overrides: Path | None = None) -> jinja2.Environment:
    loaders = [jinja2.FileSystemLoader(str(overrides))] if overrides else []
    loaders.append(jinja2.FileSystemLoader(str(DEFAULT_TEMPLATES)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["zh_date"] = zh_date_html
    env.globals["notice_card"] = notice_card
    env.globals["notice_state"] = state
    env.globals["STATE_WORDS"] = STATE_WORDS
    env.globals["search_words_of"] = searchwords.words
    env.globals["town_search_values"] = searchwords.town_values
    env.globals["notice_search_values"] = searchwords.notice_values
    env.globals["town_anchors"] = town_anchors
    env.globals["village_anchors"] = village_anchors
    env.globals["reference_forms"] = reference.search_forms
    env.globals["feed_files"] = {"atom": ATOM_FILE, "json": JSON_FEED_FILE}
    env.filters["public_number"] = privacy.public_number
    env.globals["field"] = fingerprint.mark
    env.globals["grouped"] = fingerprint.grouped
    legalpages.add_globals(env)
    boards.add_globals(env)
    return env


def zh_date(value: dt.date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def zh_date_html(value: dt.date | None) -> Markup:
    """A date as the pages show it, 2026年10月20日, never broken across two lines (portal.css: unless, in
    large-text mode, the date alone is wider than the phone)."""
    return Markup('<span class="pt-date">{}</span>').format(zh_date(value)) if value else Markup("")


#: STATE_WORDS (model.py, imported above) are the state words a notice can carry; the fingerprint's
#: STATUS_LABELS (fingerprint.py) are made from them.


def state(notice: Notice, today: dt.date) -> str:
    """The key of a notice's state on `today` (a STATE_WORDS key)."""
    if notice.withdrawn:
        return "withdrawn"
    if isinstance(notice, Deregistration):
        return "open" if notice.claim_open(today) else "closed"
    return "declared"


def notice_card(notice: Notice, today: dt.date) -> str:
    """What a search result shows of a notice besides its title: kind, holder or organisation, date, state,
    and a deregistration's 清算联系人 and phone, `|`-separated (a Pagefind meta value: no comma, which would end it).
    A deregistration still open adds the state after its deadline and the deadline (ISO), so search.js can correct a
    result that an old index shows as open (claim.js)."""
    key = state(notice, today)
    open_until = notice.claim_deadline if isinstance(notice, Deregistration) and key == "open" else None
    word = f"{STATE_WORDS[key]} 申报截至{zh_date(open_until)}" if open_until else STATE_WORDS[key]
    who = (
        notice.organization
        if isinstance(notice, Deregistration)
        else notice.holder
        if isinstance(notice, LostDocumentNotice)
        else ""
    )
    contact = notice.contact if isinstance(notice, Deregistration) else None
    fields = [
        notice.kind_label,
        who,
        zh_date(notice.published),
        word,
        contact.name if contact else "",
        contact.phone.text if contact and contact.phone else "",
    ]
    if open_until:
        fields += [STATE_WORDS["closed"], open_until.isoformat()]  # words between the phone and the date:
        # Pagefind's index runs meta values together, and the output scan reads a phone number and a date as one ID
    return "|".join(field.replace("|", "｜").replace(",", "，") for field in fields)


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


class Renderer(legalpages.LegalPages):
    """Renders every page of one portal; templates see the model and a `link()` helper."""

    def __init__(
        self,
        portal: Portal,
        env: jinja2.Environment,
        history: dict[Path, History] | None = None,
        file_digests: dict[str, str] | None = None,
    ):
        self.portal = portal
        self.env = env
        self.index = region_index(portal.regions)
        self.history = history or {}
        self.file_digests = file_digests or {}
        self._notice_keys: dict[int, str] = {}
        self._folders: dict[str, Path] = {}

    def history_of(self, source_path: str, written: dt.date) -> History:
        """From git when the file is committed; otherwise the date written in the file."""
        found = self.history.get(self._resolved(source_path)) if self.history else None
        return found or History(written, written, from_git=False)

    def _resolved(self, source_path: str) -> Path:
        """`Path(source_path).resolve()` with each folder resolved once (35,000 files at province scale):
        the loader never takes a data file that is a symbolic link, so only its folders can be."""
        folder, _, name = source_path.rpartition("/")
        resolved = self._folders.get(folder)
        if resolved is None:
            resolved = self._folders[folder] = Path(folder or ".").resolve()
        return resolved / name

    def page(
        self, url: str, title: str, templates: list[str], shell: bool = False, search_group: str = "", **context
    ) -> Page:
        template = self.env.select_template(templates)
        text = template.render(
            portal=self.portal,
            today=self.portal.today,
            page_url=url,
            title=title,
            link=lambda target: relative(url, target),
            **context,
        )
        body = "\n".join(line for line in text.splitlines() if line.strip())
        return Page(url, title, body, shell, search_group)

    # ---------------------------------------------------------------- pages

    def hub_pages(self) -> list[Page]:
        """The pages in the navigation, built by MkDocs."""
        return [
            self.home(),
            self.towns_index(),
            self.judges(),
            self.search(),
            self.notices_index(),
            self.rules_reference(),
            self.fields_reference(),
        ]

    def jobs(self) -> list[Job]:
        """Every shell page, as a cheap description; `render_job` turns one into a Page."""
        jobs = [Job(method, made(town)) for method, made in TOWN_PAGES for town in self.portal.towns]
        jobs += [Job(method, made(notice)) for method, made in NOTICE_PAGES for notice in self.portal.notices]
        jobs += [Job("notice_list", spec) for spec in self.list_specs()]
        jobs += self.legal_jobs()
        return jobs

    def own_jobs(self, item: Town | Notice) -> list[Job]:
        """The pages of one town (its page and its 公示牌) or one notice (its page and its 刊登证明): those that
        show no other town or notice. The lists, hub pages and county pages that show it show others too."""
        return [Job(method, made(item)) for method, made in (TOWN_PAGES if isinstance(item, Town) else NOTICE_PAGES)]

    def over(self, portal: Portal) -> Renderer:
        """A renderer of `portal`, whose towns and notices may differ from this one's but not its regions,
        legal configuration or site identity: templates and history are this one's, and the place addresses
        (the regions' pinyin, 1.8 s at province scale) are shared rather than made again."""
        other = Renderer(portal, self.env, self.history, self.file_digests)
        other._folders = self._folders
        if "_region_urls" in self.__dict__:
            other.__dict__["_region_urls"] = self.__dict__["_region_urls"]
        return other

    def render_job(self, job: Job) -> Page:
        return getattr(self, job.method)(job.target)

    def job_key(self, job: Job) -> str:
        """A digest of everything the job's page is made from, apart from what every page shares (templates,
        frame, regions: the build adds those). Same key, same page: the incremental build relies on it."""
        if (legal_key := self.legal_key(job)) is not None:
            return legal_key
        if job.method == "town":
            town = job.target
            return digest(
                job.method,
                self.made_from(town),
                repr(self.portal.stale(town)),
                repr(self.history_of(town.source.path, town.updated)),
                self.legal_key_of(town),
            )
        if job.method == "boards_page":  # its town, and the hotlines of the town (the complaints line)
            return digest(job.method, self.made_from(job.target.town), self.legal_key_of(job.target.town))
        if job.method == "notice":
            return self._notice_key(job.target)
        if job.method == "proof":  # the site's address is in the build's scope (cache.py)
            return digest(job.method, self._notice_key(job.target.notice))
        spec = job.target
        return digest(
            job.method,
            repr((spec.url, spec.title, spec.total, spec.kind, spec.years, spec.pages, spec.number)),
            *(self._notice_key(notice) for notice in spec.notices),
        )

    def _notice_key(self, notice: Notice) -> str:
        """A notice's page and its line in lists: its fields, its history, and (for a deregistration) whether claims are still open today."""
        key = self._notice_keys.get(id(notice))
        if key is None:
            open_today = notice.claim_open(self.portal.today) if isinstance(notice, Deregistration) else None
            key = digest(
                "notice",
                self.made_from(notice),
                repr(open_today),
                repr(self.history_of(notice.source.path, notice.published)),
                self.legal_key_of(notice),
            )
            self._notice_keys[id(notice)] = key
        return key

    def made_from(self, item: Town | Notice) -> str:
        """What a town or notice object is made of, for page keys: its file's path and the digest of its
        bytes (the check stage's), and the fields `assemble` set from other files — cheaper than the
        object's `repr` (35,000 of them at province scale) and the same: the object is made from that file
        alone otherwise. Keys need a model a build checked (`run_check` gives every file's digest)."""
        path = item.source.path
        return digest(path, self.file_digests[path], *(repr(getattr(item, name, None)) for name in ASSEMBLED_FIELDS))

    def regions_key(self) -> str:
        """The region tree (names in breadcrumbs and list titles)."""
        return digest(*(f"{region.path}\t{region.code}" for region in _walk(self.portal.regions)))

    def all_pages(self) -> list[Page]:
        return self.hub_pages() + [self.render_job(job) for job in self.jobs()]

    def home(self) -> Page:
        return self.page(
            "", "公告与法律服务", ["home.html"], latest=self.portal.notices[:LATEST_COUNT], tree=self.town_tree()
        )

    def towns_index(self) -> Page:
        return self.page("towns/", "查找网格员", ["towns.html"], tree=self.town_tree())

    def judges(self) -> Page:
        return self.page(
            "judges/",
            "驻镇法官与法律服务",
            ["judges.html"],
            tree=self.town_tree(),
            county_url=lambda county: self._county_urls[county.path],
        )

    def search(self) -> Page:
        return self.page("search/", "搜索", ["search.html"])

    def town(self, town: Town) -> Page:
        county_slug, town_slug = town.url.split("/")[1:3]
        title = f"{town.name}网格员、驻镇法官联系方式"
        return self.page(
            town.url,
            title,
            [f"town/{county_slug}/{town_slug}.html", "town.html"],
            shell=True,
            town=town,
            villages=self._villages(town),
            history=self.history_of(town.source.path, town.updated),
        )

    def boards_page(self, target: boards.Boards) -> Page:
        """The town's 公示牌 for staff to print: not searched, not in the navigation (generator/site/boards.py)."""
        town = target.town
        return self.page(
            target.url,
            f"{town.name}公示牌（打印用）",
            ["boards.html"],
            shell=True,
            town=town,
            villages=self._villages(town),
        )

    def notice(self, notice: LostDocumentNotice | Deregistration) -> Page:
        rec = fingerprint.record(notice)
        return self.page(
            notice.url,
            notice.title,
            [f"{notice.kind}.html", "notice.html"],
            shell=True,
            search_group=search_group(notice),
            notice=notice,
            rec=rec,
            fingerprint=fingerprint.fingerprint_of(rec),
            proof_url=notice.proof_url,
            search_extra=self._search_extra(notice),
            history=self.history_of(notice.source.path, notice.published),
        )

    def proof(self, proof: Proof) -> Page:
        """The printable 刊登证明 of a notice: not searched (no data-pagefind-body), one A4 page."""
        notice = proof.notice
        rec = fingerprint.record(notice)
        address = qr.absolute(self.portal.site_url, notice.url)
        return self.page(
            proof.url,
            f"刊登证明：{notice.title}",
            ["proof.html"],
            shell=True,
            notice=notice,
            rec=rec,
            fingerprint=fingerprint.fingerprint_of(rec),
            address=address,
            qr=qr.svg(address, f"{notice.title}的网页地址", mask=boards.MASK) if address else None,
        )

    def notices_index(self) -> Page:
        years: defaultdict[str, defaultdict[int, int]] = defaultdict(lambda: defaultdict(int))
        for notice in self.portal.notices:
            years[notice.kind][notice.year] += 1
        return self.page(
            "notices/",
            "全部公告",
            ["notices.html"],
            years=years,
            regions=self._notice_regions(),
            region_url=self.region_url,
            feed=self.feed_of(None, None),
        )

    def list_specs(self) -> list[ListSpec]:
        """List pages by type, by year and by region, newest first, PAGE_SIZE notices a page."""
        specs = []
        for kind, label, notices in (
            ("lost", "遗失声明", self.portal.lost),
            ("deregistration", "注销公告", self.portal.deregistrations),
        ):
            ordered = sorted(notices, key=lambda n: (n.published, n.url), reverse=True)
            by_year = defaultdict(list)
            for notice in ordered:
                by_year[notice.data_file.split("/")[2]].append(notice)
            years = sorted(by_year, reverse=True)
            specs += paginate(f"notices/{kind}/", label, ordered, kind, years)
            for year in years:
                specs += paginate(f"notices/{kind}/{year}/", f"{year}年{label}", by_year[year], kind, [])
        for region, items in self._notice_regions().items():
            specs += paginate(self.region_url(region), f"{region.name}的公告", items, None, [])
        return specs

    def notice_list(self, spec: ListSpec) -> Page:
        return self.page(
            spec.url,
            spec.title,
            ["notice-list.html"],
            shell=True,
            notices=spec.notices,
            total=spec.total,
            years=spec.years,
            kind=spec.kind,
            pages=spec.pages,
            number=spec.number,
            feed=self.feed_of(spec.kind, self._list_regions.get(spec.pages[0])),
        )

    def feed_of(self, kind: str | None, region: str | None) -> str | None:
        """The folder of the feeds a notice list offers (opendata.py), or None: no feeds without the site's address."""
        if not self.portal.site_url:
            return None
        return feed_folder(kind, region, self.portal, self.region_url)

    @functools.cached_property
    def _list_regions(self) -> dict[str, str]:
        """A region's notice list address → its path."""
        return {url: path for path, url in self._region_urls.items()}

    def rules_reference(self) -> Page:
        return self.page("guide/rules/", "检查规则一览", ["rules.html"], rules=list(RULES.values()))

    def fields_reference(self) -> Page:
        sections = [
            ("遗失声明 lost/<年>/*.yaml", list(flatten(LOST))),
            ("注销公告 deregistration/<年>/*.yaml", list(flatten(DEREGISTRATION))),
            ("镇（街道）contacts/<县>/<镇>.yaml", list(flatten(TOWN))),
            ("法律指南 guides/*.md（开头 --- 之间的说明）", list(flatten(GUIDE))),
            ("热线与审核有效期 legal.yaml（可选）", list(flatten(LEGAL))),
            ("网站信息 site.yaml（主办单位、备案号、网址）", list(flatten(SITE))),
        ]
        return self.page(
            "guide/fields/",
            "字段说明",
            ["fields.html"],
            sections=sections,
            keep_start=privacy.ID_KEEP_START,
            keep_end=privacy.ID_KEEP_END,
        )

    # ---------------------------------------------------------------- helpers

    def town_tree(self) -> list[tuple[Region, list[tuple[Region, list[Town]]]]]:
        """City → county → towns that have a contacts file, in regions.yaml order."""
        by_county = defaultdict(list)
        for town in self.portal.towns:
            by_county[town.county_path].append(town)
        order = {region.path: i for i, region in enumerate(_walk(self.portal.regions))}
        tree = []
        for city in self.portal.regions:
            counties = [
                (county, sorted(by_county[county.path], key=lambda t: order.get(t.path, 0)))
                for county in city.children
                if by_county.get(county.path)
            ]
            if counties:
                tree.append((city, counties))
        return tree

    def region_url(self, region: Region) -> str:
        return self._region_urls[region.path]

    def moved(self) -> dict[str, str]:
        """Address the site published before (the old pinyin) → address now, for redirect pages (moved.py)."""
        categories = [
            (category, guide_rules.category_url(category))
            for category, _ in guide_rules.by_category(self.portal.guides)
        ]
        return moved.legacy(
            self.portal, self.region_url, [(county.path, url) for county, url, _ in self.service_counties()], categories
        )

    @functools.cached_property
    def _region_urls(self) -> dict[str, str]:
        """notices/regions/<city>/<county>/<town>/ in pinyin; two sibling places with the same pinyin
        (乌塘村 and 吴塘村) each keep their own list page (slugs.distinct: -<the digits of its code>)."""
        return slugs.place_urls(self.portal.regions, "notices/regions/")

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
            return privacy.visible_part(notice.document)
        return None


@dataclass(frozen=True)
class ListSpec:
    """One page of a notice list: the notices on it and links to its sibling pages."""

    url: str
    title: str
    notices: list
    total: int
    kind: str | None
    years: list[str]
    pages: list[str]  # the URL of every page of this list, first page first
    number: int  # 1-based


def paginate(url: str, title: str, notices: list, kind: str | None, years: list[str]) -> list[ListSpec]:
    """`url`, then `url`page/2/, … each with PAGE_SIZE notices."""
    count = max(1, -(-len(notices) // PAGE_SIZE))
    urls = [url] + [f"{url}page/{n}/" for n in range(2, count + 1)]
    return [
        ListSpec(
            page_url,
            title if n == 1 else f"{title}（第 {n} 页）",
            notices[(n - 1) * PAGE_SIZE : n * PAGE_SIZE],
            len(notices),
            kind,
            years,
            urls,
            n,
        )
        for n, page_url in enumerate(urls, 1)
    ]


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


def renderer(
    portal: Portal,
    overrides: Path | None = None,
    history: dict[Path, History] | None = None,
    file_digests: dict[str, str] | None = None,
) -> Renderer:
    return Renderer(portal, environment(overrides), history, file_digests)


def render(portal: Portal, overrides: Path | None = None, history: dict[Path, History] | None = None) -> list[Page]:
    """Every page at once (tests and small sites); `build` renders shell pages in parallel instead."""
    return renderer(portal, overrides, history).all_pages()
