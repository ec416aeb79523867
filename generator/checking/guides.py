"""Legal guides: Markdown files staff write under notices/guides/, with a checked front matter.

```markdown
---
title: 身份证丢了怎么办
category: 证件与印章
questions: [身份证丢了怎么补办, 登了遗失声明身份证就作废了吗]
legal_basis:
  - {law: 《中华人民共和国居民身份证法》, article: 第十一条}
applies_to: [衡阳市/衡东县]       # optional: province, city or county; default everywhere
reviewed_by: 衡东县司法局
reviewed_on: 2026-10-15
documents: [身份证]               # optional: the lost-document notices of these types link here
---
正文（Markdown）……
```

The front matter is read by the same YAML loader as every notice (`load.parse`: every scalar a
string, anchors refused, positions kept), so a problem in it points at its file, line and column.
The body is Markdown, turned into HTML by Python-Markdown (the renderer MkDocs uses, with the same
`toc` and `tables` extensions) when the guide is loaded. Raw HTML and links other than web
addresses, relative links, `tel:` and `mailto:` are refused by the checker (guide-markup) and, in
case one slips through, shown as text or without a link: a guide is published to every resident.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path, PurePosixPath

import markdown
from markdown.treeprocessors import Treeprocessor

from . import identifiers, slugs
from .limits import MAX_GUIDE_BYTES
from .load import decode, display_path, parse, read_input, walk
from .model import Citation, Guide, Region, Source, months_between
from .problems import Problem
from .rules import problem
from .schema import DOCUMENT_TYPES, Boolean, Choice, Context, Date, Field, ListOf, Struct, Text

GUIDES_DIR = "guides"
SUFFIX = ".md"

#: The closed list of categories, in the order list pages show them.
CATEGORIES = (
    "证件与印章",
    "债权债务",
    "法律援助",
    "人民调解",
    "婚姻家庭",
    "赡养继承",
    "土地与宅基地",
    "劳动报酬",
    "邻里纠纷",
)
NOTICE_KINDS = ("lost-document", "deregistration")

ARTICLE_RE = re.compile(
    r"^第[一二三四五六七八九十百千零〇两\d]+条(?:之[一二三四五六七八九十]+)?"
    r"(?:第[一二三四五六七八九十\d]+款)?(?:第[一二三四五六七八九十\d]+项)?"
    r"(?:[、至]第[一二三四五六七八九十百千零〇两\d]+条)*$"
)
LAW_RE = re.compile(r"^《[^《》]+》(?:（\d{4}年?(?:修正|修订|修改)?）|\(\d{4}\))?$")

GUIDE = Struct(
    Field("title", Text(), "标题", "一句居民会问的话，如 身份证丢了怎么办", required=True),
    Field("category", Choice(*CATEGORIES), "类别", "、".join(CATEGORIES), required=True),
    Field("questions", ListOf(Text(), min_items=1), "能回答的问题", "居民会怎样问，用于搜索", required=True),
    Field(
        "legal_basis",
        ListOf(
            Struct(
                Field("law", Text(), "法律法规", "带书名号，如 《中华人民共和国民法典》", required=True),
                Field("article", Text(), "条", "如 第一千零六十七条、第三十一条第一款", required=True),
            ),
            min_items=1,
        ),
        "法律依据",
        "每条写明法律和条文序号",
        required=True,
    ),
    Field("applies_to", ListOf(Text()), "适用地区", "省、市或县的 regions.yaml 路径；不写即全部地区"),
    Field("reviewed_by", Text(), "审核单位", "如 衡东县司法局", required=True),
    Field("reviewed_on", Date(), "审核日期", "超过审核有效期会得到警告", required=True),
    Field("documents", ListOf(Choice(*DOCUMENT_TYPES)), "对应的遗失证件", "这些类别的遗失声明会链接到本指南"),
    Field("notices", ListOf(Choice(*NOTICE_KINDS)), "对应的公告类别", "deregistration：注销公告链接到本指南"),
    Field("sample", Boolean(), "示例", "true：页面标明“示例，发布前须经司法局审核”", default=False),
)

_HTML = re.compile(r"<(?=[A-Za-z/!?])")
_LINK = re.compile(r"\]\(\s*<?([^)\s>]*)|<([a-zA-Z][a-zA-Z0-9+.-]*:[^>\s]*)>|^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
_AUTOLINK = re.compile(r"<[a-zA-Z][a-zA-Z0-9+.-]*:[^>\s]*>")
_CODE_SPAN = re.compile(r"`+[^`]*`+")
SAFE_SCHEMES = ("http://", "https://", "tel:", "mailto:")


def guide_files(notices: Path) -> list[Path]:
    """The guides below notices/guides/, walked as load.scan walks notices/: no link is followed (a link
    anywhere below notices/ is refused by load.scan, rule file-symlink)."""
    files, _refused = walk(notices / GUIDES_DIR)
    return [p for p in files if p.suffix == SUFFIX]


def load_guides(
    notices: Path, today: dt.date, review_months: int, regions: dict[str, Region]
) -> tuple[list[Guide], list[Problem]]:
    """Read and check every guide; the guides that passed and every problem found."""
    guides, problems = [], []
    for file in guide_files(notices):
        guide, found = load_guide(file, notices, today, review_months, regions)
        problems += found
        if guide is not None:
            guides.append(guide)
    taken: dict[str, Guide] = {}
    for guide in guides:  # two files whose names make the same address: the second is refused
        if guide.url in taken:
            problems.append(
                problem(
                    guide.source.path,
                    (1, 1),
                    "",
                    (
                        f"文件名与 {taken[guide.url].source.path} 拼成同一个网页地址 {guide.url}，请改用不同的文件名 "
                        "(two guides make the same page address)"
                    ),
                    "guide-url-clash",
                )
            )
        else:
            taken[guide.url] = guide
    return list(taken.values()), problems


def load_guide(
    file: Path, notices: Path, today: dt.date, review_months: int, regions: dict[str, Region]
) -> tuple[Guide | None, list[Problem]]:
    path = display_path(file)
    data, unreadable = read_input(file)
    if unreadable:
        return None, [unreadable]
    if len(data) > MAX_GUIDE_BYTES:
        return None, [
            problem(
                path,
                (1, 1),
                "",
                f"指南太长（{len(data):,} 字节，最多 {MAX_GUIDE_BYTES:,}）(guide too long)",
                "guide-front-matter",
            )
        ]
    text, error = decode(data)
    if text is None:
        return None, [Problem(path, 1, 1, "", error or "", "file-encoding")]
    id_problems = id_numbers(text, path)
    front, body, body_line = split(text)
    if front is None:
        return None, [
            problem(
                path,
                (1, 1),
                "",
                "指南开头要有用 --- 包起来的说明（标题、类别、法律依据等）"
                "(a guide starts with a front matter between --- lines)",
                "guide-front-matter",
            )
        ] + id_problems
    root, problems = parse(front, path)
    problems += id_problems
    if root is None:
        return None, problems
    ctx = Context(path, today)
    values = GUIDE.convert(root, ctx, "")
    problems += ctx.problems
    problems += check_body(body, body_line, path)
    if not values:
        return None, problems
    for index, citation in enumerate(values.get("legal_basis", [])):
        if not citation:
            continue
        if "law" in citation and not LAW_RE.match(citation["law"]):
            problems.append(
                problem(
                    path,
                    ctx.position(f"legal_basis[{index}].law"),
                    f"legal_basis[{index}].law",
                    f"法律名称要带书名号，如 《中华人民共和国民法典》，而不是 {citation['law']!r} "
                    "(name the law in 《》)",
                    "guide-citation",
                )
            )
        if "article" in citation and not ARTICLE_RE.match(citation["article"]):
            problems.append(
                problem(
                    path,
                    ctx.position(f"legal_basis[{index}].article"),
                    f"legal_basis[{index}].article",
                    f"条文序号写成 第…条，如 第一千零六十七条，而不是 {citation['article']!r} "
                    "(cite an article as 第…条)",
                    "guide-citation",
                )
            )
    for index, place in enumerate(values.get("applies_to", [])):
        region = regions.get(place) if place else None
        if place and regions and (region is None or region.depth > 1):
            problems.append(
                problem(
                    path,
                    ctx.position(f"applies_to[{index}]"),
                    f"applies_to[{index}]",
                    f"{place} 不是 regions.yaml 中的市或县 (applies_to names a city or county in regions.yaml)",
                    "region-unknown",
                )
            )
    reviewed = values.get("reviewed_on")
    if reviewed and months_between(reviewed, today) >= review_months:
        problems.append(
            problem(
                path,
                ctx.position("reviewed_on"),
                "reviewed_on",
                f"审核日期 {reviewed} 已超过 {review_months} 个月，请审核单位重新审核并更新日期 "
                f"(reviewed more than {review_months} months ago)",
                "guide-review-age",
            )
        )
    if not all(k in values for k in ("title", "category", "questions", "legal_basis", "reviewed_by", "reviewed_on")):
        return None, problems
    citations = [Citation(c["law"], c["article"]) for c in values["legal_basis"] if c and "law" in c and "article" in c]
    if not citations or any(p.level == "error" for p in problems):
        return None, problems
    stem = PurePosixPath(file.name).stem
    return Guide(
        title=values["title"],
        category=values["category"],
        questions=[q for q in values["questions"] if q],
        legal_basis=citations,
        reviewed_by=values["reviewed_by"],
        reviewed_on=reviewed,
        body_html=to_html(body),
        source=Source(path, 1, 1),
        url=f"legal/guides/{slugs.slug(stem, 'guide')}/",
        applies_to=[p for p in values.get("applies_to", []) if p],
        documents=[d for d in values.get("documents", []) if d],
        notices=[n for n in values.get("notices", []) if n],
        sample=values.get("sample", False),
    ), problems


def split(text: str) -> tuple[str | None, str, int]:
    """(front matter as YAML with the file's own line numbers, body, line the body starts on).

    The front matter keeps its opening `---` (a YAML document start) and the lines after its
    closing `---` become empty, so the loader's positions are the file's."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None, text, 1
    for end in range(1, len(lines)):
        if lines[end].rstrip() in ("---", "..."):
            return "\n".join(lines[:end]) + "\n", "\n".join(lines[end + 1 :]), end + 2
    return None, text, 1


def check_body(body: str, first_line: int, path: str) -> list[Problem]:
    """Raw HTML and unsafe links in the Markdown body, each with its line and column."""
    problems, fenced = [], False
    if not body.strip():
        return [problem(path, (first_line, 1), "", "指南正文是空的 (the guide has no text)", "guide-front-matter")]
    for number, line in enumerate(body.split("\n"), first_line):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if fenced:
            continue
        plain = _CODE_SPAN.sub(lambda m: " " * len(m.group()), line)
        for match in _HTML.finditer(plain):
            if _AUTOLINK.match(plain, match.start()):
                continue  # <https://…>: a link Markdown makes, checked below
            problems.append(
                problem(
                    path,
                    (number, match.start() + 1),
                    "",
                    "正文里不能写 HTML 标签，请用 Markdown (raw HTML is not allowed in a guide)",
                    "guide-markup",
                )
            )
        for match in _LINK.finditer(plain):
            target = next(g for g in match.groups() if g is not None)
            if not safe_target(target):
                problems.append(
                    problem(
                        path,
                        (number, match.start() + 1),
                        "",
                        f"链接 {target!r} 不安全：只能链接网址（http、https）、"
                        "本站页面、电话（tel:）或邮箱 (unsafe link)",
                        "guide-markup",
                    )
                )
    return problems


def id_numbers(text: str, path: str) -> list[Problem]:
    """A resident ID number anywhere in a guide (front matter or body) is refused: a guide is published whole."""
    problems = []
    for start, _, _ in identifiers.find_id_numbers(text):
        line = text.count("\n", 0, start) + 1
        column = start - text.rfind("\n", 0, start)
        problems.append(
            problem(
                path,
                (line, column),
                "",
                "指南里不能写身份证号码，示例请写成 43************1234 (no resident ID number in a guide)",
                "guide-id-number",
            )
        )
    return problems


def safe_target(target: str) -> bool:
    """A link a guide may hold: a web address, a page of this site (relative), a phone number or a mailbox."""
    lowered = target.strip().lower()
    if lowered.startswith(SAFE_SCHEMES):
        return True
    return not re.match(r"^[a-z][a-z0-9+.-]*:", lowered) and not lowered.startswith("//")


class _SafeLinks(Treeprocessor):
    """Unsafe links lose their target; images must be on this site (no request leaves it)."""

    def run(self, root):
        for element in root.iter():
            if element.tag == "a" and not safe_target(element.get("href", "")):
                del element.attrib["href"]
            if element.tag == "img":
                src = element.get("src", "")
                if not safe_target(src) or src.lower().startswith(("http:", "https:", "tel:", "mailto:")):
                    element.tag, element.text = "span", element.get("alt", "")
                    element.attrib.clear()


def to_html(body: str) -> str:
    """The body as HTML: Markdown with raw HTML shown as text (never passed through)."""
    md = markdown.Markdown(extensions=["tables", "toc"], output_format="html")
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    md.treeprocessors.register(_SafeLinks(md), "portal-safe-links", 0)
    # A table scrolls within the page on a phone, and can be scrolled by keyboard (a focusable region);
    # its class keeps the theme from wrapping it again. Raw HTML is escaped, so every <table> is Markdown's.
    return md.convert(body).replace("<table>", TABLE_START).replace("</table>", "</table></div>")


TABLE_START = (
    '<div class="pt-scroll" tabindex="0" role="region" aria-label="表格（可左右滑动）"><table class="pt-table">'
)


# ------------------------------------------------------------------ what links to which guide


def notice_topic(notice) -> tuple[str, str | None, str | None]:
    """All of a notice that decides its guides (`for_notice`): its kind, its document's type, its place."""
    return notice.kind, notice.document.type if notice.kind == "lost-document" else None, notice.region


def for_notice(guides: list[Guide], notice) -> list[Guide]:
    """The guides a notice's reader needs: for a lost document, those about its type (else those about
    lost documents in general); for a deregistration, those for its creditors; where they apply."""
    return for_topic(guides, *notice_topic(notice))


def for_topic(guides: list[Guide], kind: str, document_type: str | None, place: str | None) -> list[Guide]:
    """`for_notice` of the notices of one `notice_topic`."""
    if kind == "lost-document":
        exact = [g for g in guides if document_type in g.documents and g.applies(place)]
        if exact:
            return exact
        return [g for g in guides if "lost-document" in g.notices and not g.documents and g.applies(place)]
    return [g for g in guides if kind in g.notices and g.applies(place)]


def for_place(guides: list[Guide], place: str) -> list[Guide]:
    return [g for g in guides if g.applies(place)]


def by_category(guides: list[Guide]) -> list[tuple[str, list[Guide]]]:
    return [
        (category, [g for g in guides if g.category == category])
        for category in CATEGORIES
        if any(g.category == category for g in guides)
    ]


def category_url(category: str) -> str:
    return f"legal/{slugs.slug(category)}/"
