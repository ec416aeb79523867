"""The one place that decides what is a personal identifier and how much of it is ever published.

The privacy rule (SECURITY.md, "The privacy rule"; dev/checking.md): a resident ID number is never published whole.

- What an ID number is, in any text: `identifiers.find_id_numbers` (18 characters with a right
  GB 11643 check digit, however they are written: full-width, hyphenated, space- or
  zero-width-split).
- A document-number field (`document.number`) is masked — first `ID_KEEP_START` and last
  `ID_KEEP_END` characters shown — when its document carries the holder's ID number
  (`carries_id_number`: 身份证, 驾驶证, 户口簿, 社会保障卡, residence permits, an 其他 named as
  one of them) or when an ID number is found in it whatever the type — unless the document's number
  is a unified social credit code (`carries_credit_code`: 营业执照) and the whole of it is a valid one.
- A `credit_code` that is a valid unified social credit code is shown whole even when it also passes
  the ID check; the output scan passes over exactly such numbers of the build (`whole_ids`).
- Everywhere else (every other field of every file, every key, every file name below notices/)
  an ID number is refused by `validate` with the rule `id-number-not-allowed` (`ids_refused`).

Pages, the search index, feeds and data files take document numbers through `public_number()`;
nothing else prints one.
"""

from __future__ import annotations

import re
from typing import Protocol

from . import identifiers

#: Masked numbers show only these many leading and trailing characters (`43************5011`).
ID_KEEP_START = 2
ID_KEEP_END = 4
ID_MASK_CHAR = "*"

#: Document types whose number is the holder's resident ID number: always masked.
ID_DOCUMENT_TYPES = (
    "身份证",
    "临时身份证",
    "驾驶证",
    "户口簿",
    "社会保障卡",
    "居住证",
    "港澳台居民居住证",
    "外国人永久居留身份证",
)

#: An `其他` document whose name contains one of these words carries the ID number: one of
#: ID_DOCUMENT_TYPES by another name (居民身份证, 机动车驾驶证, 社保卡, Traditional 身份證 ...), or a
#: 残疾人证 (its number is the ID number and two digits). Its number is masked whatever its shape.
ID_DOCUMENT_WORDS = (
    "身份证",
    "身份證",
    "驾驶证",
    "駕駛證",
    "驾照",
    "駕照",
    "户口",
    "戶口",
    "社会保障卡",
    "社會保障卡",
    "社保卡",
    "居住证",
    "居住證",
    "居留证",
    "居留證",
    "残疾人证",
    "殘疾人證",
)

#: Document types whose number is the organisation's unified social credit code (GB 32100): a valid one is
#: public, shown whole even when its digits also pass the ID check (`_holds_id`). Any other document's number
#: that passes the ID check is masked, even when it happens to be a valid credit code too (a diploma number
#: did, in the scale-1 benchmark province).
CREDIT_CODE_DOCUMENT_TYPES = ("营业执照",)
#: An `其他` document whose name contains one of these words is one by another name (营业执照副本,
#: 民办非企业单位登记证书, 社会团体法人登记证书 …: their number is the credit code).
CREDIT_CODE_DOCUMENT_WORDS = ("营业执照", "營業執照", "登记证书", "登記證書")

#: Fields that hold a document's number: an ID number found there is masked, not refused.
DOCUMENT_NUMBER_FIELDS = frozenset({"document.number"})

#: Fields that hold an organisation's credit code: a valid one is shown whole (see `_holds_id`).
CREDIT_CODE_FIELDS = frozenset({"credit_code"})

_INDEX = re.compile(r"\[\d+\]")


class DocumentLike(Protocol):
    type: str
    number: str | None
    name: str | None


def carries_id_number(document_type: str, name: str | None = None) -> bool:
    """Whether a document of this type (and, for 其他, this name) carries the holder's ID number.

    >>> carries_id_number("驾驶证"), carries_id_number("其他", "居民身份证"), carries_id_number("毕业证书")
    (True, True, False)
    """
    return _is_one_of(document_type, name, ID_DOCUMENT_TYPES, ID_DOCUMENT_WORDS)


def carries_credit_code(document_type: str, name: str | None = None) -> bool:
    """Whether a document of this type (and, for 其他, this name) carries its organisation's credit code.

    >>> carries_credit_code("营业执照"), carries_credit_code("其他", "社会团体法人登记证书"), carries_credit_code("毕业证书")
    (True, True, False)
    """
    return _is_one_of(document_type, name, CREDIT_CODE_DOCUMENT_TYPES, CREDIT_CODE_DOCUMENT_WORDS)


