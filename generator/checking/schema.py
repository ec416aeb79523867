"""The data contract as code: one schema drives checking, documentation and (later) editor schemas.

Each field declares its key, type, whether it is required, and a Chinese title
and description for staff. `convert()` walks a loaded node against a schema and
returns plain typed values, collecting every problem it meets.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
from dataclasses import dataclass, field
from typing import Any

from . import identifiers, privacy
from .characters import UNSEEN
from .limits import IMAGE_SUFFIXES
from .load import Mapping, Node, Scalar, Sequence, is_image
from .problems import Problem

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class Context:
    """Where converted values and problems go while one file is walked."""

    path: str
    today: dt.date
    problems: list[Problem] = field(default_factory=list)
    where: dict[str, tuple[int, int]] = field(default_factory=dict)

    def error(self, node_or_pos, field_name: str, message: str, rule: str, level: str = "error") -> None:
        line, column = _pos(node_or_pos)
        self.problems.append(Problem(self.path, line, column, field_name, message, rule, level))

    def position(self, field_name: str) -> tuple[int, int]:
        return self.where.get(field_name, (1, 1))


def _pos(node_or_pos) -> tuple[int, int]:
    if isinstance(node_or_pos, tuple):
        return node_or_pos
    return node_or_pos.line, node_or_pos.column


def nearest(word: str, choices) -> str:
    """A ' 是不是想写 X？' hint when one of `choices` is close to `word`."""
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.5)
    return f"，是不是想写 {match[0]}？(did you mean {match[0]}?)" if match else ""


# ---------------------------------------------------------------- types


class Type:
    """A field type: turns a node into a value or records why it cannot."""

    json_type = "string"

    def convert(self, node: Node, ctx: Context, name: str) -> Any:
        raise NotImplementedError

    def describe(self) -> str:
        return "文字"


class ScalarType(Type):
    def convert(self, node, ctx, name):
        if not isinstance(node, Scalar):
            ctx.error(node, name, "这里应该写一个值，而不是列表或嵌套内容 (expected a single value)", "field-type")
            return None
        if node.value is None:
            ctx.error(node, name, "值是空的 (empty value)", "field-required")
            return None
        return self.parse(node.value, node, ctx, name)

    def parse(self, text: str, node: Scalar, ctx: Context, name: str) -> Any:
        return text


class Text(ScalarType):
    """Free text. A newline is allowed only where `multiline` (validate refuses control characters)."""

    def __init__(self, multiline: bool = False):
        self.multiline = multiline

    def describe(self):
        return "文字，可分行" if self.multiline else "文字"

    def parse(self, text, node, ctx, name):
        if not text.strip():
            ctx.error(node, name, "值是空的 (empty value)", "field-required")
            return None
        return text


class Pattern(Text):
    """One line of text of a fixed form (a record number, an address), checked by a regular expression
    that editors' JSON Schema and the web editor use as it is (editor.py, cms.py): write it for both
    Python and ECMAScript ([0-9], not \\d)."""

    def __init__(self, pattern: str, form: str, as_number: tuple[int, int] | None = None):
        super().__init__()
        self.pattern, self.form = pattern, form
        self.as_number = as_number  # the range of a value all digits, which an editor reads unquoted as a number

    def describe(self):
        return self.form

    def parse(self, text, node, ctx, name):
        if re.fullmatch(self.pattern, text) is None:
            # The fields of a fixed form are site.yaml's (identity.py): their rule.
            ctx.error(node, name, f"格式不对：应为{self.form}，而不是 {text!r} (wrong format)", "site-identity-format")
            return None
        return text


class Date(ScalarType):
    json_type = "date"

    def __init__(self, future_ok: bool = False):
        self.future_ok = future_ok  # a deadline may lie ahead

    def describe(self):
        return "日期 YYYY-MM-DD"

    def parse(self, text, node, ctx, name):
        if not DATE_RE.match(text):
            ctx.error(
                node,
                name,
                f"日期格式应为 YYYY-MM-DD，例如 2022-06-20，而不是 {text!r} (date must be YYYY-MM-DD)",
                "date-format",
            )
            return None
        try:
            value = dt.date.fromisoformat(text)
        except ValueError:
            ctx.error(node, name, f"日期 {text} 不存在 (no such date)", "date-format")
            return None
        if not self.future_ok and value > ctx.today + dt.timedelta(days=FUTURE_TOLERANCE_DAYS):
            ctx.error(node, name, f"日期 {text} 在将来，请检查年份 (date is in the future)", "date-future")
        return value


FUTURE_TOLERANCE_DAYS = 7


class Integer(ScalarType):
    json_type = "integer"

    def __init__(self, minimum: int, maximum: int):
        self.minimum, self.maximum = minimum, maximum

    def describe(self):
        return f"整数 {self.minimum}–{self.maximum}"

    def parse(self, text, node, ctx, name):
        if not re.fullmatch(r"\d+", text) or not self.minimum <= int(text) <= self.maximum:
            ctx.error(
                node,
                name,
                f"应为 {self.minimum} 到 {self.maximum} 之间的整数，而不是 {text!r} (expected a whole number)",
                "field-type",
            )
            return None
        return int(text)


class Boolean(ScalarType):
    json_type = "boolean"
    TRUE = {"true", "是"}
    FALSE = {"false", "否"}

    def describe(self):
        return "true（是）或 false（否）"

    def parse(self, text, node, ctx, name):
        lowered = text.lower()
        if lowered in self.TRUE:
            return True
        if lowered in self.FALSE:
            return False
        ctx.error(node, name, f"应写 true（是）或 false（否），而不是 {text!r} (expected true or false)", "field-type")
        return None


class Choice(ScalarType):
    def __init__(self, *values: str):
        self.values = values

    def describe(self):
        return "其中之一：" + "、".join(self.values)

    def parse(self, text, node, ctx, name):
        if text not in self.values:
            ctx.error(
                node,
                name,
                f"{text!r} 不是可选值，可选：{'、'.join(self.values)}{nearest(text, self.values)} (not one of the allowed values)",
                "field-choice",
            )
            return None
        return text


class Phone(ScalarType):
    """A phone number as written, checked; the tel: link uses the normalised form. A number written
    for callers abroad (+86 734 …) is shown in the national form residents dial (0734-…)."""

    def describe(self):
        return "电话：手机 11 位，或 区号-号码"

    def parse(self, text, node, ctx, name):
        checked = identifiers.check_phone(text)
        if checked.error:
            ctx.error(node, name, checked.error, checked.rule)
            return None
        return PhoneNumber(checked.value if identifiers.international(text) else text, checked.value)


IMAGE_FOLDER = "images/"
IMAGE_NAME_UNSAFE = re.compile(rf"[{UNSEEN}\s\\:?#%*<>|\"']")


class ImagePath(Text):
    """A picture in notices/images/, written /images/<file> (as the CMS writes it) or images/<file>;
    the value is images/<file>, the picture's path below notices/ (and below media/ in the site).
    Whether the file is there is checked across files (validate.py), as it is not in this file."""

    def describe(self):
        return "notices/images/ 中的图片，写成 /images/文件名.png"

    def parse(self, text, node, ctx, name):
        why = image_path_problem(text)
        if why:
            ctx.error(
                node,
                name,
                f"{why}；图片放在 notices/images/ 里，这里写 /images/文件名，如 /images/wutang-qr.png "
                "(must name an image in notices/images/)",
                "image-reference",
            )
            return None
        return text.removeprefix("/")


def image_path_problem(text: str) -> str | None:
    """Why `text` cannot name a picture below notices/images/ (a URL, an absolute path, a step up
    with `..`, a hidden file, a character that breaks an address, not an image), or None."""
    if not text.removeprefix("/").startswith(IMAGE_FOLDER):
        return f"{text!r} 不在 /images/ 下（不能是网址或其他文件夹）"
    parts = text.removeprefix("/").split("/")[1:]
    if any(part in ("", ".", "..") or part.startswith(".") for part in parts):
        return f"{text!r} 含有空的、“.” 或 “..” 开头的部分"
    if IMAGE_NAME_UNSAFE.search(text):
        return f"{text!r} 含有空格、控制字符或 \\ : ? # % * < > | 引号，请给图片改名"
    if not is_image(text):
        return f"{text!r} 不是图片，只能是 {'、'.join(IMAGE_SUFFIXES)}"
    return None


@dataclass(frozen=True)
class PhoneNumber:
    text: str
    normalized: str

    @functools.cached_property
    def href(self) -> str:
        return identifiers.tel_uri(self.normalized)

    def __str__(self) -> str:
        return self.text


class Struct(Type):
    json_type = "object"

    def __init__(self, *fields: Field, extra_ok: bool = False):
        self.fields = {f.key: f for f in fields}
        self.extra_ok = extra_ok

    def describe(self):
        return "一组字段"

    def convert(self, node: Node | None, ctx: Context, name: str) -> Any:
        if not isinstance(node, Mapping):
            ctx.error(
                node, name, f"这里应该是一组“键: 值”，包含 {'、'.join(self.fields)} (expected a mapping)", "field-type"
            )
            return None
        prefix = f"{name}." if name else ""
        values: dict[str, Any] = {}
        for key, entry in node.entries.items():
            spec = self.fields.get(key)
            if spec is None:
                if not self.extra_ok:
                    ctx.error(
                        entry,
                        prefix + key,
                        f"未知字段{nearest(key, self.fields)} (unknown key)",
                        "unknown-key",
                        "warning",
                    )
                continue
            full = prefix + key
            ctx.where[full] = (entry.node.line, entry.node.column)
            if isinstance(entry.node, Scalar) and entry.node.value is None and not spec.required:
                continue
            value = spec.type.convert(entry.node, ctx, full)
            if value is not None:
                values[key] = value
        for key, spec in self.fields.items():
            if spec.required and key not in node.entries:
                ctx.error(node, prefix + key, f"缺少必填字段“{spec.title}” (missing required field)", "field-required")
            elif key not in values and spec.default is not None and key not in node.entries:
                values[key] = spec.default
        return values


class ListOf(Type):
    json_type = "array"

    def __init__(self, item: Type, min_items: int = 0):
        self.item, self.min_items = item, min_items

    def describe(self):
        return f"列表（每项：{self.item.describe()}）"

    def convert(self, node, ctx, name):
        if isinstance(node, Scalar) and node.value is not None and isinstance(self.item, ScalarType):
            ctx.error(node, name, "这里应该是列表，例如 [甲, 乙] 或每行一个 “- 甲” (expected a list)", "field-type")
            return None
        if not isinstance(node, Sequence):
            ctx.error(node, name, "这里应该是列表，每项以 “- ” 开头 (expected a list)", "field-type")
            return None
        if len(node.items) < self.min_items:
            ctx.error(
                node,
                name,
                f"列表至少要有 {self.min_items} 项 (list needs at least {self.min_items} items)",
                "field-required",
            )
        values = []
        for index, item in enumerate(node.items):
            full = f"{name}[{index}]"
            ctx.where[full] = (item.line, item.column)
            value = self.item.convert(item, ctx, full)
            if value is not None:
                values.append(value)
            else:
                values.append(None)
        return values


@dataclass(frozen=True)
class Field:
    key: str
    type: Type
    title: str
    description: str = ""
    required: bool = False
    default: Any = None


# ---------------------------------------------------------------- the contract

PERSON = Struct(
    Field("name", Text(), "姓名", required=True),
    Field("phone", Phone(), "电话", "手机或座机，点击即可拨打", required=True),
)

WORKER = Struct(
    Field("name", Text(), "姓名", required=True),
    Field("phone", Phone(), "电话", required=True),
    Field("duties", ListOf(Text()), "职责", "如 政策宣传、矛盾纠纷调解"),
)

BUILDING = Struct(
    Field("name", Text(), "楼栋名称", "如 兴业小区11栋", required=True),
    Field("leader", PERSON, "楼栋长", required=True),
)

GRID = Struct(
    Field("id", Text(), "网格编号", "在本镇（街道）内唯一", required=True),
    Field("name", Text(), "网格名称", required=True),
    Field("village", Text(), "所在村（社区）", "必须是 regions.yaml 中本镇的下级", required=True),
    Field("covers", ListOf(Text()), "覆盖范围", "组、街道、小区等，可搜索"),
    Field("leader", PERSON, "网格长", required=True),
    Field("workers", ListOf(WORKER), "网格员"),
    Field("buildings", ListOf(BUILDING), "楼栋长", "城镇社区的楼栋及楼栋长"),
    Field(
        "wechat_group",
        Struct(
            Field("name", Text(), "群名称", required=True),
            Field(
                "qr",
                ImagePath(),
                "二维码图片",
                "notices/images/ 中的图片，写成 /images/文件名，如 /images/wutang-qr.png",
            ),
        ),
        "微信群",
    ),
)

LEGAL_SERVICE_KINDS = {
    "judicial-office": "司法所",
    "notary": "公证处",
    "legal-aid": "法律援助中心",
    "lawyer": "律师",
    "mediation": "人民调解委员会",  # a town's, or with village: that village's
    "adviser": "村（居）法律顾问",  # one per village (一村（社区）一法律顾问): village, firm, phone
    "tribunal": "人民法庭",  # address and hours
    "legal-service-center": "公共法律服务中心（站）",
}
#: Fields a kind of legal service must have (rule legal-service-fields).
LEGAL_SERVICE_NEEDS = {"adviser": ("village", "firm", "phone"), "tribunal": ("address", "hours")}

TOWN = Struct(
    Field("town", Text(), "镇（街道）", "regions.yaml 中的路径，如 衡阳市/衡东县/甘溪镇", required=True),
    Field("updated", Date(), "更新日期", required=True),
    Field(
        "office",
        Struct(
            Field("name", Text(), "名称", required=True),
            Field("phone", Phone(), "电话"),
            Field("address", Text(), "地址"),
        ),
        "综治中心（办公室）",
    ),
    Field(
        "judges",
        ListOf(
            Struct(
                Field("name", Text(), "姓名", required=True),
                Field("court", Text(), "法院", required=True),
                Field("title", Text(), "职务", "如 法官、员额法官"),
                Field("phone", Phone(), "电话", required=True),
            ),
            min_items=1,
        ),
        "驻镇法官（网格+法庭）",
        required=True,
    ),
    Field(
        "legal_services",
        ListOf(
            Struct(
                Field(
                    "kind",
                    Choice(*LEGAL_SERVICE_KINDS),
                    "类别",
                    "、".join(f"{k} {v}" for k, v in LEGAL_SERVICE_KINDS.items()),
                    required=True,
                ),
                Field("name", Text(), "名称", "法律顾问写本人姓名", required=True),
                Field("phone", Phone(), "电话", "法律顾问必填"),
                Field("address", Text(), "地址", "人民法庭必填"),
                Field("village", Text(), "所在村（社区）", "法律顾问必填；村调委会可填：显示在该村的网格旁"),
                Field("firm", Text(), "律师事务所", "法律顾问必填，如 湖南衡东致远律师事务所"),
                Field("hours", Text(), "办公时间", "人民法庭必填，如 周一至周五 8:30-12:00 14:30-17:30"),
            )
        ),
        "法律服务",
    ),
    Field("grids", ListOf(GRID, min_items=1), "网格", required=True),
)

# ---------------------------------------------------------------- provenance (both notice kinds)

#: Notices published from this day on should name their publisher (and a deregistration its registration
#: authority): a warning, so the files written before these fields existed stay valid under --strict.
PROVENANCE_FROM = dt.date(2026, 11, 23)
#: How far a newspaper's date may be from 公告日期, either way (rule newspaper-date).
NEWSPAPER_WINDOW_DAYS = 60
_FROM_TEXT = f"{PROVENANCE_FROM.year}年{PROVENANCE_FROM.month}月{PROVENANCE_FROM.day}日"

OFFICE = Struct(
    Field("name", Text(), "名称", required=True),
    Field("phone", Phone(), "电话"),
    Field("address", Text(), "地址"),
)

REFERENCE = Field(
    "reference",
    Text(),
    "公告编号",
    "如 430424-2022-Y7K3M9Q：区划代码-年份-类别字母（遗失 Y，注销 Z）和 6 位编码。"
    "portal new 会写好；不写时按文件名推算，文件改名后会变，所以一经公布请写入文件，以后不要改",
)

PROVENANCE = (
    Field(
        "publisher", OFFICE, "发布单位", f"发布本公告的单位及其电话、地址；公告日期在{_FROM_TEXT}及以后的公告不写时提醒"
    ),
    Field(
        "newspapers",
        ListOf(
            Struct(
                Field("name", Text(), "报刊名称", "如 衡阳日报", required=True),
                Field("date", Date(), "刊登日期", f"与公告日期相差不超过 {NEWSPAPER_WINDOW_DAYS} 天", required=True),
                Field("page", Text(), "版面", "如 A7 版"),
            )
        ),
        "原载报刊",
        "本公告同时刊登在报纸上时，写明报刊名称、日期和版面",
    ),
    Field(
        "corrections",
        ListOf(
            Struct(
                Field("date", Date(), "更正日期", "不早于公告日期，不晚于今天", required=True),
                Field("change", Text(multiline=True), "更正内容", "改了什么，如 更正证件号码末位", required=True),
            )
        ),
        "更正记录",
        "公告发布后每次修改都记一条，显示在公告下方；不要删除已有的记录",
    ),
)

DOCUMENT_TYPES = (
    *privacy.ID_DOCUMENT_TYPES,
    "毕业证书",
    "学位证书",
    "不动产权证书",
    "营业执照",
    "公章",
    "出生医学证明",
    "其他",
)
"""The closed list of document types; the first ones carry the holder's ID number (privacy.py)."""

