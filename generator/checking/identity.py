"""The site's identity: `notices/site.yaml`, the one place for who runs the site and how to reach them.

Read through load.py like every data file (limits, line numbers, the privacy scan) and described by
`SITE` in the schema style, so the 字段说明 page, `portal schema` and the web editor know it.

```yaml
name: 某某县基层公告与法律服务
description: 某某县网格员联系方式、驻镇法官、遗失声明与注销公告查询
organizer: 中共某某县委政法委员会          # 主办单位
operator: 某某县司法局                     # 承办单位
contact: {phone: "0734-5261234", email: gonggao@example.gov.cn, address: 某某县某某路1号}
icp: 湘ICP备12345678号-1
police: 湘公网安备43042402000123号
site_code: "4304240001"                    # 网站标识码
url: https://gonggao.example.gov.cn/
stale_months: 12
sample: false
```

What wins: the site's name and description here over mkdocs.yml's `site_name`/`site_description`
(mkdocs.yml keeps the theme); `portal build --site-url` over `url`. Without the file the site is
unconfigured: mkdocs.yml's name, no identity footer, no sample wording. A real site (`sample` not
true) must give every field of REQUIRED: a missing one is a warning (site-identity-required), so
`portal check --strict` fails on it; the sample (`sample: true`) need not.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from .model import SAMPLE_WORDING, STALE_MONTHS, Contact, SiteIdentity, Source
from .rules import problem
from .schema import (
    Boolean,
    Context,
    Field,
    Integer,
    Pattern,
    Phone,
    Struct,
    Text,
)

SITE_FILE = "site.yaml"

#: Province abbreviations (简称) with the first two digits of their administrative codes (GB/T 2260):
#: an ICP or 公安 record number starts with the province that issued it.
PROVINCES = {
    "京": "11",
    "津": "12",
    "冀": "13",
    "晋": "14",
    "蒙": "15",
    "辽": "21",
    "吉": "22",
    "黑": "23",
    "沪": "31",
    "苏": "32",
    "浙": "33",
    "皖": "34",
    "闽": "35",
    "赣": "36",
    "鲁": "37",
    "豫": "41",
    "鄂": "42",
    "湘": "43",
    "粤": "44",
    "桂": "45",
    "琼": "46",
    "渝": "50",
    "川": "51",
    "贵": "52",
    "云": "53",
    "藏": "54",
    "陕": "61",
    "甘": "62",
    "青": "63",
    "宁": "64",
    "新": "65",
}
_PROVINCE = "[" + "".join(PROVINCES) + "]"
#: ICP备案号 (MIIT): province, ICP备, the record number, 号, and for a second site of the same holder -N.
ICP_PATTERN = rf"^{_PROVINCE}ICP备[0-9]{{6,10}}号(-[0-9]{{1,3}})?$"
#: 公安联网备案号 (MPS): province, 公网安备, 14 digits starting with that province's code, 号 (one pattern, so an
#: editor's JSON Schema says the same as the checker).
POLICE_PATTERN = "^(" + "|".join(f"{short}公网安备{code}" for short, code in PROVINCES.items()) + ")[0-9]{12}号$"
#: 网站标识码 (《政府网站发展指引》, 国办发〔2017〕47号): 10 characters, the 6-digit administrative code of the
#: site's region and a 4-digit sequence number; central departments' sites: bm + 8 digits.
SITE_CODE_PATTERN = r"^([0-9]{10}|bm[0-9]{8})$"
EMAIL_PATTERN = r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$"
SITE_URL_PATTERN = r"^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~/-]*)?$"

#: The only links to another host a page may carry (scan.py ALLOWED_LINKS): the two record lookups the
#: footer must link to. The MIIT's rule (工信部令第24号) asks for a link from the ICP number to its system.

#: What a real county site (not the sample) must fill in (site-identity-required in strict mode).
REQUIRED = ("name", "organizer", "contact.phone", "icp", "police", "site_code", "url")

SITE = Struct(
    Field("name", Text(), "网站名称", "显示在每页顶部和浏览器标签上；优先于 mkdocs.yml 的 site_name"),
    Field("description", Text(), "网站简介", "一句话，搜索引擎摘要和微信链接卡片显示它"),
    Field("organizer", Text(), "主办单位", "显示在每页页脚，如 中共某某县委政法委员会；正式网站必填"),
    Field("operator", Text(), "承办单位", "负责日常维护的单位，如 某某县司法局"),
    Field(
        "contact",
        Struct(
            Field("phone", Phone(), "联系电话", "网站问题找谁，区号-号码；正式网站必填"),
            Field("email", Pattern(EMAIL_PATTERN, "电子邮箱，如 gonggao@example.gov.cn"), "电子邮箱"),
            Field("address", Text(), "地址"),
        ),
        "联系方式",
        "显示在每页页脚",
    ),
    Field(
        "icp",
        Pattern(ICP_PATTERN, "ICP备案号，如 湘ICP备12345678号 或 湘ICP备12345678号-1"),
        "ICP备案号",
        "工信部备案号，页脚链接到 beian.miit.gov.cn；正式网站必填",
    ),
    Field(
        "police",
        Pattern(POLICE_PATTERN, "公安备案号，如 湘公网安备43042402000123号（14 位数字以本省代码开头，湖南 43）"),
        "公安备案号",
        "湘公网安备 + 14 位数字 + 号，页脚链接到全国互联网安全管理服务平台的备案记录；正式网站必填",
    ),
    Field(
        "site_code",
        Pattern(SITE_CODE_PATTERN, "网站标识码：10 位，如 4304240001", as_number=(1000000000, 9999999999)),
        "网站标识码",
        "政府网站标识码，10 位（行政区划代码 6 位 + 顺序号 4 位）；正式网站必填",
    ),
    Field(
        "url",
        Pattern(SITE_URL_PATTERN, "网站地址，https:// 开头，如 https://gonggao.example.gov.cn/"),
        "网站地址",
        "https:// 开头；用于订阅源、站点地图、二维码和规范链接（portal build --site-url 优先）；正式网站必填",
    ),
    Field(
        "stale_months",
        Integer(1, 120),
        "联系方式更新期限（月）",
        "镇（街道）名单超过这么多个月未更新时提醒",
        default=STALE_MONTHS,
    ),
    Field(
        "sample",
        Boolean(),
        "示例网站",
        "true：数据是虚构的示例，每页页脚和页面描述注明是示例数据；正式网站不写或写 false",
        default=False,
    ),
)


STARTER = """# 网站信息（site.yaml）：网站名称、主办单位、联系方式、备案号和网址，显示在每页页脚、搜索引擎摘要和微信链接卡片上。
# 这里的名称和简介优先于 mkdocs.yml（mkdocs.yml 只管主题）。字段说明：网站的“帮助 › 字段说明”。
# 现在是示例（sample: true，每页注明“{sample}”）。正式发布前删去 sample: true，并填写下面各项：
# 缺少任何一项时 portal check --strict 报错。
name: {name}基层公告与法律服务
description: {name}网格员联系方式、驻镇法官、遗失声明与注销公告查询
sample: true
stale_months: {stale}                 # 镇（街道）名单超过这么多个月未更新时提醒
# organizer: 中共{name}委政法委员会     # 主办单位
# operator: {name}司法局                # 承办单位
# contact: {{phone: "0734-5261234", email: gonggao@example.gov.cn, address: {name}某某路1号}}
# icp: 湘ICP备12345678号-1              # ICP备案号
# police: 湘公网安备43042402000123号     # 公安备案号：湘公网安备 + 14 位数字 + 号
# site_code: "4304240001"               # 网站标识码：10 位
# url: https://gonggao.example.gov.cn/  # 网站地址，https:// 开头
"""


def starter(name: str) -> str:
    """The site.yaml `portal init` writes for a new county: the sample until its office fills it in."""
    return STARTER.format(name=name, sample=SAMPLE_WORDING, stale=STALE_MONTHS)


def site_url(text: str) -> str:
    """A site address ending in "/" (pages are joined onto it)."""
    return text if text.endswith("/") else text + "/"


def site_address_problem(text: str) -> str | None:
    """Why `text` is not a site address for `portal build --site-url` (http or https, a host, no query or
    fragment), or None. (site.yaml's `url` is stricter: SITE_URL_PATTERN, https only.)"""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        return f"不是网站地址 (not a site address): {text!r}，应像 https://gonggao.example.gov.cn/"
    return None


def convert(root, ctx: Context, path: str) -> SiteIdentity | None:
    values = SITE.convert(root, ctx, "")
    if values is None:
        return None
    sample = values.get("sample", False)
    if not sample:
        for name in REQUIRED:
            outer, _, inner = name.partition(".")
            given = values.get(outer)
            if inner:
                given = (given or {}).get(inner)
            if given is None and not any(p.field == name for p in ctx.problems):
                title = SITE.fields[outer].title if not inner else SITE.fields[outer].type.fields[inner].title  # type: ignore[attr-defined]
                where = (
                    ctx.where.get(name) or ctx.where.get(outer) or (1, 1)
                )  # an empty key's line, else the file's top
                ctx.problems.append(
                    problem(
                        ctx,
                        where,
                        name,
                        (
                            f"正式网站要写“{title}”（{name}）；示例网站写 sample: true "
                            f"(a real site needs {name}; the sample says sample: true)"
                        ),
                        "site-identity-required",
                    )
                )
    contact = values.get("contact") or {}
    return SiteIdentity(
        name=values.get("name"),
        description=values.get("description"),
        organizer=values.get("organizer"),
        operator=values.get("operator"),
        contact=Contact(contact.get("phone"), contact.get("email"), contact.get("address")),
        icp=values.get("icp"),
        police=values.get("police"),
        site_code=values.get("site_code"),
        url=site_url(values["url"]) if values.get("url") else None,
        stale_months=values.get("stale_months", STALE_MONTHS),
        sample=sample,
        source=Source(path),
    )
