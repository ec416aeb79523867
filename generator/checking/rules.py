"""Every rule `portal check` applies: an id, a Chinese title, and a passing and a failing example.

The examples are real input: the test suite runs `check` on each (together with
a small base data set) and expects the failing one, and only it, to raise the
rule. The staff guide's rule reference is generated from this registry, so the
documentation cannot drift from the code.

An example is a mapping of paths below `notices/` to file contents: text, bytes (a file saved in
GBK), or a `NotText` (a picture, or a symbolic link), shown on the rules page by its description.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .limits import MAX_DEPTH, MAX_FILE_BYTES, MAX_ITEMS, MAX_TEXT_CHARS, MAX_VALUES, megabytes
from .problems import Problem
from .schema import NEWSPAPER_WINDOW_DAYS, PROVENANCE_FROM, Context


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    explanation: str
    good: Mapping[str, str | bytes] = field(default_factory=dict)
    bad: Mapping[str, str | bytes] = field(default_factory=dict)
    level: str = "error"


RULES: dict[str, Rule] = {}


class NotText(str):
    """An example file that is not text: the string is what the rules page shows; the file holds
    `data`, or is a symbolic link to `link`."""

    data: bytes
    link: str | None

    def __new__(cls, description: str, data: bytes = b"", link: str | None = None):
        made = super().__new__(cls, description)
        made.data, made.link = data, link
        return made


PNG = NotText("（一张 PNG 图片）", b"\x89PNG\r\n\x1a\n")


def register(rule: Rule) -> Rule:
    assert rule.id not in RULES, rule.id
    RULES[rule.id] = rule
    return rule


def lost(body: str, name: str = "lost/2022/example.yaml") -> dict[str, str]:
    """A lost-document notice example file."""
    return {name: "kind: lost-document\n" + body}


def dereg(body: str, name: str = "deregistration/2022/example.yaml") -> dict[str, str]:
    return {name: "kind: deregistration\n" + body}


ID_NOTICE = """published: 2022-06-20
holder: 罗某某
document: {{type: 身份证, number: "{number}"}}
"""

DEREG_NOTICE = """published: 2022-06-06
organization: 衡东县示例协会
credit_code: "{code}"
decided_on: {decided_on}
decided_by: 会员代表大会
contact: {{name: 刘某, phone: "{phone}"}}
"""

GOOD_ID = "430102199003075016"
GOOD_CODE = "51430421MJ1234561R"


def _lost_id(number: str) -> dict[str, str]:
    return lost(ID_NOTICE.format(number=number))


def _dereg(code: str = GOOD_CODE, decided_on: str = "2022-06-05", phone: str = "0734-5261234") -> dict[str, str]:
    return dereg(DEREG_NOTICE.format(code=code, decided_on=decided_on, phone=phone))


GOOD_LOST = _lost_id(GOOD_ID)

BASE_REGIONS = """- name: 衡阳市
  code: "430400"
  children:
    - name: 衡东县
      code: "430424"
      children:
        - name: 甘溪镇
          children: [乌塘村, 新塘村]
- name: 长沙市
  children:
    - name: 芙蓉区
      children:
        - name: 定王台街道
          children: [燕山街社区]
"""

BASE_TOWN = """town: 衡阳市/衡东县/甘溪镇
updated: 2026-10-23
judges:
  - {name: 谭某, court: 衡东县人民法院, title: 法官, phone: "0734-5261234"}
grids:
  - id: "1"
    name: 乌塘村第一网格
    village: 乌塘村
    covers: [乌塘村1组, 乌塘村2组]
    leader: {name: 彭某, phone: "13973400001"}
  - id: "2"
    name: 新塘村网格
    village: 新塘村
    leader: {name: 曾某, phone: "13973400002"}
