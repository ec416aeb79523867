"""JSON Schema for editors, generated from the same schema the checker uses.

VS Code's YAML extension (and any editor speaking JSON Schema) gives staff
completion, Chinese field descriptions and red squiggles while typing.

One schema, one answer: wherever the schema can express a rule, a file gets the same verdict here as from
`portal check` (tests/test_schema_agreement.py runs every tests/cases/ file through both). An editor reads
YAML 1.2, where a value the checker reads as text may be a number or true/false: an unquoted ID number,
`05015202540`, a phone number without separators, `是`. Each type below accepts what the checker accepts.
Not expressed: check digits and check characters (id-check-digit, credit-code), dates in the future
(today changes), the order of two dates, a field required by another's value (withdrawn-reason),
anything needing regions.yaml or other files (places, duplicates), a quoted number of days outside its
range, a landline written as bare digits (the editor sees a number without its leading 0), full-width
digits (the checker reads them as ASCII) and which area codes exist and how long their numbers are
(phone-landline-exists: libphonenumber's data).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ..checking.identifiers import SERVICE_NUMBERS
from ..checking.identity import SITE
from ..checking.legal import LEGAL
from ..checking.schema import (
    DATE_RE,
    DEREGISTRATION,
    LOST,
    TOWN,
    Boolean,
    Choice,
    Date,
    Field,
    Integer,
    ListOf,
    Pattern,
    Phone,
    Struct,
    Text,
    Type,
)

#: Digits as the checker takes them: 0-9, and full-width digits, which NFKC turns into 0-9 (digits of other
#: scripts are refused, rule digits-ascii). `\d` would be ASCII only in an editor's ECMAScript regex.
_D = "[0-9０-９]"
_MOBILE = f"[1１][3-9３-９]{_D}[ -]?{_D}{{4}}[ -]?{_D}{{4}}"
_LANDLINE = f"{_D}{{2,3}}[- ]?[2-9２-９]{_D}{{6,7}}((-|转){_D}{{1,6}})?"  # after the area code's leading 0
_INTERNATIONAL = r"([+＋]|[0０]{2})\s*[8８][6６][\s-]*(\([0０]\)\s*)?"  # +86, 0086, +86 (0): as identifiers.check_phone
PHONE_PATTERN = (
    f"^(({_INTERNATIONAL})?{_MOBILE}|[0０]{_LANDLINE}|{_INTERNATIONAL}[0０]?{_LANDLINE}|"
    + "|".join(sorted(SERVICE_NUMBERS))
    + ")$"
)
#: A mobile or service number written without quotes or separators is a number to an editor.
PHONE_AS_NUMBER = [
    {"type": "integer", "minimum": 13000000000, "maximum": 19999999999},
    {"type": "integer", "enum": sorted(int(n) for n in SERVICE_NUMBERS)},
]
SCHEMAS = {
    "lost-document": (LOST, "遗失声明", "notices/lost/**/*.yaml"),
    "deregistration": (DEREGISTRATION, "注销公告", "notices/deregistration/**/*.yaml"),
    "town": (TOWN, "镇（街道）网格与法律服务", "notices/contacts/**/*.yaml"),
    "legal": (LEGAL, "法律服务热线与指南审核有效期", "notices/legal.yaml"),
    "site": (SITE, "网站信息（主办单位、备案号、网址）", "notices/site.yaml"),
}


def type_schema(kind: Type) -> dict:
    if isinstance(kind, Struct):
        return {
            "type": "object",
            "properties": {key: field_schema(spec) for key, spec in kind.fields.items()},
            "required": [key for key, spec in kind.fields.items() if spec.required],
            "additionalProperties": kind.extra_ok,
        }
    if isinstance(kind, ListOf):
        schema: dict[str, Any] = {"type": "array", "items": type_schema(kind.item)}
        if kind.min_items:
            schema["minItems"] = kind.min_items
        return schema
    if isinstance(kind, Choice):
        return {"type": "string", "enum": list(kind.values)}
    if isinstance(kind, Integer):  # "45" is a whole number to the checker too
        return {
            "anyOf": [
                {"type": "integer", "minimum": kind.minimum, "maximum": kind.maximum},
                {"type": "string", "pattern": r"^\d+$"},
            ]
        }
    if isinstance(kind, Boolean):  # 是/否, and true/false in any case, quoted or not
        words = sorted(kind.TRUE | kind.FALSE)
        return {"anyOf": [{"type": "boolean"}, {"type": "string", "pattern": f"^({'|'.join(map(any_case, words))})$"}]}
    if isinstance(kind, Date):
        return {"type": "string", "pattern": DATE_RE.pattern, "format": "date"}
    if isinstance(kind, Phone):
        return {"anyOf": [{"type": "string", "pattern": PHONE_PATTERN}, *PHONE_AS_NUMBER]}
    if isinstance(kind, Pattern):  # an unquoted 网站标识码 is a number to an editor, text to the checker
        text = {"type": "string", "pattern": kind.pattern}
        if kind.as_number is None:
            return text
        return {"anyOf": [text, {"type": "integer", "minimum": kind.as_number[0], "maximum": kind.as_number[1]}]}
    if isinstance(kind, Text):  # every scalar is text to the checker: an unquoted ID number, true, 1.5
        return {"type": ["string", "number", "boolean"], "minLength": 1, "pattern": r"\S"}
    raise TypeError(f"no JSON Schema for {kind!r}")


def any_case(word: str) -> str:
    """A JSON Schema (ECMA-262) pattern for the word in any mix of upper and lower case."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.lower() != c.upper() else re.escape(c) for c in word)


def field_schema(spec: Field) -> dict:
    schema = {"title": spec.title, **type_schema(spec.type)}
    if spec.description:
        schema["description"] = spec.description
    if spec.default is not None:
        schema["default"] = spec.default
    return schema


def document(name: str) -> dict:
    struct, title, _ = SCHEMAS[name]
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{name}.schema.json",
        "title": title,
        **type_schema(struct),
    }
    if "kind" in struct.fields:
        schema["properties"]["kind"] = {**schema["properties"]["kind"], "const": name}
    return schema


def write_schemas(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in SCHEMAS:
        path = out / f"{name}.schema.json"
        path.write_text(json.dumps(document(name), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written