ID_TYPES_TEXT = "、".join(privacy.ID_DOCUMENT_TYPES)

LOST = Struct(
    Field("kind", Text(), "公告类别", "遗失声明写 lost-document", required=True),
    REFERENCE,
    Field("published", Date(), "公告日期", required=True),
    Field("holder", Text(), "声明人", "个人或单位", required=True),
    Field("region", Text(), "地区", "regions.yaml 中的路径，如 长沙市/芙蓉区"),
    Field(
        "document",
        Struct(
            Field("type", Choice(*DOCUMENT_TYPES), "证件类别", required=True),
            Field(
                "number",
                Text(),
                "证件号码",
                f"按类别校验；身份证号码只公开前 {privacy.ID_KEEP_START} 位和后 {privacy.ID_KEEP_END} 位，"
                f"号码即身份证号码的证件（{ID_TYPES_TEXT}，名称为其中之一的“其他”）"
                "以及任何含有身份证号码的号码同样遮盖；数字只用 0–9",
            ),
            Field("issuer", Text(), "发证机关"),
            Field("name", Text(), "证件名称", "类别为“其他”时写明证件名称；写“居民身份证”“社保卡”等时号码按身份证遮盖"),
        ),
        "遗失证件",
        required=True,
    ),
    Field("lost_on", Date(), "遗失日期", "不能晚于公告日期"),
    Field("reissued", Boolean(), "已申领新证"),
    Field("statement", Text(multiline=True), "声明内容", "不写时使用标准的“声明作废”语句"),
    Field("legal_basis", Text(multiline=True), "法律依据"),
    Field(
        "status",
        Choice("active", "withdrawn"),
        "状态",
        "active 未撤回（网站显示“已声明作废”），withdrawn 已撤回",
        default="active",
    ),
    Field("withdrawn_reason", Text(multiline=True), "撤回原因", "status 为 withdrawn 时必填"),
    *PROVENANCE,
)

