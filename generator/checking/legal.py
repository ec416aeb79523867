"""Legal-service configuration: the hotlines residents are shown, and how old a guide's review may be.

`notices/legal.yaml` is optional. Without it the site shows DEFAULT_HOTLINES everywhere and a guide's
review may be REVIEW_MONTHS old. A county (or city, or town) can give its own list under `places`:
an entry with the name of a default one replaces it there (a local 12345 number), others are added.

```yaml
review_months: 24
hotlines:
  - {name: 公共法律服务热线, phone: "12348", note: 法律咨询、法律援助申请}
places:
  - place: 衡阳市/衡东县
    hotlines:
      - {name: 政务服务便民热线, phone: "0734-12345"}
```
"""

from __future__ import annotations

from .identifiers import check_phone
from .model import Hotline, Region
from .problems import Problem
from .rules import problem
from .schema import Context, Field, Integer, ListOf, Phone, PhoneNumber, Struct, Text

REVIEW_MONTHS = 24  # a guide reviewed longer ago than this is a warning (guide-review-age)


def _hotline(name: str, phone: str, note: str) -> Hotline:
    return Hotline(name, PhoneNumber(phone, check_phone(phone).value), note)


DEFAULT_HOTLINES = (
    _hotline("公共法律服务热线", "12348", "法律咨询、法律援助申请、人民调解"),
    _hotline("诉讼服务热线", "12368", "法院立案、案件进度查询、联系法官"),
    _hotline("政务服务便民热线", "12345", "政府部门办事咨询、投诉建议"),
    _hotline("报警电话", "110", "遇到违法犯罪、人身危险，证件被盗"),
)

HOTLINE = Struct(
    Field("name", Text(), "名称", "如 公共法律服务热线；与默认热线同名即替换它", required=True),
    Field("phone", Phone(), "电话", "如 12348，或 区号-号码", required=True),
    Field("note", Text(), "说明", "能办什么事"),
)

LEGAL = Struct(
    Field(
        "review_months",
        Integer(1, 120),
        "审核有效期（月）",
        f"法律指南审核超过这么多个月后给出警告，默认 {REVIEW_MONTHS}",
        default=REVIEW_MONTHS,
    ),
    Field("hotlines", ListOf(HOTLINE, min_items=1), "热线电话", "全省通用；不写时使用 12348、12368、12345、110"),
    Field(
        "places",
        ListOf(
            Struct(
                Field("place", Text(), "地区", "regions.yaml 中的路径，如 衡阳市/衡东县", required=True),
                Field(
                    "hotlines", ListOf(HOTLINE, min_items=1), "本地热线", "同名替换通用热线，其余追加", required=True
                ),
            )
        ),
        "各地热线",
    ),
)


class LegalConfig:
    """legal.yaml, converted: the hotlines everywhere, those of places, and the review age."""

    def __init__(self, hotlines=DEFAULT_HOTLINES, places=None, review_months: int = REVIEW_MONTHS, positions=None):
        self.hotlines = list(hotlines)
        self.places: dict[str, list[Hotline]] = places or {}
        self.review_months = review_months
        self.positions: dict[str, tuple[str, tuple[int, int]]] = (
            positions or {}
        )  # place → (field, where), for region-unknown

    def __repr__(self) -> str:  # part of page cache keys
        return f"LegalConfig({self.hotlines!r}, {sorted(self.places.items())!r}, {self.review_months})"


def convert(root, ctx: Context) -> LegalConfig | None:
    values = LEGAL.convert(root, ctx, "")
    if values is None:
        return None
    hotlines = [
        _from(v, f"hotlines[{i}]")
        for i, v in enumerate(values.get("hotlines", []))
        if v and "name" in v and "phone" in v
    ] or DEFAULT_HOTLINES
    places, positions = {}, {}
    for index, entry in enumerate(values.get("places", [])):
        if entry and "place" in entry and "hotlines" in entry:
            places[entry["place"]] = [
                _from(v, f"places[{index}].hotlines[{i}]")
                for i, v in enumerate(entry["hotlines"])
                if v and "name" in v and "phone" in v
            ]
            positions[entry["place"]] = (f"places[{index}].place", ctx.position(f"places[{index}].place"))
    return LegalConfig(hotlines, places, values.get("review_months", REVIEW_MONTHS), positions)


def _from(values: dict, key_path: str) -> Hotline:
    return Hotline(values["name"], values["phone"], values.get("note"), key_path)


def hotlines_for(default: list[Hotline], places: dict[str, list[Hotline]], place: str | None) -> list[Hotline]:
    """The hotlines a resident of `place` is shown: the defaults, with each enclosing place's own
    entries (city, then county, then town) replacing those of the same name and adding the rest."""
    result = {h.name: h for h in default}
    if place:
        parts = place.split("/")
        for depth in range(1, len(parts) + 1):
            for hotline in places.get("/".join(parts[:depth]), ()):
                result[hotline.name] = hotline
    return list(result.values())


def unknown_places(config: LegalConfig, path: str, index: dict[str, Region]) -> list[Problem]:

    problems = []
    for place in config.places:
        if index and place not in index:
            field_name, position = config.positions.get(place, ("places", (1, 1)))
            problems.append(
                problem(
                    path,
                    position,
                    field_name,
                    f"regions.yaml 中没有 {place} (no such place in regions.yaml)",
                    "region-unknown",
                )
            )
    return problems


#: The registering office by the first character of a credit code (GB 32100: 登记管理部门码).
REGISTRARS = {
    "1": "机构编制部门",
    "3": "司法行政部门",
    "5": "县级以上人民政府民政部门",
    "9": "市场监督管理部门（原工商行政管理部门）",
    "N": "农业农村部门",
}


def registrar(credit_code: str) -> str:
    """Where a creditor can object to a deregistration: the office that registered the organisation."""
    return REGISTRARS.get(credit_code[:1], "原登记机关")