"""

BASE = {"regions.yaml": BASE_REGIONS, "contacts/hengdong/ganxi.yaml": BASE_TOWN}
"""The small valid data set every example is checked together with."""

# ------------------------------------------------------------ files and YAML

register(
    Rule(
        "file-encoding",
        "文件必须是 UTF-8 编码",
        "用记事本等编辑器保存时请选择 UTF-8。GBK 编码的文件会被拒绝，并提示“看起来是 GBK”。",
        good=GOOD_LOST,
        bad={"lost/2022/example.yaml": ("kind: lost-document\n" + ID_NOTICE.format(number=GOOD_ID)).encode("gbk")},
    )
)
register(
    Rule(
        "yaml-syntax",
        "YAML 格式正确",
        "冒号后要有空格，括号要成对，缩进要对齐。",
        good=GOOD_LOST,
        bad=lost("published: 2022-06-20\nholder: [罗某某\n"),
    )
)
register(
    Rule(
        "yaml-empty",
        "文件不能是空的",
        "删除公告请删除文件，而不是清空内容。",
        good=GOOD_LOST,
        bad={"lost/2022/example.yaml": "# 空文件\n"},
    )
)
register(
    Rule(
        "yaml-alias",
        "不使用锚点和别名（& 和 *）",
        "每个值都直接写出来。锚点和别名会被拒绝，以防“别名炸弹”拖垮构建。",
        good=GOOD_LOST,
        bad=lost("published: &d 2022-06-20\nlost_on: *d\nholder: 罗某某\ndocument: {type: 公章}\n"),
    )
)
register(
    Rule(
        "yaml-duplicate-key",
        "同一层里不能有重复的键",
        "同一个字段写了两次时，无法知道哪一个是对的。",
        good=GOOD_LOST,
        bad=lost(ID_NOTICE.format(number=GOOD_ID) + "holder: 罗某\n"),
    )
)
register(
    Rule(
        "yaml-key",
        "键必须是简单文字",
        "字段名写成普通文字，如 holder。",
        good=GOOD_LOST,
        bad=lost(ID_NOTICE.format(number=GOOD_ID) + "[a, b]: 1\n"),
    )
)
register(
    Rule(
        "file-symlink",
        "只放普通文件，不放符号链接",
        "notices/ 下任何地方（图片也一样）的符号链接（快捷方式）、管道等都会被拒绝，也不会被读取："
        "链接可能指向仓库以外的文件（甚至构建机器的环境变量），会被当作公告或图片发布出去。请把文件本身放进来。",
        good=GOOD_LOST,
        bad={**GOOD_LOST, "images/qr.png": NotText("（符号链接，指向 /proc/self/environ）", link="/proc/self/environ")},
    )
)
register(
    Rule(
        "input-limit",
        "文件和值的大小有上限",
        f"一个文件最多 {megabytes(MAX_FILE_BYTES).replace('.0 ', ' ')}，列表和“键: 值”最多嵌套 {MAX_DEPTH} 层，"
        f"一个列表最多 {MAX_ITEMS:,} 项，一个文件最多 {MAX_VALUES:,} 个值，一个值最多 {MAX_TEXT_CHARS:,} 个字符"
        "（见 README 的 Limits 一节）。超过上限的文件整个被拒绝，以免拖垮或弄崩检查和构建。",
        good=GOOD_LOST,
        bad=lost(ID_NOTICE.format(number=GOOD_ID) + "legal_basis: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n"),
    )
)
register(
    Rule(
        "file-location",
        "文件放在约定的位置",
        "notices/ 下只有 regions.yaml、contacts/<县>/<镇>.yaml、lost/<年>/*.yaml 和 deregistration/<年>/*.yaml。",
        good=GOOD_LOST,
        bad={"lost/example.yaml": "kind: lost-document\n" + ID_NOTICE.format(number=GOOD_ID)},
    )
)

# ------------------------------------------------------------ fields

register(
    Rule(
        "field-required",
        "必填字段不能缺少或为空",
        "每类公告的必填字段见字段说明。",
        good=GOOD_LOST,
        bad=lost("published: 2022-06-20\ndocument: {type: 公章}\n"),
    )
)
register(
    Rule(
        "field-type",
        "字段的类型要对",
        "例如 reissued 只能写 true 或 false，claim_days 只能写整数。",
        good=GOOD_LOST,
        bad=lost(ID_NOTICE.format(number=GOOD_ID) + "reissued: 也许\n"),
    )
)
register(
    Rule(
        "field-choice",
        "只能从可选值中选",
        "例如证件类别只能是列出的几种，不认识的类别请写“其他”并写明 name。",
        good=GOOD_LOST,
        bad=lost('published: 2022-06-20\nholder: 罗某某\ndocument: {type: 身分证, number: "' + GOOD_ID + '"}\n'),
    )
)
register(
    Rule(
        "unknown-key",
        "不认识的字段（警告）",
        "多半是拼写错误，例如把 holder 写成 holdr。`portal check --strict`（CI 使用）会把警告当作错误。",
        level="warning",
        good=GOOD_LOST,
        bad=lost("published: 2022-06-20\nholdr: 罗某某\nholder: 罗某某\ndocument: {type: 公章}\n"),
    )
)
register(
    Rule(
        "kind-unknown",
        "公告类别 kind 必须认识",
        "遗失声明写 lost-document，注销公告写 deregistration。",
        good=GOOD_LOST,
        bad={"lost/2022/example.yaml": "kind: lost-documents\n" + ID_NOTICE.format(number=GOOD_ID)},
    )
)
register(
    Rule(
        "kind-folder",
        "公告放在与类别对应的文件夹",
        "遗失声明放在 lost/<年>/，注销公告放在 deregistration/<年>/。",
        good=GOOD_LOST,
        bad=lost(ID_NOTICE.format(number=GOOD_ID), name="deregistration/2022/example.yaml"),
    )
)

# ------------------------------------------------------------ dates

register(
    Rule(
        "date-format",
        "日期写成 YYYY-MM-DD 且真实存在",
        "例如 2022-06-20；2022-02-30 或 2022/6/20 都不行。",
        good=GOOD_LOST,
        bad=lost(ID_NOTICE.format(number=GOOD_ID).replace("2022-06-20", "2022-02-30")),
    )
)
register(
    Rule(
        "date-future",
        "日期不能在将来",
        "公告日期等不能晚于今天一周以上，多半是年份写错。",
        good=GOOD_LOST,
        bad=lost(ID_NOTICE.format(number=GOOD_ID).replace("2022-06-20", "2092-06-20")),
    )
)
register(
    Rule(
        "date-order",
        "日期先后要合理",
        "遗失日期 lost_on、决议日期 decided_on 不能晚于公告日期 published；"
        "异议期截止 objection.closes_on 不能早于开始日期 opens_on（不写时为公告日期）。",
        good=_dereg(),
        bad=_dereg(decided_on="2022-06-07"),
    )
)

# ------------------------------------------------------------ identifiers

register(
    Rule(
        "id-format",
        "身份证号码是 18 位",
        "前 17 位是数字，最后一位是数字或 X。15 位的旧号码不接受；全角数字会自动转换。",
        good=_lost_id("４３０１０２１９９００３０７５０１６"),
        bad=_lost_id("430102900307501"),
    )
)
register(
    Rule(
        "id-region",
        "身份证号码前两位是省份代码",
        "例如湖南是 43。",
        good=_lost_id(GOOD_ID),
        bad=_lost_id("990102199003075011"),
    )
)
register(
    Rule(
        "id-birth-date",
        "身份证号码中的出生日期真实存在",
        "第 7–14 位是出生日期，例如 19900307。",
        good=_lost_id(GOOD_ID),
        bad=_lost_id("430102199002305011"),
    )
)
register(
    Rule(
        "id-check-digit",
        "身份证号码校验位正确",
        "最后一位按 GB 11643 计算，抄错一位数字通常会在这里被发现。",
        good=_lost_id(GOOD_ID),
        bad=_lost_id("430102199003075011"),
    )
)
register(
    Rule(
        "credit-code-format",
        "统一社会信用代码格式正确",
        "18 位，只含数字和大写字母（不含 I、O、Z、S、V）。",
        good=_dereg(),
        bad=_dereg(code="51430421MJ12345"),
    )
)
register(
    Rule(
        "credit-code-region",
        "统一社会信用代码第 3–8 位是行政区划代码",
        "例如 430421。",
        good=_dereg(),
        bad=_dereg(code="51A30421MJ1234561R"),
    )
)
register(
    Rule(
        "credit-code-org",
        "统一社会信用代码中的组织机构代码正确",
        "第 9–17 位是组织机构代码，其最后一位按 GB 11714 校验。"
        "例如 123456789012345678 恰好能通过总校验位，但仍会被拒绝。",
        good=_dereg(),
        bad=_dereg(code="123456789012345678"),
    )
)
register(
    Rule(
        "credit-code-check-digit",
        "统一社会信用代码校验位正确",
        "最后一位按 GB 32100 计算。",
        good=_dereg(),
        bad=_dereg(code="51430421MJ1234561Q"),
    )
)
register(
    Rule(
        "phone-format",
        "电话号码格式正确",
        "手机 11 位，以 13–19 开头；座机写区号-号码，例如 0734-5261234。",
        good=_dereg(phone="13973400001"),
        bad=_dereg(phone="1397340000"),
    )
)
register(
    Rule(
        "phone-landline-exists",
        "固定电话的区号存在，号码位数相符",
        "区号和号码位数按 libphonenumber（谷歌的全球电话号码数据）核对：0740、0741 这样的区号不存在；"
        "长沙（0731）的号码是 8 位，湖南其他市是 7 位。写成 +86 或 0086 开头的号码也接受，页面上显示为国内写法。",
        good=_dereg(phone="+86 731 84561234"),
        bad=_dereg(phone="0731-5261234"),
    )
)
register(
    Rule(
        "document-number",
        "证件号码要有，并符合证件类别",
        "除公章外都要写证件号码；营业执照的号码是统一社会信用代码（或 15 位旧注册号）。",
        good=lost('published: 2022-06-20\nholder: 某公司\ndocument: {type: 营业执照, number: "' + GOOD_CODE + '"}\n'),
        bad=lost("published: 2022-06-20\nholder: 某某\ndocument: {type: 毕业证书}\n"),
    )
)
register(
    Rule(
        "notice-year-folder",
        "公告放在公告日期那一年的文件夹",
        "公告日期 published 是 2022 年的，文件放在 lost/2022/ 或 deregistration/2022/。",
        good=GOOD_LOST,
        bad=lost(ID_NOTICE.format(number=GOOD_ID), name="lost/2023/example.yaml"),
    )
)
register(
    Rule(
        "withdrawn-reason",
        "撤回的公告要写明原因",
        "status: withdrawn 时必须有 withdrawn_reason；撤回的公告仍然可以查到。",
        good=lost(ID_NOTICE.format(number=GOOD_ID) + "status: withdrawn\nwithdrawn_reason: 证件已找回\n"),
        bad=lost(ID_NOTICE.format(number=GOOD_ID) + "status: withdrawn\n"),
    )
)

register(
    Rule(
        "digits-ascii",
        "电话号码和证件号码只用 0–9 的数字",
        "全角数字（１３８）会自动转换；阿拉伯-印度数字（١٣٨）等其他文字的数字看起来像数字，但无法拨打、无法核对，会被拒绝。",
        good=_dereg(phone="１３９７３４００００１"),
        bad=_dereg(phone="13٩٧3400001"),
    )
)

# ------------------------------------------------------------ privacy and characters

register(
    Rule(
        "id-number-not-allowed",
        "身份证号码只能写在证件号码中",
        "身份证号码只能写在遗失证件的 document.number 中，网站只公开前 2 位和后 4 位（如 43************5016）。"
        "声明人、声明内容、单位名称、联系人、网格员姓名、覆盖范围、撤回原因等任何其他字段，以及文件名，"
        "都不能含有身份证号码：全角、加横线、加空格或零宽字符隔开的写法同样会被发现。"
        "驾驶证、户口簿、社会保障卡、居住证等证件的号码就是身份证号码，也按身份证遮盖。",
        good=GOOD_LOST,
        bad=lost("published: 2022-06-20\nholder: 罗某某 4301 0219 9003 0750 16\ndocument: {type: 公章}\n"),
    )
)
register(
    Rule(
        "control-character",
        "不能含有控制字符",
        "从网页、聊天软件复制的文字可能带有看不见的控制字符（如终端转义 ESC、改变文字方向的 U+202E），"
        "任何字段都不允许；换行只能出现在声明内容 statement、法律依据 legal_basis、撤回原因 withdrawn_reason 中。",
        good=lost(ID_NOTICE.format(number=GOOD_ID) + "statement: |\n  罗某某遗失身份证一张，\n  特此声明作废。\n"),
        bad=lost(ID_NOTICE.format(number=GOOD_ID).replace("holder: 罗某某", 'holder: "罗某\\u202e某"')),
    )
)

# ------------------------------------------------------------ across files

register(
    Rule(
        "region-unknown",
        "地区必须在 regions.yaml 中",
        "town、region 写完整路径，如 衡阳市/衡东县/甘溪镇。",
        good=lost(ID_NOTICE.format(number=GOOD_ID) + "region: 衡阳市/衡东县\n"),
        bad=lost(ID_NOTICE.format(number=GOOD_ID) + "region: 衡阳市/衡东\n"),
    )
)
register(
    Rule(
        "village-unknown",
        "网格所在村（社区）属于本镇",
        "grids 中的 village 必须是 regions.yaml 里该镇的下级。",
        good={},
        bad={"contacts/hengdong/ganxi.yaml": BASE_TOWN.replace("village: 新塘村", "village: 新塘")},
    )
)
register(
    Rule(
        "grid-id-duplicate",
        "同一镇内网格编号不重复",
        "每个网格的 id 在本镇（街道）内唯一。",
        good={},
        bad={"contacts/hengdong/ganxi.yaml": BASE_TOWN.replace('id: "2"', 'id: "1"')},
    )
)
register(
    Rule(
        "town-duplicate",
        "每个镇只有一个文件",
        "同一个镇（街道）的网格都写在同一个文件里。",
        good={},
        bad={"contacts/hengdong/ganxi-copy.yaml": BASE_TOWN},
    )
)
register(
    Rule(
        "town-not-a-town",
        "town 指向镇（街道）一级",
        "town 的路径是 市/县/镇 三级。",
        good={},
        bad={"contacts/hengdong/ganxi.yaml": BASE_TOWN.replace("town: 衡阳市/衡东县/甘溪镇", "town: 衡阳市/衡东县")},
    )
)
register(
    Rule(
        "notice-duplicate",
        "同一证件或单位不能重复公告",
        "同一类别、同一号码的证件只登一次遗失声明；同一信用代码只登一次注销公告。",
        good=GOOD_LOST,
        bad={**GOOD_LOST, **lost(ID_NOTICE.format(number=GOOD_ID), name="lost/2022/again.yaml")},
    )
)
register(
    Rule(
        "image-reference",
        "二维码图片在 notices/images/ 里",
        "qr 写成 /images/文件名（如 /images/xintang-qr.png），图片本身放在 notices/images/ 里，只能是 png、jpg、jpeg、webp。"
        "不能写网址、绝对路径或 ..，文件名不含空格和 \\ : ? # % 等字符，大小写要一致。",
        good={
            "contacts/hengdong/ganxi.yaml": BASE_TOWN
            + "    wechat_group: {name: 新塘村网格群, qr: /images/xintang-qr.png}\n",
            "images/xintang-qr.png": PNG,
        },
        bad={
            "contacts/hengdong/ganxi.yaml": BASE_TOWN
            + "    wechat_group: {name: 新塘村网格群, qr: /images/xintang.png}\n",
            "images/xintang-qr.png": PNG,
        },
    )
)
register(
    Rule(
        "region-code-format",
        "区划代码的位数与级别相符",
        "regions.yaml 中的 code 可以不写；写了就要对：市级 4 或 6 位（如 430400），县级 6 位（430424），"
        "乡镇级 9 或 12 位（430424104 或 430424104000），村级 12 位（430424104201），都是数字。"
        "同音的地名（高源镇、高园镇）靠代码区分网页地址，所以代码要准确。",
        good={},
        bad={"regions.yaml": BASE_REGIONS.replace('code: "430424"', 'code: "43042"')},
    )
)
register(
    Rule(
        "region-code-parent",
        "区划代码以上级的代码开头",
        "衡东县 430424 属于衡阳市 4304（430400），甘溪镇 430424104 属于衡东县 430424。",
        good={},
        bad={"regions.yaml": BASE_REGIONS.replace('code: "430424"', 'code: "430524"')},
    )
)
register(
    Rule(
        "region-name",
        "地区名称不含 / 等字符",
        "/ 用来连接上下级（衡阳市/衡东县/甘溪镇），所以名称里不能有 /；也不能有 \\、控制字符或不可见字符，"
        "不能以 . 开头，前后不能有空格。村名里的“新/旧”请改写成“新、旧”或“新旧”。",
        good={},
        bad={"regions.yaml": BASE_REGIONS.replace("[乌塘村, 新塘村]", "[乌塘村, 新塘村, 新/旧村]")},
    )
)
register(
    Rule(
        "regions-format",
        "regions.yaml 是地区树",
        "每项写 name（可选 code、children），最末一级可以只写名称。",
        good={},
        bad={"regions.yaml": "- name: 衡阳市\n  children: 衡东县\n"},
    )
)

# ------------------------------------------------------------ legal guides and services

GUIDE_FRONT = """---
title: 身份证丢了怎么办
category: 证件与印章
questions: [身份证丢了怎么补办]
legal_basis:
  - {{law: 《中华人民共和国居民身份证法》, article: {article}}}