DEREGISTRATION = Struct(
    Field("kind", Text(), "公告类别", "注销公告写 deregistration", required=True),
    REFERENCE,
    Field("published", Date(), "公告日期", required=True),
    Field("organization", Text(), "注销单位", required=True),
    Field("credit_code", Text(), "统一社会信用代码", "18 位，按 GB 32100 校验", required=True),
    Field("region", Text(), "地区", "regions.yaml 中的路径"),
    Field("decided_on", Date(), "决议日期", "不能晚于公告日期", required=True),
    Field("decided_by", Text(), "决议机构", "如 会员代表大会、股东会", required=True),
    Field("claim_days", Integer(1, 365), "债权申报期（天）", "默认 45 天，网站显示截止日期", default=45),
    Field("contact", PERSON, "联系人", required=True),
    Field(
        "status",
        Choice("active", "withdrawn"),
        "状态",
        "active 未撤回（网站按日期显示“公告期内”或“公告期满”），withdrawn 已撤回",
        default="active",
    ),
    Field("withdrawn_reason", Text(multiline=True), "撤回原因", "status 为 withdrawn 时必填"),
    *PROVENANCE,
    Field(
        "authority",
        OFFICE,
        "登记机关",
        f"受理注销登记的机关，如 衡东县民政局、衡东县市场监督管理局；公告日期在{_FROM_TEXT}及以后的公告不写时提醒",
    ),
    Field(
        "objection",
        Struct(
            Field("office", Text(), "受理异议的单位", "不写时为登记机关"),
            Field("phone", Phone(), "电话"),
            Field("address", Text(), "地址"),
            Field("opens_on", Date(future_ok=True), "异议期开始", "不写时为公告日期"),
            Field("closes_on", Date(future_ok=True), "异议期截止", "不早于开始日期", required=True),
        ),
        "异议",
        "对注销有异议时向谁、在什么期限内提出",
    ),
)


def field_type(struct: Struct, field_name: str) -> Type | None:
    """The type of a field by the checker's name for it (`grids[0].covers[1]`), None if there is none."""
    kind: Type | None = struct
    for key in re.sub(r"\[\d+\]", "", field_name).split("."):
        while isinstance(kind, ListOf):
            kind = kind.item
        if not isinstance(kind, Struct) or key not in kind.fields:
            return None
        kind = kind.fields[key].type
    while isinstance(kind, ListOf):
        kind = kind.item
    return kind


KINDS = {"lost-document": LOST, "deregistration": DEREGISTRATION}
FOLDER_KIND = {"lost": "lost-document", "deregistration": "deregistration"}
