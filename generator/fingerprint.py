"""A notice's content fingerprint: SHA-256 of its canonical data, as published (dev/proof.md).

The canonical data of a notice is the flat record of the fields its page shows, each as published: a
document number masked exactly as the page and the open data show it (`privacy.public_number`), never whole.
Anyone can recompute the fingerprint from the page alone:

    record   {"kind": "lost-document", "published": "2022-06-20", "holder": "罗某某", "document.type": "身份证", …}
             keys: the dotted field names of `FIELDS` that have a value; values: strings (`value()`)
    bytes    b"v1:" + JSON of the record (keys sorted, no spaces, not ASCII-escaped), UTF-8
    print    SHA-256 of those bytes, 64 lower-case hex digits

Each page marks where it shows each field (`mark`: `data-field`, with the value in `data-value` or
`datetime` where the page words it differently, see `display`), so `portal verify` reads the record back
from the page itself (verify.py) and tampering with any field shown makes the fingerprint differ.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import unicodedata

from markupsafe import Markup

from . import privacy
from .model import (
    Deregistration,
    LostDocumentNotice,
    Notice,
    claim_deadline,
    deregistration_title,
    lost_title,
)

VERSION = "v1"

#: The fields of the canonical data, per kind, in the order the developer page lists them.
COMMON_FIELDS = ("kind", "published", "status", "withdrawn_reason", "region")
FIELDS = {
    LostDocumentNotice.kind: COMMON_FIELDS + ("holder", "document.type", "document.name", "document.number",
                                              "document.issuer", "lost_on", "reissued", "statement", "legal_basis"),
    Deregistration.kind: COMMON_FIELDS + ("organization", "credit_code", "decided_on", "decided_by", "claim_days",
                                          "contact.name", "contact.phone"),
}
#: Fields whose value is a date (YYYY-MM-DD): pages show them in words inside <time datetime>.
DATE_FIELDS = frozenset({"published", "lost_on", "decided_on", "claim_deadline"})
#: Values a page shows that follow from the record (not hashed, but checked against it): title, deadline.
DERIVED_FIELDS = ("title", "claim_deadline")

KIND_LABELS = {LostDocumentNotice.kind: LostDocumentNotice.kind_label, Deregistration.kind: Deregistration.kind_label}
STATUS_LABELS = {"active": "有效", "withdrawn": "已撤回"}
REISSUED_LABELS = {"true": "已申领新证", "false": "尚未申领新证"}


def value(raw: object) -> str | None:
    """A field's canonical text: dates as YYYY-MM-DD, yes/no as true/false, numbers in decimal, text in
    Unicode NFC with every run of white space made one space and none at either end (a page shows it so)."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, dt.date):
        return raw.isoformat()
    return " ".join(unicodedata.normalize("NFC", str(raw)).split())


def record(notice: LostDocumentNotice | Deregistration) -> dict[str, str]:
    """The canonical data of a notice: every field of its kind that has a value, as published."""
    raw: dict[str, object] = {"kind": notice.kind, "published": notice.published, "status": notice.status,
                              "withdrawn_reason": notice.withdrawn_reason, "region": notice.region}
    if isinstance(notice, LostDocumentNotice):
        document = notice.document
        raw.update({"holder": notice.holder, "document.type": document.type, "document.name": document.name,
                    "document.number": privacy.public_number(document), "document.issuer": document.issuer,
                    "lost_on": notice.lost_on, "reissued": notice.reissued, "statement": notice.statement,
                    "legal_basis": notice.legal_basis})
    elif isinstance(notice, Deregistration):
        contact = notice.contact
        raw.update({"organization": notice.organization, "credit_code": notice.credit_code,
                    "decided_on": notice.decided_on, "decided_by": notice.decided_by, "claim_days": notice.claim_days,
                    "contact.name": contact.name if contact else None,
                    "contact.phone": contact.phone.text if contact and contact.phone else None})
    values = {name: value(raw.get(name)) for name in FIELDS[notice.kind]}
    return {name: text for name, text in values.items() if text}


def canonical(data: dict[str, str]) -> bytes:
    """The bytes that are hashed: `v1:` and the record as compact JSON with sorted keys, UTF-8."""
    text = json.dumps({unicodedata.normalize("NFC", k): unicodedata.normalize("NFC", v) for k, v in data.items()},
                      ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return f"{VERSION}:{text}".encode()


def fingerprint_of(data: dict[str, str]) -> str:
    return hashlib.sha256(canonical(data)).hexdigest()


def fingerprint(notice: LostDocumentNotice | Deregistration) -> str:
    return fingerprint_of(record(notice))


def derived(data: dict[str, str]) -> dict[str, str]:
    """What a page shows that follows from the record: the title, and a deregistration's claim deadline.
    Computed by the model's own functions (an unreadable record gives what can be computed)."""
    out: dict[str, str] = {}
    if data.get("kind") == LostDocumentNotice.kind:
        out["title"] = lost_title(data.get("holder", ""), data.get("document.name") or data.get("document.type", ""))
    elif data.get("kind") == Deregistration.kind:
        out["title"] = deregistration_title(data.get("organization", ""))
        try:
            out["claim_deadline"] = claim_deadline(dt.date.fromisoformat(data["published"]), int(data["claim_days"])).isoformat()
        except (KeyError, ValueError, OverflowError):
            pass
    return out


def display(name: str, text: str) -> str:
    """How a page words a field's canonical value (the same text when it shows the value as it is)."""
    if name in DATE_FIELDS:
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            return text
        return f"{day.year}年{day.month}月{day.day}日"
    if name == "region":
        return text.replace("/", " › ")
    labels = {"kind": KIND_LABELS, "status": STATUS_LABELS, "reissued": REISSUED_LABELS}.get(name)
    return labels.get(text, text) if labels else text


def mark(data: dict[str, str], name: str, css: str = "") -> Markup:
    """A field (or derived value) as the page shows it, marked for `portal verify`: <time datetime> for a
    date, `data-value` where the words differ from the value. Nothing for a field without a value."""
    text = data.get(name) or derived(data).get(name)
    if not text:
        return Markup("")
    shown = display(name, text)
    classes = Markup(' class="{}"').format(css) if css else Markup("")
    if name in DATE_FIELDS:
        return Markup('<time class="pt-date{}" datetime="{}" data-field="{}">{}</time>').format(
            " " + css if css else "", text, name, shown)
    if shown != text:
        return Markup('<span{} data-field="{}" data-value="{}">{}</span>').format(classes, name, text, shown)
    return Markup('<span{} data-field="{}">{}</span>').format(classes, name, text)


def grouped(hexdigest: str, size: int = 8) -> Markup:
    """The fingerprint as one copyable word that may wrap between groups of `size` digits (<wbr>)."""
    return Markup("<wbr>").join(hexdigest[i:i + size] for i in range(0, len(hexdigest), size))
