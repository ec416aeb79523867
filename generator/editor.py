"""JSON Schema for editors, generated from the same schema the checker uses.

VS Code's YAML extension (and any editor speaking JSON Schema) gives staff
completion, Chinese field descriptions and red squiggles while typing.
"""

from __future__ import annotations

import json
from pathlib import Path

from .schema import (DATE_RE, DEREGISTRATION, LOST, TOWN, Boolean, Choice, Date, Field, Integer, ListOf, Phone,
                     Struct, Text, Type)

from .legal import LEGAL  # noqa: E402 - after schema, which it builds on

PHONE_PATTERN = r"^(1[3-9]\d[ -]?\d{4}[ -]?\d{4}|0\d{2,3}[- ]?[2-9]\d{6,7}((-|转)\d{1,6})?|1\d{2,4})$"
SCHEMAS = {
    "lost-document": (LOST, "遗失声明", "notices/lost/**/*.yaml"),
    "deregistration": (DEREGISTRATION, "注销公告", "notices/deregistration/**/*.yaml"),
    "town": (TOWN, "镇（街道）网格与法律服务", "notices/contacts/**/*.yaml"),
    "legal": (LEGAL, "法律服务热线与指南审核有效期", "notices/legal.yaml"),
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
        schema = {"type": "array", "items": type_schema(kind.item)}
        if kind.min_items:
            schema["minItems"] = kind.min_items
        return schema
    if isinstance(kind, Choice):
        return {"type": "string", "enum": list(kind.values)}
    if isinstance(kind, Integer):
        return {"type": "integer", "minimum": kind.minimum, "maximum": kind.maximum}
    if isinstance(kind, Boolean):
        return {"type": "boolean"}
    if isinstance(kind, Date):
        return {"type": "string", "pattern": DATE_RE.pattern, "format": "date"}
    if isinstance(kind, Phone):
        return {"type": "string", "pattern": PHONE_PATTERN}
    if isinstance(kind, Text):
        return {"type": "string", "minLength": 1}
    raise TypeError(f"no JSON Schema for {kind!r}")


def field_schema(spec: Field) -> dict:
    schema = {"title": spec.title, **type_schema(spec.type)}
    if spec.description:
        schema["description"] = spec.description
    if spec.default is not None:
        schema["default"] = spec.default
    return schema


def document(name: str) -> dict:
    struct, title, _ = SCHEMAS[name]
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": f"{name}.schema.json",
              "title": title, **type_schema(struct)}
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
