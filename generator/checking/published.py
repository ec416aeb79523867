"""The published fields of a notice: one table, read from the model in one place, for every use field by field.

Two uses publish a notice's fields one by one, and both take them from here:

- the content fingerprint (fingerprint.py, dev/proof.md): its record's keys are the dotted `name`s, the same
  names the page marks its fields with (`data-field`), and `portal verify` reads back;
- the open data (site/opendata.py, dev/open-data.md): data/notices.json and .csv, one `column` per field.

`values()` is the one walk of a notice: every field as the model holds it, and as it may be published: a
document number masked exactly as the pages show it (`privacy.public_number`), never whole; a phone number as
written. What differs between the uses is said in the table, per field, and nowhere else:

- `column`: the open data's name of the field (`document_number`); None: not in the open data (the provenance
  fields, `legal_basis`, the registration authority and the objection; the lists are not either);
- `hashed`: in the fingerprint's record. Not hashed: what follows from it (the title, the claim deadline,
  which `portal verify` recomputes) and the page's own address; the open data lists them for its readers.

Each use writes the values its own way, and that is all it does: the fingerprint as `fingerprint.value()`
(NFC, white space folded, an empty value left out: dev/proof.md), the open data as `opendata.text()` (the
text as written, null for no value: dev/open-data.md). The open data's columns are in the table's order; the
fingerprint's record is sorted before it is hashed, so its order does not matter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from . import privacy
from .model import Deregistration, LostDocumentNotice, Notice, Objection, Office, Person
from .schema import PhoneNumber

N = TypeVar("N", bound=Notice)
P = TypeVar("P")


class _HasPhone(Protocol):
    @property
    def phone(self) -> PhoneNumber | None: ...


@dataclass(frozen=True)
class Field(Generic[N]):
    """One published field: `name` (dotted: the fingerprint's key, the page's `data-field`), how to read it
    from a notice (`get`, masked where it must be), its open data `column` and that column's `meaning` (written
    into data/index.json), and whether the fingerprint hashes it."""

    name: str
    get: Callable[[N], object]
    column: str | None = None
    meaning: str = ""
    hashed: bool = True


def _through(part: Callable[[N], P | None], read: Callable[[P], object]) -> Callable[[N], object]:
    """A getter of what a part of a notice holds (an office, the contact, the objection): None without the part."""

    def get(notice: N) -> object:
        found = part(notice)
        return read(found) if found is not None else None

    return get


def _phone(holder: _HasPhone) -> str | None:
    """A phone number as written (the text the page shows)."""
    return holder.phone.text if holder.phone else None


def _office(prefix: str, office: Callable[[N], Office | None]) -> tuple[Field[N], ...]:
    """An office's name, phone and address (`publisher.name`, …): fingerprinted, not in the open data."""
    return (
        Field(f"{prefix}.name", _through(office, lambda o: o.name)),
        Field(f"{prefix}.phone", _through(office, _phone)),
        Field(f"{prefix}.address", _through(office, lambda o: o.address)),
    )


COMMON: tuple[Field[Notice], ...] = (
    Field("kind", lambda n: n.kind, "kind", "公告类别：lost-document 遗失声明，deregistration 注销公告"),
    Field("title", lambda n: n.title, "title", "标题", hashed=False),
    Field("url", lambda n: n.url, "url", "公告页面地址（相对网站根目录）", hashed=False),
    Field("published", lambda n: n.published, "published", "公告日期 YYYY-MM-DD"),
    Field("region", lambda n: n.region, "region", "地区（市/县/镇）"),
    Field("status", lambda n: n.status, "status", "状态：active 有效，withdrawn 已撤回"),
    Field("withdrawn_reason", lambda n: n.withdrawn_reason, "withdrawn_reason", "撤回原因"),
    # Provenance (reference.py, the README's contract): the reference number and the issuing office.
    Field("reference", lambda n: n.reference),
    *_office("publisher", lambda n: n.publisher),
)
LOST: tuple[Field[LostDocumentNotice], ...] = (
    Field("holder", lambda n: n.holder, "holder", "遗失声明：声明人"),
    Field("document.type", lambda n: n.document.type, "document_type", "遗失声明：证件类别"),
    Field("document.name", lambda n: n.document.name, "document_name", "遗失声明：证件名称"),
    Field(
        "document.number",
        lambda n: privacy.public_number(n.document),
        "document_number",
        "遗失声明：证件号码，与网页相同地遮盖（身份证号码只显示前 2 位和后 4 位）",
    ),
    Field("document.issuer", lambda n: n.document.issuer, "document_issuer", "遗失声明：发证机关"),
    Field("lost_on", lambda n: n.lost_on, "lost_on", "遗失声明：遗失日期"),
    Field("reissued", lambda n: n.reissued, "reissued", "遗失声明：是否已申领新证 true/false"),
    Field("statement", lambda n: n.statement, "statement", "遗失声明：声明内容（不写时网页用标准语句）"),
    Field("legal_basis", lambda n: n.legal_basis),
)