def _is_one_of(document_type: str, name: str | None, types: tuple[str, ...], words: tuple[str, ...]) -> bool:
    """Whether a document is of one of `types`, or an `其他` whose name (after NFKC) contains one of `words`."""
    if document_type in types:
        return True
    if document_type == "其他" and name:
        folded = identifiers.normalize(name)
        return any(word in folded for word in words)
    return False


def is_masked(document: DocumentLike) -> bool:
    """Whether the document's number is published masked."""
    if not document.number:
        return False
    if carries_id_number(document.type, document.name):
        return True
    if carries_credit_code(document.type, document.name):
        return _holds_id(document.number)
    return bool(identifiers.find_id_numbers(document.number))


def _holds_id(text: str) -> bool:
    """Whether an ID number is in `text`, unless the whole of it is a valid unified social credit code.

    An organisation's code is public (a deregistration exists to publish it), and one made only of
    digits passes the GB 11643 check one time in eleven; an ID number that is also a valid credit code
    (region, GB 11714 organisation check and GB 32100 check character all right) is about one in a
    thousand of those whose city code happens to be a province code (SECURITY.md)."""
    return bool(identifiers.find_id_numbers(text)) and not identifiers.check_credit_code(text).ok


def mask(number: str) -> str:
    """`number` masked by the rule: `43************5011`. Spaces and hyphens are taken out first, so
    the characters shown are always the number's own (`HN-4307 0219 …` → `HN****…0117`)."""
    return identifiers.mask_id_number(identifiers.compact(number), ID_KEEP_START, ID_KEEP_END, ID_MASK_CHAR)


def public_number(document: DocumentLike) -> str | None:
    """The document number as it may be published: masked when `is_masked`, else as written."""
    if document.number is None or not is_masked(document):
        return document.number
    return mask(document.number)


def visible_part(document: DocumentLike) -> str | None:
    """The unmasked tail of a masked number, for search (e.g. `5011`); None for a number shown whole."""
    if not is_masked(document) or not ID_KEEP_END:
        return None
    return mask(document.number or "")[-ID_KEEP_END:]


def whole_ids(number: str | None) -> frozenset[str]:
    """The ID-shaped numbers in a value the site publishes whole by the exception above (a `credit_code`, or
    `public_number` of a document): each is a valid credit code, which the output scan must let through; for
    any other value, nothing (what `public_number` masked holds no ID number any more)."""
    if not number or not identifiers.check_credit_code(number).ok:
        return frozenset()
    return frozenset(found for _, _, found in identifiers.find_id_numbers(number))


def ids_refused(field_name: str, text: str) -> list[str]:
    """The ID numbers in `text` that may not be there, each masked (for the message): every one,
    unless `field_name` is a document-number field. A field name is the checker's
    (`grids[0].covers[1]`); indexes do not matter."""
    found = identifiers.find_id_numbers(text)
    if not found:
        return []
    bare = _bare(field_name)
    if bare in DOCUMENT_NUMBER_FIELDS or (bare in CREDIT_CODE_FIELDS and not _holds_id(text)):
        return []
    return [mask(number) for _, _, number in found]


def without_ids(text: str) -> str:
    """`text` with every ID number in it cut out: for names made from fields (`portal new`)."""
    return _replace_ids(text, lambda found: "")


def mask_ids(text: str) -> str:
    """`text` with every ID number in it masked: for messages that quote a value."""
    return _replace_ids(text, mask)


def _replace_ids(text: str, replace) -> str:
    """`text` with each stretch that holds ID numbers (overlapping finds in one long run of digits
    make one stretch) replaced by `replace(stretch)`."""
    stretches: list[list[int]] = []
    for begin, end, _ in identifiers.find_id_numbers(text):
        if stretches and begin < stretches[-1][1]:
            stretches[-1][1] = max(stretches[-1][1], end)
        else:
            stretches.append([begin, end])
    if not stretches:
        return text
    out, start = [], 0
    for begin, end in stretches:
        out += [text[start:begin], replace(text[begin:end])]
        start = end
    out.append(text[start:])
    return "".join(out)


def _bare(field_name: str) -> str:
    """`grids[0].covers[1]` → `grids.covers`."""
    return _INDEX.sub("", field_name)
