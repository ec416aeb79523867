"""The portal's model: typed objects every renderer reads. Independent of MkDocs."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from typing import ClassVar

from .schema import PhoneNumber


@dataclass(frozen=True)
class Source:
    """Where an object was written: file and line, for problems and page footers."""

    path: str
    line: int = 1
    column: int = 1


@dataclass(eq=False)
class Region:
    name: str
    path: str
    code: str | None = None
    children: list[Region] = field(default_factory=list)
    source: Source | None = None

    @property
    def depth(self) -> int:
        return self.path.count("/")


@dataclass
class Person:
    name: str
    phone: PhoneNumber


@dataclass
class Worker(Person):
    duties: list[str] = field(default_factory=list)


@dataclass
class Building:
    name: str
    leader: Person


@dataclass
class WechatGroup:
    name: str
    qr: str | None = None


@dataclass
class Grid:
    id: str
    name: str
    village: str
    leader: Person
    covers: list[str] = field(default_factory=list)
    workers: list[Worker] = field(default_factory=list)
    buildings: list[Building] = field(default_factory=list)
    wechat_group: WechatGroup | None = None
    source: Source | None = None
    key_path: str = ""  # its place in the file, e.g. grids[3]

    @property
    def anchor(self) -> str:
        return f"grid-{self.id}"


@dataclass
class Judge:
    name: str
    court: str
    phone: PhoneNumber
    title: str | None = None


@dataclass
class Office:
    name: str
    phone: PhoneNumber | None = None
    address: str | None = None


@dataclass
class LegalService:
    kind: str
    kind_label: str
    name: str
    phone: PhoneNumber | None = None
    address: str | None = None
    village: str | None = None  # a village's 人民调解委员会 or 村（居）法律顾问
    firm: str | None = None  # a 村（居）法律顾问's law firm
    hours: str | None = None  # a 人民法庭's opening hours
    key_path: str = ""  # its place in the file, e.g. legal_services[3]


@dataclass(frozen=True)
class Hotline:
    name: str
    phone: PhoneNumber
    note: str | None = None
    key_path: str = field(default="", compare=False, repr=False)  # its place in legal.yaml, e.g. places[0].hotlines[1]


@dataclass(frozen=True)
class Citation:
    law: str  # 《中华人民共和国民法典》
    article: str  # 第一千零六十七条


@dataclass
class Guide:
    """A legal guide staff wrote under notices/guides/: front matter checked, body in Markdown."""

    title: str
    category: str
    questions: list[str]
    legal_basis: list[Citation]
    reviewed_by: str
    reviewed_on: dt.date
    body_html: str
    source: Source
    url: str
    applies_to: list[str] = field(default_factory=list)  # region paths; empty: everywhere
    documents: list[str] = field(default_factory=list)  # lost-document types it answers
    notices: list[str] = field(default_factory=list)  # notice kinds it answers (deregistration)
    sample: bool = False

    def applies(self, place: str | None) -> bool:
        """Whether a resident of `place` (a region path, or None: anywhere) is concerned."""
        if not self.applies_to or place is None:
            return True
        return any(place == p or place.startswith(p + "/") or p.startswith(place + "/") for p in self.applies_to)


@dataclass
class Town:
    path: str
    updated: dt.date
    judges: list[Judge]
    grids: list[Grid]
    source: Source
    url: str
    office: Office | None = None
    legal_services: list[LegalService] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def parts(self) -> list[str]:
        return self.path.split("/")

    @property
    def county_path(self) -> str:
        return self.path.rsplit("/", 1)[0]


@dataclass
class Document:
    type: str
    number: str | None = None
    issuer: str | None = None
    name: str | None = None

    @property
    def label(self) -> str:
        return self.name or self.type


@dataclass(frozen=True)
class Newspaper:
    """Where a notice also ran in print: 报刊名称, date, 版面."""

    name: str
    date: dt.date
    page: str | None = None


@dataclass(frozen=True)
class Correction:
    """A dated change to a published notice, shown under it."""

    date: dt.date
    change: str


@dataclass(frozen=True)
class Objection:
    """Where and until when an objection (异议) to a deregistration is lodged; office None: the authority."""

    closes_on: dt.date
    opens_on: dt.date
    office: str | None = None
    phone: PhoneNumber | None = None
    address: str | None = None


@dataclass(frozen=True)
class NoticeDates:
    """The dates a notice page shows at its foot: published (公告日期, the data), its last correction (the
    data), and a later change git knows of when the data names none."""

    published: dt.date
    corrected: dt.date | None = None
    changed: dt.date | None = None


#: The state words a notice can carry (render.STATE_WORDS, the templates' STATE_WORDS, fingerprint.STATUS_LABELS:
#: this one dict), each defined on the reading guide (docs/guide/reading.md) under the anchor `state-<key>`; the
#: badge links there. A lost-document notice that stands says what it does (the lost original is declared void),
#: never a bare 有效 that reads as "this ID card is valid".
STATE_WORDS = {"declared": "已声明作废", "withdrawn": "已撤回", "open": "公告期内", "closed": "公告期满"}


def lost_title(holder: str, document_label: str) -> str:
    """A lost-document notice's title (its page shows it; `portal verify` recomputes it)."""
    return f"{holder}遗失{document_label}声明"