def _contact(notice: Deregistration) -> Person | None:
    return notice.contact


def _objection(notice: Deregistration) -> Objection | None:
    return notice.objection


DEREGISTRATION: tuple[Field[Deregistration], ...] = (
    Field("organization", lambda n: n.organization, "organization", "注销公告：注销单位"),
    Field("credit_code", lambda n: n.credit_code, "credit_code", "注销公告：统一社会信用代码"),
    Field("decided_on", lambda n: n.decided_on, "decided_on", "注销公告：决议日期"),
    Field("decided_by", lambda n: n.decided_by, "decided_by", "注销公告：决议机构"),
    Field("claim_days", lambda n: n.claim_days, "claim_days", "注销公告：债权申报期（天）"),
    Field("claim_deadline", lambda n: n.claim_deadline, "claim_deadline", "注销公告：申报截止日期", hashed=False),
    Field("contact.name", _through(_contact, lambda c: c.name), "contact_name", "注销公告：清算联系人"),
    Field("contact.phone", _through(_contact, _phone), "contact_phone", "注销公告：联系电话"),
    *_office("authority", lambda n: n.authority),
    Field("objection.opens_on", _through(_objection, lambda o: o.opens_on)),
    Field("objection.closes_on", _through(_objection, lambda o: o.closes_on)),
    Field("objection.office", _through(_objection, lambda o: o.office)),
    Field("objection.phone", _through(_objection, _phone)),
    Field("objection.address", _through(_objection, lambda o: o.address)),
)
#: The fields of each kind, in the table's order.
FIELDS: dict[str, tuple[Field[Any], ...]] = {
    LostDocumentNotice.kind: COMMON + LOST,
    Deregistration.kind: COMMON + DEREGISTRATION,
}
#: Every field of either kind, each once, in the table's order (the open data's columns are in this order).
ALL: tuple[Field[Any], ...] = COMMON + LOST + DEREGISTRATION
#: The lists of a notice, each item's fields numbered from 1 in the order the page shows them:
#: `newspapers.1.name`, `corrections.2.date`. Fingerprinted; not in the open data.
LIST_FIELDS = {"newspapers": ("name", "date", "page"), "corrections": ("date", "change")}


def _list_items(notice: Notice) -> dict[str, list[tuple[object, ...]]]:
    """Each list's items, each item's values in the order of its LIST_FIELDS."""
    return {
        "newspapers": [(paper.name, paper.date, paper.page) for paper in notice.newspapers],
        "corrections": [(c.date, c.change) for c in notice.corrections_in_order],
    }


def values(notice: LostDocumentNotice | Deregistration) -> dict[str, object]:
    """Every published field of a notice by its dotted name, as the model holds it (None: no value), masked
    where it must be: the fields of its kind (FIELDS), then each list item's (`newspapers.1.name`)."""
    out = {field.name: field.get(notice) for field in FIELDS[notice.kind]}
    for list_name, rows in _list_items(notice).items():
        for number, row in enumerate(rows, 1):
            out.update(
                {f"{list_name}.{number}.{part}": item for part, item in zip(LIST_FIELDS[list_name], row, strict=True)}
            )
    return out
