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

from . import published
from .model import (
    STATE_WORDS,
    Deregistration,
    LostDocumentNotice,
    claim_deadline,
    deregistration_title,
    lost_title,
)

VERSION = "v1"

#: The fields of the canonical data, per kind: the hashed fields of the published-field table (published.py,
#: which also reads them from the notice, masked), in its order. Lists (LIST_FIELDS): `newspapers.1.name`, ….
FIELDS = {kind: tuple(f.name for f in fields if f.hashed) for kind, fields in published.FIELDS.items()}
LIST_FIELDS = published.LIST_FIELDS
#: Fields whose value is a date (YYYY-MM-DD): pages show them in words inside <time datetime>; and every
#: list item's `date`.
DATE_FIELDS = frozenset(
    {"published", "lost_on", "decided_on", "claim_deadline", "objection.opens_on", "objection.closes_on"}
)
#: Values a page shows that follow from the record (not hashed, but checked against it): title, deadline.
DERIVED_FIELDS = ("title", "claim_deadline")

KIND_LABELS = {LostDocumentNotice.kind: LostDocumentNotice.kind_label, Deregistration.kind: Deregistration.kind_label}
#: The words a page may show for the record's `status` (model.STATE_WORDS, the badges' words), per kind. An
#: active deregistration shows 公告期内 or 公告期满 by the day it was built (claim.js may switch a page's word in a
#: browser): the day's word is not hashed, the data's status and the claim deadline are (from `published` and
#: `claim_days`), so the fingerprint never changes from one day to the next.
STATUS_LABELS: dict[str, dict[str, tuple[str, ...]]] = {
    LostDocumentNotice.kind: {"active": (STATE_WORDS["declared"],), "withdrawn": (STATE_WORDS["withdrawn"],)},
    Deregistration.kind: {
        "active": (STATE_WORDS["open"], STATE_WORDS["closed"]),
        "withdrawn": (STATE_WORDS["withdrawn"],),
    },
}
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


def is_field(kind: str, name: str) -> bool:
    """Whether `name` is a field of the canonical data of this kind (a list item's field included)."""
    if name in FIELDS.get(kind, ()):
        return True
    parts = name.split(".")
    return (
        len(parts) == 3
        and parts[0] in LIST_FIELDS
        and parts[1].isdigit()
        and not parts[1].startswith("0")
        and parts[2] in LIST_FIELDS[parts[0]]
    )


def is_date(name: str) -> bool:
    return name in DATE_FIELDS or (name.split(".")[0] in LIST_FIELDS and name.endswith(".date"))


def record(notice: LostDocumentNotice | Deregistration) -> dict[str, str]:
    """The canonical data of a notice: every field of its kind that has a value, as published."""
    texts = {name: value(raw) for name, raw in published.values(notice).items() if is_field(notice.kind, name)}
    return {name: text for name, text in texts.items() if text}


def canonical(data: dict[str, str]) -> bytes:
    """The bytes that are hashed: `v1:` and the record as compact JSON with sorted keys, UTF-8."""
    text = json.dumps(
        {unicodedata.normalize("NFC", k): unicodedata.normalize("NFC", v) for k, v in data.items()},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
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
            out["claim_deadline"] = claim_deadline(
                dt.date.fromisoformat(data["published"]), int(data["claim_days"])
            ).isoformat()
        except (KeyError, ValueError, OverflowError):
            pass
    return out


def display(name: str, text: str) -> str:
    """How a page words a field's canonical value (the same text when it shows the value as it is). The
    status has more than one wording (`status_words`)."""
    if is_date(name):
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            return text
        return f"{day.year}年{day.month}月{day.day}日"
    if name == "region":
        return text.replace("/", " › ")
    labels = {"kind": KIND_LABELS, "reissued": REISSUED_LABELS}.get(name)
    return labels.get(text, text) if labels else text


def words_match(name: str, text: str, shown: str, kind: str | None) -> bool:
    """Whether `shown` is how a page may word the value `text` of field `name` of a notice of `kind`."""
    if name == "status":
        return shown in STATUS_LABELS.get(kind or "", {}).get(text, ())
    return shown == display(name, text)


def mark(data: dict[str, str], name: str, css: str = "") -> Markup:
    """A field (or derived value) as the page shows it, marked for `portal verify`: <time datetime> for a
    date, `data-value` where the words differ from the value. Nothing for a field without a value."""
    text = data.get(name) or derived(data).get(name)
    if not text:
        return Markup("")
    shown = display(name, text)
    classes = Markup(' class="{}"').format(css) if css else Markup("")
    if is_date(name):
        return Markup('<time class="pt-date{}" datetime="{}" data-field="{}">{}</time>').format(
            " " + css if css else "", text, name, shown
        )
    if shown != text:
        return Markup('<span{} data-field="{}" data-value="{}">{}</span>').format(classes, name, text, shown)
    return Markup('<span{} data-field="{}">{}</span>').format(classes, name, text)


def grouped(hexdigest: str, size: int = 8) -> Markup:
    """The fingerprint as one copyable word that may wrap between groups of `size` digits (<wbr>)."""
    return Markup("<wbr>").join(hexdigest[i : i + size] for i in range(0, len(hexdigest), size))