def deregistration_title(organization: str) -> str:
    return f"{organization}注销公告"


def claim_deadline(published: dt.date, claim_days: int) -> dt.date:
    """The last day creditors may make claims: `claim_days` days after the notice's date."""
    return published + dt.timedelta(days=claim_days)


@dataclass
class Notice:
    """What every notice has: the fields list pages, feeds and search share."""

    kind: ClassVar[str] = ""  # lost-document, deregistration: each kind says
    kind_label: ClassVar[str] = ""
    published: dt.date
    source: Source
    url: str
    data_file: str = ""  # the file below notices/, as staff find it in the repository
    status: str = "active"
    withdrawn_reason: str | None = None
    region: str | None = None
    reference: str = ""  # 公告编号, as written in the file or derived from its path (reference.py)
    reference_written: bool = False
    publisher: Office | None = None  # 发布单位
    newspapers: list[Newspaper] = field(default_factory=list)  # 原载报刊
    corrections: list[Correction] = field(default_factory=list)  # in the order written

    @property
    def corrections_in_order(self) -> list[Correction]:
        """Oldest first, as a record is read (the order written kept for the same day)."""
        return sorted(self.corrections, key=lambda c: c.date)

    def dates(self, committed: dt.date | None = None, changed: dt.date | None = None) -> NoticeDates:
        """The dates to show, from the data. Git's dates (`committed`: the file's first commit, `changed`: its
        last) only where the data is silent: with no correction recorded, a change after both the first
        commit and 公告日期 is shown as such; a file committed once (an older notice brought in) shows none."""
        corrected = max((c.date for c in self.corrections), default=None)
        later = (
            changed if changed and committed and not corrected and changed > max(committed, self.published) else None
        )
        return NoticeDates(self.published, corrected, later)

    @property
    def withdrawn(self) -> bool:
        return self.status == "withdrawn"

    @property
    def proof_url(self) -> str:
        """Its 刊登证明 (publication proof), a page of its own below the notice's."""
        return self.url + "proof/"

    @property
    def year(self) -> int:
        return self.published.year

    @property
    def title(self) -> str:
        raise NotImplementedError


@dataclass
class LostDocumentNotice(Notice):
    kind_label = "遗失声明"
    kind = "lost-document"
    holder: str = ""
    document: Document = field(default_factory=lambda: Document("其他"))
    lost_on: dt.date | None = None
    reissued: bool | None = None
    statement: str | None = None
    legal_basis: str | None = None

    @property
    def title(self) -> str:
        return lost_title(self.holder, self.document.label)


@dataclass
class Deregistration(Notice):
    kind_label = "注销公告"
    kind = "deregistration"
    organization: str = ""
    credit_code: str = ""
    decided_on: dt.date | None = None
    decided_by: str = ""
    claim_days: int = 45
    contact: Person | None = None
    authority: Office | None = None  # 登记机关
    objection: Objection | None = None  # 异议

    @property
    def title(self) -> str:
        return deregistration_title(self.organization)

    @property
    def claim_deadline(self) -> dt.date:
        return claim_deadline(self.published, self.claim_days)

    def claim_open(self, today: dt.date) -> bool:
        return today <= self.claim_deadline


def months_between(earlier: dt.date, later: dt.date) -> int:
    """Whole months from `earlier` to `later` (2025-11-23 → 2026-11-22: 11; → 2026-11-23: 12)."""
    return (later.year - earlier.year) * 12 + later.month - earlier.month - (later.day < earlier.day)


STALE_MONTHS = 12  # a town list not updated for this many months is a warning and a note on its page (town-stale)


