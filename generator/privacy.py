"""The one place that decides how much of an ID number is ever published.

Pages, the search index, feeds and data files all take ID numbers through
`public_number()`; nothing else prints a document number.
"""

from __future__ import annotations

from . import identifiers

#: Resident ID numbers (身份证) show only these many leading and trailing characters.
ID_KEEP_START = 2
ID_KEEP_END = 4
ID_MASK_CHAR = "*"

#: Document types whose numbers identify a person and are therefore masked.
MASKED_TYPES = {"身份证"}


def public_number(document_type: str, number: str | None) -> str | None:
    """The document number as it may be published."""
    if number is None or document_type not in MASKED_TYPES:
        return number
    return identifiers.mask_id_number(number, ID_KEEP_START, ID_KEEP_END, ID_MASK_CHAR)


def visible_part(document_type: str, number: str | None) -> str | None:
    """The unmasked tail of a masked number, for search (e.g. `5011`)."""
    if number is None or document_type not in MASKED_TYPES:
        return None
    return number[-ID_KEEP_END:] if ID_KEEP_END else None
