"""公告编号, a notice's reference number: unique, stable, and made without a central counter.

The form is `CCCCCC-YYYY-KXXXXXX`, e.g. `430424-2022-Y7K3M9Q`:

- `CCCCCC`, the county: the first six digits of the 区划代码 of the notice's `region` (or of the
  nearest place above it that has a code in regions.yaml); `000000` when the notice names no place
  with a code;
- `YYYY`, the year of the 公告日期;
- `K`, the kind: `Y` 遗失声明 (yíshī), `Z` 注销公告 (zhùxiāo);
- `XXXXXX`, six characters of Crockford's base 32 (digits and capital letters without I, L, O and
  U, which read like 1, 1, 0 and V) taken from the SHA-256 of the file's path below notices/
  (`lost/2022/2022-06-20-luo.yaml`): 30 bits, so two files of one county, year and kind share a
  number about once in a thousand million pairs, and the checker refuses that (reference-duplicate).

Why a hash of the path and not a sequence: a sequence needs a counter that two clerks editing at once
(or two branches) would both advance to the same value; the path is already unique (the file system
sees to it) and is known the moment the file is created, so `portal new` writes the number into the
new file and the checker derives the very same number for a file that carries none. Why not a hash of
the content: every correction would change it, and a hash of an ID number would let anyone confirm a
guessed ID (the privacy rule).

A number written in the file (`reference:`) is used as written, forever, whatever happens to the file
afterwards (a correction, a new name, a new region code). A derived number stays the same as long as
the file keeps its name and its county keeps its code; write it in before renaming the file.
"""

from __future__ import annotations

import hashlib
import re

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32
HASH_LENGTH = 6
KIND_LETTERS = {"lost-document": "Y", "deregistration": "Z"}
NO_COUNTY = "000000"
PATTERN = re.compile(rf"^(\d{{6}})-(\d{{4}})-([{''.join(KIND_LETTERS.values())}])([{ALPHABET}]{{{HASH_LENGTH}}})$")
EXAMPLE = "430424-2022-Y7K3M9Q"


def derive(kind: str, year: int, data_path: str, county: str | None) -> str:
    """The number of a notice of `kind` published in `year`, kept in `data_path` (below notices/,
    with "/"), in the county whose code starts with `county` (None: unknown)."""
    value = int.from_bytes(hashlib.sha256(data_path.encode("utf-8")).digest()[:8], "big")
    chars = []
    for _ in range(HASH_LENGTH):
        value, digit = divmod(value, len(ALPHABET))
        chars.append(ALPHABET[digit])
    return f"{county or NO_COUNTY}-{year:04d}-{KIND_LETTERS[kind]}{''.join(chars)}"


def county_code(region: str | None, codes: dict[str, str | None]) -> str | None:
    """The six-digit county part for a notice in `region` (a region path), from `codes` (region path →
    its code in regions.yaml): the nearest place at or above `region` that has a code."""
    parts = region.split("/") if region else []
    while parts:
        code = codes.get("/".join(parts))
        if code and re.fullmatch(r"\d{6,}", code):
            return code[:6]
        parts.pop()
    return None


def problem(text: str, kind: str) -> str | None:
    """Why `text` cannot be the written reference number of a notice of `kind`, or None."""
    match = PATTERN.match(text)
    if not match:
        return (
            f"公告编号 {text!r} 格式不对，应为 6 位区划代码-4 位年份-类别字母和 6 位编码，如 {EXAMPLE} "
            "(a reference number is county-year-kind and code, e.g. " + EXAMPLE + ")"
        )
    if match.group(3) != KIND_LETTERS[kind]:
        return (
            f"公告编号 {text} 的类别字母应为 {KIND_LETTERS[kind]}（遗失声明 Y，注销公告 Z）"
            "(the kind letter does not match the notice's kind)"
        )
    return None


def search_forms(reference: str) -> list[str]:
    """The number as a resident may type it: as shown, and without its hyphens."""
    return [reference, reference.replace("-", "")]