reviewed_by: 衡东县司法局
reviewed_on: {reviewed_on}
---
{body}
"""


def guide(
    article: str = "第十一条",
    reviewed_on: str = "2026-10-15",
    body: str = "向户口所在地公安机关申请补领。",
    name: str = "guides/shenfenzheng.md",
) -> dict[str, str]:
    """A legal guide example file."""
    return {name: GUIDE_FRONT.format(article=article, reviewed_on=reviewed_on, body=body)}


ADVISER = 'legal_services:\n  - {kind: adviser, name: 向某, village: 乌塘村, firm: 湖南某某律师事务所, phone: "18100006059"}\n'

register(
    Rule(
        "guide-front-matter",
        "法律指南以 --- 包起来的说明开头，并有正文",
        "guides/ 下的每个 .md 文件先写标题、类别、法律依据、审核单位和审核日期（见字段说明），再写正文。",
        good=guide(),
        bad={"guides/shenfenzheng.md": "# 身份证丢了怎么办\n向户口所在地公安机关申请补领。\n"},
    )
)
register(
    Rule(
        "guide-citation",
        "法律依据写明法律名称和条文序号",
        "law 带书名号，如 《中华人民共和国民法典》；article 写成 第…条（可带款、项）。只引用核对过的现行条文。",
        good=guide(),
        bad=guide(article="11"),
    )
)
register(
    Rule(
        "guide-review-age",
        "法律指南要定期重新审核（警告）",
        "审核日期 reviewed_on 超过审核有效期（legal.yaml 的 review_months，默认 24 个月）时提醒审核单位重新审核。",
        level="warning",
        good=guide(),
        bad=guide(reviewed_on="2020-01-02"),
    )
)
register(
    Rule(
        "guide-markup",
        "指南正文只用 Markdown，链接要安全",
        "正文不能写 HTML 标签；链接只能是网址（http、https）、本站页面、电话（tel:）或邮箱（mailto:）。",
        good=guide(body="拨打 [12348](tel:12348) 咨询。"),
        bad=guide(body="<script>alert(1)</script>"),
    )
)
register(
    Rule(
        "guide-url-clash",
        "指南文件名各不相同",
        "指南页面的地址由文件名的拼音组成，两个文件不能拼成同一个地址。",
        good=guide(),
        bad={**guide(), **guide(name="guides/ShenFenZheng.md")},
    )
)
register(
    Rule(
        "legal-service-fields",
        "法律顾问和人民法庭的信息写完整",
        "村（居）法律顾问（adviser）要写 village、firm、phone；人民法庭（tribunal）要写 address、hours。",
        good={"contacts/hengdong/ganxi.yaml": BASE_TOWN + ADVISER},
        bad={"contacts/hengdong/ganxi.yaml": BASE_TOWN + ADVISER.replace(", firm: 湖南某某律师事务所", "")},
    )
)
register(
    Rule(
        "guide-id-number",
        "法律指南里不写身份证号码",
        "指南会原样发布给所有居民。举例时把号码遮住，如 43************1234；任何一串校验位正确的 18 位号码都会被拒绝。",
        good=guide(body="号码只显示前 2 位和后 4 位，如 43************5016。"),
        bad=guide(body="例如 430102199003075016。"),
    )
)

# ------------------------------------------------------------ provenance: number, publisher, sources, corrections

PUBLISHER = 'publisher: {name: 衡东县甘溪镇人民政府, phone: "0734-5261234"}\n'
RECENT_LOST = ID_NOTICE.replace("2022-06-20", PROVENANCE_FROM.isoformat())

register(
    Rule(
        "reference-format",
        "公告编号格式正确",
        "公告编号 reference 写成 区划代码（6 位）-年份（4 位）-类别字母和 6 位编码，如 430424-2022-Y7K3M9Q；"
        "遗失声明的类别字母是 Y，注销公告是 Z，编码只用数字和大写字母（不含 I、L、O、U）。"
        "portal new 新建公告时会写好编号；没有写编号的公告按文件名推算（见阅读指南）。",
        good=lost(ID_NOTICE.format(number=GOOD_ID) + "reference: 430424-2022-Y7K3M9Q\n"),
        bad=lost(ID_NOTICE.format(number=GOOD_ID) + "reference: 430424-2022-Z7K3M9Q\n"),
    )
)
register(
    Rule(
        "reference-duplicate",
        "公告编号不重复",
        "每条公告的编号都不同。复制别的公告文件来改时，请删去或改掉 reference，检查会提示本文件应写的编号。",
        good=GOOD_LOST,
        bad={
            **lost(ID_NOTICE.format(number=GOOD_ID) + "reference: 430424-2022-Y7K3M9Q\n"),
            **lost(
                "published: 2022-06-20\nreference: 430424-2022-Y7K3M9Q\nholder: 某公司\ndocument: {type: 公章}\n",
                name="lost/2022/again.yaml",
            ),
        },
    )
)
register(
    Rule(
        "newspaper-date",
        "报刊刊登日期与公告日期相近",
        f"原载报刊 newspapers 的刊登日期 date 与公告日期相差不超过 {NEWSPAPER_WINDOW_DAYS} 天；相差更多多半是年份或月份写错了。",
        good=lost(ID_NOTICE.format(number=GOOD_ID) + "newspapers:\n  - {name: 衡阳日报, date: 2022-06-18, page: A7}\n"),
        bad=lost(ID_NOTICE.format(number=GOOD_ID) + "newspapers:\n  - {name: 衡阳日报, date: 2021-06-18, page: A7}\n"),
    )
)
register(
    Rule(
        "correction-date",
        "更正日期在公告日期和今天之间",
        "更正记录 corrections 的每一条写更正日期 date 和更正内容 change。更正日期不能早于公告日期（发布前的修改不是更正），"
        "也不能晚于今天。公告发布后的每次修改都要记一条，已有的记录不要删除。",
        good=lost(ID_NOTICE.format(number=GOOD_ID) + "corrections:\n  - {date: 2022-06-25, change: 更正声明人姓名}\n"),
        bad=lost(ID_NOTICE.format(number=GOOD_ID) + "corrections:\n  - {date: 2022-06-19, change: 更正声明人姓名}\n"),
    )
)
register(
    Rule(
        "provenance-missing",
        "新公告写明发布单位（注销公告还有登记机关）（警告）",
        f"公告日期在 {PROVENANCE_FROM.year} 年 {PROVENANCE_FROM.month} 月 {PROVENANCE_FROM.day} 日及以后的公告要写发布单位 publisher，注销公告还要写登记机关 authority；"
        "更早的公告可以不写。`portal check --strict`（CI 使用）会把警告当作错误。",
        level="warning",
        good=lost(RECENT_LOST.format(number=GOOD_ID) + PUBLISHER, name="lost/2026/example.yaml"),
        bad=lost(RECENT_LOST.format(number=GOOD_ID), name="lost/2026/example.yaml"),
    )
)

# ------------------------------------------------------------ freshness (warnings)

AID = 'legal_services:\n  - {{kind: legal-aid, name: 衡东县法律援助中心, phone: "{phone}"}}\n'
PLACE_HOTLINE = 'places:\n  - place: 衡阳市/衡东县\n    hotlines:\n      - {{name: {name}, phone: "{phone}"}}\n'

register(
    Rule(
        "town-stale",
        "网格员名单要定期核实",
        "镇（街道）文件的更新日期 updated 超过 12 个月（portal check/build --stale-months 可改），说明名单可能已经过时："
        "请向镇（街道）核实网格员、法官和电话，核实后把 updated 改成核实的日期。网页上也会提示居民“信息更新于…，可能已有变动”。",
        level="warning",
        good={"contacts/hengdong/ganxi.yaml": BASE_TOWN},
        bad={"contacts/hengdong/ganxi.yaml": BASE_TOWN.replace("updated: 2026-10-23", "updated: 2023-10-23")},
    )
)
register(
    Rule(
        "phone-conflict",
        "同一单位在两个文件里的电话要一致",
        "同名的综治中心、司法所、法律援助中心、公证处、人民法庭、热线等在两个文件里写了不同的电话号码，居民不知道该打哪个。"
        "比较时忽略写法差异（空格、连字符、全角字符），警告会写出两处的文件和行号，请核实后改成同一个号码。"
        "同一个文件里的两个号码，以及 legal.yaml 中各地用同名热线替换通用热线，不算冲突；"
        "镇（街道）自己的办公电话（office），以及名称里带本镇（街道）名字的单位，只和本县的同名单位比较（很多县都有城关镇人民政府、城关镇人民调解委员会）。",
        level="warning",
        good={
            "contacts/hengdong/ganxi.yaml": BASE_TOWN + AID.format(phone="0734-5233791"),
            "legal.yaml": PLACE_HOTLINE.format(name="衡东县 法律援助中心", phone="0734 5233791"),
        },
        bad={
            "contacts/hengdong/ganxi.yaml": BASE_TOWN + AID.format(phone="0734-5233791"),
            "legal.yaml": PLACE_HOTLINE.format(name="衡东县法律援助中心", phone="0734-5345200"),
        },
    )
)


SITE_IDENTITY = """name: 某某县基层公告与法律服务
organizer: 中共某某县委政法委员会
contact: {phone: "0734-5261234"}
icp: 湘ICP备12345678号-1
police: 湘公网安备43042402000123号
site_code: "4304240001"
url: https://gonggao.example.gov.cn/
"""
register(
    Rule(
        "site-identity-format",
        "网站信息的备案号、标识码和网址格式正确",
        "site.yaml 中 ICP备案号写成 湘ICP备12345678号（可带 -1）；公安备案号写成 湘公网安备 + 14 位数字 + 号，"
        "数字以本省行政区划代码开头（湖南 43）；网站标识码 10 位；网站地址以 https:// 开头；邮箱要像 name@example.gov.cn。",
        good={"site.yaml": SITE_IDENTITY},
        bad={"site.yaml": SITE_IDENTITY.replace("湘ICP备12345678号-1", "湘ICP12345678")},
    )
)
register(
    Rule(
        "site-identity-required",
        "正式网站写全主办单位、联系电话、备案号、标识码和网址（警告）",
        "site.yaml 不是示例（没有 sample: true）时，网站名称、主办单位、联系电话、ICP备案号、公安备案号、网站标识码、"
        "网站地址都要写：页脚和订阅源要用。缺少时是警告，portal check --strict 时不能发布。",
        level="warning",
        good={"site.yaml": SITE_IDENTITY},
        bad={"site.yaml": SITE_IDENTITY.replace('site_code: "4304240001"\n', "")},
    )
)


def problem(ctx_or_path, position: tuple[int, int], field_name: str, message: str, rule: str) -> Problem:
    """A problem for a registered rule (an unregistered id is a bug in this code)."""
    registered = RULES[rule]
    path = ctx_or_path.path if isinstance(ctx_or_path, Context) else ctx_or_path
    return Problem(path, position[0], position[1], field_name, message, rule, registered.level)