# ------------------------------------------------------------------ the site's identity (notices/site.yaml, identity.py)

SAMPLE_WORDING = "示例数据，均为虚构"
ICP_LINK = "https://beian.miit.gov.cn/"
POLICE_LINK = "https://beian.mps.gov.cn/#/query/webSearch?code={code}"


def police_digits(number: str) -> str:
    return re.sub(r"\D", "", number)


@dataclass(frozen=True)
class Contact:
    phone: PhoneNumber | None = None
    email: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class SiteIdentity:
    """notices/site.yaml, converted (every field optional here; REQUIRED is checked on a real site)."""

    name: str | None = None
    description: str | None = None
    organizer: str | None = None
    operator: str | None = None
    contact: Contact = Contact()
    icp: str | None = None
    police: str | None = None
    site_code: str | None = None
    url: str | None = None
    stale_months: int = STALE_MONTHS
    sample: bool = False
    source: Source | None = None  # None: there is no site.yaml

    @property
    def configured(self) -> bool:
        return self.source is not None

    @property
    def police_code(self) -> str | None:
        return police_digits(self.police) if self.police else None

    @property
    def police_link(self) -> str | None:
        return POLICE_LINK.format(code=self.police_code) if self.police_code else None

    def meta_description(self, fallback: str | None) -> str | None:
        """The description for meta tags: the file's, else mkdocs.yml's; on the sample, with the sample wording."""
        text = self.description or fallback
        if self.sample:
            return f"{text}（{SAMPLE_WORDING}）" if text else SAMPLE_WORDING
        return text

    def theme(self, site_url: str | None) -> dict:
        """What the theme frame (overrides/) shows: config.extra.portal."""
        contact = {
            "phone": str(self.contact.phone) if self.contact.phone else None,
            "tel": self.contact.phone.href if self.contact.phone else None,
            "email": self.contact.email,
            "address": self.contact.address,
        }
        return {
            "configured": self.configured,
            "name": self.name,
            "organizer": self.organizer,
            "operator": self.operator,
            "contact": contact if any(contact.values()) else None,
            "icp": self.icp,
            "icp_link": ICP_LINK if self.icp else None,
            "police": self.police,
            "police_link": self.police_link,
            "site_code": self.site_code,
            "sample": self.sample,
            "sample_wording": SAMPLE_WORDING,
            "site_url": site_url,
        }


@dataclass
class Portal:
    """Everything the site shows, checked and cross-referenced."""

    regions: list[Region]
    towns: list[Town]
    lost: list[LostDocumentNotice]
    deregistrations: list[Deregistration]
    today: dt.date
    guides: list[Guide] = field(default_factory=list)
    hotlines: list[Hotline] = field(default_factory=list)  # everywhere (legal.yaml, or the defaults)
    place_hotlines: dict[str, list[Hotline]] = field(default_factory=dict)  # region path → its own list
    site_url: str | None = None  # the live site's address (https://…/), for QR codes, feeds and the sitemap
    identity: SiteIdentity = field(default_factory=lambda: SiteIdentity())  # notices/site.yaml (identity.py)
    stale_months: int = STALE_MONTHS  # portal check/build --stale-months; 0: never stale

    def stale(self, town: Town) -> bool:
        """Whether the town's list (its `updated` date) is older than `stale_months` today."""
        return bool(self.stale_months) and months_between(town.updated, self.today) >= self.stale_months

    @functools.cached_property
    def notices(self) -> tuple[LostDocumentNotice | Deregistration, ...]:
        """Every notice, newest first. Sorted once, like `_regions_by_path`: the site stage asks for it on every
        list, feed and open data file (33,000 notices sorted five times took 1.6 s a build at province scale)."""
        return tuple(sorted([*self.lost, *self.deregistrations], key=lambda n: (n.published, n.url), reverse=True))

    def region(self, path: str) -> Region | None:
        return self._regions_by_path.get(path)

    @functools.cached_property
    def _regions_by_path(self) -> dict[str, Region]:
        """Made once: the region tree is not changed once the portal is assembled (a list page asks per page)."""
        return _region_index(self.regions)


def _region_index(regions: list[Region]) -> dict[str, Region]:
    index: dict[str, Region] = {}
    stack = list(regions)
    while stack:
        region = stack.pop()
        index[region.path] = region
        stack.extend(region.children)
    return index


def region_index(regions: list[Region]) -> dict[str, Region]:
    return _region_index(regions)
