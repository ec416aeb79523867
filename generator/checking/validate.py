"""Stage 2: check every loaded file against the schema and the rules, and build the model.

Nothing stops at the first problem: every file is converted, every rule runs,
and the caller gets the model together with the full list of problems.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from . import characters, identifiers, identity, legal, privacy, reference, slugs
from . import guides as legal_guides
from .load import Loaded, Mapping, Node, Scalar, Sequence, SourceFile
from .model import (
    Building,
    Correction,
    Deregistration,
    Document,
    Grid,
    Judge,
    LegalService,
    LostDocumentNotice,
    Newspaper,
    Notice,
    Objection,
    Office,
    Person,
    Portal,
    Region,
    Source,
    Town,
    WechatGroup,
    Worker,
    region_index,
)
from .problems import Problem
from .rules import problem
from .schema import (
    FOLDER_KIND,
    KINDS,
    LEGAL_SERVICE_KINDS,
    LEGAL_SERVICE_NEEDS,
    NEWSPAPER_WINDOW_DAYS,
    PROVENANCE_FROM,
    TOWN,
    Context,
    PhoneNumber,
    Struct,
    Text,
    field_type,
    nearest,
)

YEAR_RE = re.compile(r"^\d{4}$")
TOWN_SERVICE_FIELDS = {
    "village": "所在村",
    "firm": "律师事务所",
    "phone": "电话",
    "address": "地址",
    "hours": "办公时间",
}


@dataclass
class Checked:
    portal: Portal
    problems: list[Problem] = field(default_factory=list)
    data_files: dict[str, str] = field(
        default_factory=dict
    )  # each YAML file as problems name it → its folder below notices/
    # each YAML file as problems name it → the digest of its bytes (a build's check; empty from `check`)
    file_digests: dict[str, str] = field(default_factory=dict)


#: The fields `assemble` sets on a file's town or notice from what other files hold: everything else in
#: the object is made from that file's path and bytes alone (`check_source`), so a page key may stand on
#: the file's digest plus these (render.Renderer.made_from; tests/test_incremental.py holds assemble to it).
ASSEMBLED_FIELDS = ("url", "reference")


@dataclass
class FileResult:
    """What one file contributed: at most one of regions/town/notice, its problems, and the
    positions of the fields that cross-file rules may need to point at."""

    path: str
    problems: list[Problem]
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)
    regions: list[Region] | None = None
    town: Town | None = None
    notice: LostDocumentNotice | Deregistration | None = None
    legal: legal.LegalConfig | None = None
    identity: identity.SiteIdentity | None = None


CROSS_FILE_FIELDS = {"town", "region", "document.number", "credit_code", "reference", "updated", "office.phone"}
CROSS_FILE_PHONE_OWNERS = ("legal_services[", "hotlines[", "places[")  # their .phone: phone-conflict
CROSS_FILE_GRID_FIELD = re.compile(
    r"^(?:grids\[\d+\]\.(?:id|village|wechat_group\.qr)|legal_services\[\d+\]\.(?:id|village))$"
)


def crosses_files(field_name: str) -> bool:
    """Whether a cross-file rule may point at this field (a town file records ~2,000 field positions:
    the set and the suffix test keep the pattern for the few that may be one)."""
    return (
        field_name in CROSS_FILE_FIELDS
        or (field_name.endswith((".id", ".village", ".qr")) and CROSS_FILE_GRID_FIELD.match(field_name) is not None)
        or (field_name.endswith(".phone") and field_name.startswith(CROSS_FILE_PHONE_OWNERS))
    )


def check_source(source: SourceFile, today: dt.date) -> FileResult:
    """Convert and check one file on its own (no other file needed): safe to run in a worker process."""
    result = FileResult(source.path, [])
    if source.root is None:
        return result
    parts = source.parts
    ctx = Context(source.path, today)
    ctx.problems.extend(scan_text(source, _schema_of(parts)))
    if parts == ("regions.yaml",) or parts == ("regions.yml",):
        result.regions = _regions(source, ctx)
    elif parts == ("legal.yaml",):
        result.legal = legal.convert(source.root, ctx)
    elif parts == (identity.SITE_FILE,):
        result.identity = identity.convert(source.root, ctx, source.path)
    elif len(parts) == 3 and parts[0] == "contacts":
        result.town = _town(source, ctx, parts)
    elif len(parts) == 3 and parts[0] in FOLDER_KIND and YEAR_RE.match(parts[1]):
        result.notice = _notice(source, ctx, parts)
    else:
        ctx.problems.append(
            problem(
                ctx,
                (1, 1),
                "",
                (
                    "文件位置不对：notices/ 下只能有 regions.yaml、legal.yaml、site.yaml、contacts/<县>/<镇>.yaml、guides/*.md、"
                    "lost/<年>/<名称>.yaml、deregistration/<年>/<名称>.yaml (file is not where a notice or town belongs)"
                ),
                "file-location",
            )
        )
    result.problems = ctx.problems
    result.positions = {k: v for k, v in ctx.where.items() if crosses_files(k)}
    return result


# ------------------------------------------------------------------ every text, whatever the field


def _schema_of(parts: tuple[str, ...]) -> Struct | None:
    if parts == (identity.SITE_FILE,):
        return identity.SITE
    if len(parts) == 3 and parts[0] == "contacts":
        return TOWN
    if len(parts) == 3 and parts[0] in FOLDER_KIND:
        return KINDS[FOLDER_KIND[parts[0]]]
    return None


def scan_text(source: SourceFile, schema: Struct | None) -> list[Problem]:
    """The privacy and character rules over every text of one file: each part of its name below
    notices/, every key and every scalar, whatever the field (one pass, no field left out)."""
    problems = [p for part in source.parts for p in text_problems(source.path, (1, 1), "", part, file_name=True)]

    def walk(node: Node | None, name: str) -> None:
        if isinstance(node, Scalar):
            if node.value and (len(node.value) >= 18 or not node.value.isprintable()):  # else no ID, no control
                multiline = "\n" in node.value and _multiline(schema, name)
                problems.extend(text_problems(source.path, (node.line, node.column), name, node.value, multiline))
        elif isinstance(node, Sequence):
            for index, item in enumerate(node.items):
                walk(item, f"{name}[{index}]")
        elif isinstance(node, Mapping):
            for key, entry in node.entries.items():
                full = f"{name}.{key}" if name else key
                if len(key) >= 18 or not key.isprintable():
                    problems.extend(text_problems(source.path, (entry.line, entry.column), full, key))
                walk(entry.node, full)

    walk(source.root, "")
    return problems


def _multiline(schema: Struct | None, field_name: str) -> bool:
    kind = field_type(schema, field_name) if schema else None
    return isinstance(kind, Text) and kind.multiline


def text_problems(
    path: str, position: tuple[int, int], field_name: str, text: str, multiline: bool = False, file_name: bool = False
) -> list[Problem]:
    """What the privacy rule (an ID number only in a document number, masked there) and the character
    rule (no control or bidirectional characters; a newline only in a multi-line field) say of one text."""
    found: list[Problem] = []
    refused = privacy.ids_refused(field_name, text)
    if refused and file_name:
        found.append(
            problem(
                path,
                position,
                field_name,
                (
                    f"文件名含有身份证号码（{refused[0]}）：文件名会成为网页地址，不能有身份证号码，"
                    "请改用日期和姓名拼音，如 2022-06-20-luo.yaml (a file name must not carry an ID number: it becomes a page address)"
                ),
                "id-number-not-allowed",
            )
        )
    elif refused:
        found.append(
            problem(
                path,
                position,
                field_name,
                (
                    f"这里不能写身份证号码（{refused[0]}）：身份证号码只能写在证件号码 document.number 中，网站只公开前 "
                    f"{privacy.ID_KEEP_START} 位和后 {privacy.ID_KEEP_END} 位 "
                    "(an ID number may only be written in document.number, where it is masked)"
                ),
                "id-number-not-allowed",
            )
        )
    bad = characters.controls(text, multiline)
    if bad:
        index, char = bad[0]
        more = f"，共 {len(bad)} 个" if len(bad) > 1 else ""
        if char == "\n":
            message = (
                f"这一项只能写一行，第 {index + 1} 个字符是换行{more}，请删去换行 "
                "(this field is a single line: remove the line break)"
            )
        else:
            message = (
                f"含有不允许的控制字符 {characters.code_point(char)}（第 {index + 1} 个字符{more}），"
                "可能是从别处复制带来的，请删除后重新输入 (control or bidirectional character: remove it)"
            )
        found.append(problem(path, position, field_name, message, "control-character"))
    return found


def check(loaded: Loaded, notices_root: str, today: dt.date, stale_months: int | None = None) -> Checked:
    """Convert and check every file; return the model and every problem found."""
    return assemble(
        [check_source(source, today) for source in loaded.files],
        loaded.problems,
        notices_root,
        today,
        loaded.images,
        stale_months,
    )


def assemble(
    results: list[FileResult],
    load_problems: list[Problem],
    notices_root: str,
    today: dt.date,
    images: set[str] | None = None,
    stale_months: int | None = None,
) -> Checked:
    """Put the files' results together in order and run the rules that need more than one file
    (with `images`, the pictures in notices/images/, a QR code must name one of them)."""
    problems = list(load_problems)
    regions: list[Region] = []
    towns: list[Town] = []
    lost: list[LostDocumentNotice] = []
    deregs: list[Deregistration] = []
    config = legal.LegalConfig()
    site = identity.SiteIdentity()
    config_path = f"{notices_root}/legal.yaml"
    positions: dict[str, dict[str, tuple[int, int]]] = {}
    for result in results:
        positions[result.path] = result.positions
        problems.extend(result.problems)
        if result.regions is not None:
            regions = result.regions
        if result.town is not None:
            towns.append(result.town)
        if result.legal is not None:
            config, config_path = result.legal, result.path
        if result.identity is not None:
            site = result.identity
        if isinstance(result.notice, LostDocumentNotice):
            lost.append(result.notice)
        elif isinstance(result.notice, Deregistration):
            deregs.append(result.notice)
    if not regions and not any(p.path.endswith(("regions.yaml", "regions.yml")) for p in problems):
        problems.append(
            Problem(
                f"{notices_root}/regions.yaml",
                1,
                1,
                "",
                "缺少 regions.yaml 行政区划文件 (regions.yaml is missing)",
                "regions-format",
            )
        )
    index = region_index(regions)
    guides, guide_problems = legal_guides.load_guides(Path(notices_root), today, config.review_months, index)
    problems += guide_problems + legal.unknown_places(config, config_path, index)
    portal = Portal(
        regions,
        towns,
        lost,
        deregs,
        today,
        guides,
        config.hotlines,
        config.places,
        site.url,
        site,
        stale_months=site.stale_months if stale_months is None else stale_months,
    )  # --stale-months wins
    _assign_notice_urls(portal)
    _assign_town_urls(portal, index)
    _assign_references(portal)
    problems.extend(_cross_checks(portal, positions, images))
    problems.extend(_stale_towns(portal, positions))
    problems.extend(_phone_conflicts(portal, positions, config, config_path))
    return Checked(portal, problems)


def replaced(
    portal: Portal, result: FileResult, pending: list[str] | None = None
) -> tuple[Portal, Town | Notice] | None:
    """`portal` with the town or notice of `result`'s file as the file holds it now (a new file's added),
    and that town or notice, given the address and reference `assemble` would give it — where no other file
    decides them. Its address is made from the file's path (`slugs.distinct` then tells homophones apart): it
    is that address where no other town or notice claims it; otherwise an edited file keeps the address it
    had while it claims it as before (a town's region code, a notice's publication date order homophones)
    and no file saved with it claims it too.
    None otherwise, and for any other file: only `assemble` over every file can tell. `pending`: the addresses
    the other files saved with this one claim (they count as others). The cross-file rules are not run
    (`portal serve` shows a saved file's own pages at once with this, and rebuilds meanwhile)."""
    item, pending = result.town or result.notice, pending or []
    if isinstance(item, Town):
        region = portal.region(item.path)
        old_town = next((town for town in portal.towns if town.source.path == result.path), None)
        if region is None:
            return None
        before = portal.region(old_town.path) if old_town is not None else None
        same_claim = before is not None and before.code == region.code
        if not _placed(item, old_town, [t.url for t in portal.towns if t is not old_town], pending, same_claim):
            return None
        return replace(portal, towns=_swapped(portal.towns, old_town, item)), item
    if not isinstance(item, (LostDocumentNotice, Deregistration)):
        return None
    old = next((notice for notice in portal.notices if notice.source.path == result.path), None)
    if old is not None and type(old) is not type(item):
        return None
    same_claim = old is not None and old.published == item.published
    if not _placed(item, old, [n.url for n in portal.notices if n is not old], pending, same_claim):
        return None
    if not item.reference_written:
        item.reference = _derived_reference(item, region_codes(portal))
    if isinstance(item, LostDocumentNotice):
        return replace(portal, lost=_swapped(portal.lost, old, item)), item
    return replace(portal, deregistrations=_swapped(portal.deregistrations, old, item)), item


def _placed(item: Town | Notice, old: Town | Notice | None, others: list[str], pending: list[str], same: bool) -> bool:
    """Give `item` its address where no other file decides it: its own (its path's) where neither the model's
    `others` nor the `pending` files claim it; else `old`'s, while it claims it the `same` way and no pending
    file claims it too. False where only `assemble` can tell."""
    if _alone(item.url, [*others, *pending]):
        return True
    if old is None or not same or not _alone(item.url, pending):
        return False
    item.url = old.url
    return True


def _alone(base: str, others: list[str]) -> bool:
    """Whether none of the `others`' addresses claims the address `base`: none is it, nor an address
    `slugs.distinct` makes from it for a homophone (`<base>-…/`; another file's own address that starts so
    counts too: this may say no where `assemble` would keep the address, never the reverse)."""
    stem = base.rstrip("/") + "-"
    return not any(url == base or url.startswith(stem) for url in others)


def _swapped(items: list, old: object | None, new: object) -> list:
    """`items` with `new` in the place of `old`, or added at the end where there was none."""
    return [new if item is old else item for item in items] if old is not None else [*items, new]


# ------------------------------------------------------------------ regions


def _regions(source: SourceFile, ctx: Context) -> list[Region]:
    def named(node: Scalar, field_name: str) -> bool:
        why = region_name_problem(node.value or "")
        if why:
            ctx.problems.append(problem(ctx, (node.line, node.column), field_name, why, "region-name"))
        return not why

    def walk(node, parent: str, field_name: str, parent_code: str | None) -> Region | None:
        if isinstance(node, Scalar):
            if not node.value:
                ctx.problems.append(
                    problem(
                        ctx,
                        (node.line, node.column),
                        field_name,
                        "地区名称是空的 (empty region name)",
                        "regions-format",
                    )
                )
                return None
            if not named(node, field_name):
                return None
            return Region(node.value, f"{parent}{node.value}", source=Source(source.path, node.line, node.column))
        if not isinstance(node, Mapping):
            ctx.problems.append(
                problem(
                    ctx,
                    (node.line, node.column),
                    field_name,
                    "每个地区写成 name: 名称，或直接写名称 (expected a region)",
                    "regions-format",
                )
            )
            return None
        for key, entry in node.entries.items():
            if key not in ("name", "code", "children"):
                ctx.problems.append(
                    Problem(
                        ctx.path,
                        entry.line,
                        entry.column,
                        f"{field_name}.{key}",
                        f"未知字段{nearest(key, ['name', 'code', 'children'])} (unknown key)",
                        "unknown-key",
                        "warning",
                    )
                )
        name_entry = node.entries.get("name")
        if not name_entry or not isinstance(name_entry.node, Scalar) or not name_entry.node.value:
            ctx.problems.append(
                problem(
                    ctx,
                    (node.line, node.column),
                    f"{field_name}.name",
                    "缺少地区名称 name (missing name)",
                    "regions-format",
                )
            )
            return None
        if not named(name_entry.node, f"{field_name}.name"):
            return None
        code_entry = node.entries.get("code")
        code = code_entry.node.value if code_entry and isinstance(code_entry.node, Scalar) else None
        if (
            code is not None and code_entry is not None
        ):  # a wrong code is reported and not used (it would tell homophones apart)
            where, depth = (code_entry.node.line, code_entry.node.column), parent.count("/")
            if why := region_code_format(code, depth):
                ctx.problems.append(problem(ctx, where, f"{field_name}.code", why, "region-code-format"))
                code = None
            elif why := region_code_parent(code, depth, parent_code):
                ctx.problems.append(problem(ctx, where, f"{field_name}.code", why, "region-code-parent"))
                code = None
        region = Region(
            name_entry.node.value,
            f"{parent}{name_entry.node.value}",
            code,
            source=Source(source.path, node.line, node.column),
        )
        children_entry = node.entries.get("children")
        if children_entry:
            region.children = walk_list(children_entry.node, region.path + "/", f"{field_name}.children", code)
        return region

    def walk_list(node, parent: str, field_name: str, parent_code: str | None = None) -> list[Region]:
        if isinstance(node, Scalar) and node.value is None:
            return []
        if not isinstance(node, Sequence):
            ctx.problems.append(
                problem(
                    ctx,
                    (node.line, node.column),
                    field_name,
                    "children 应该是列表 (children must be a list)",
                    "regions-format",
                )
            )
            return []
        result, seen = [], {}
        for index, item in enumerate(node.items):
            region = walk(item, parent, f"{field_name}[{index}]", parent_code)
            if region is None:
                continue
            if region.name in seen:
                ctx.problems.append(
                    problem(
                        ctx,
                        (item.line, item.column),
                        f"{field_name}[{index}]",
                        f"地区 {region.name} 重复 (duplicate region)",
                        "regions-format",
                    )
                )
                continue
            seen[region.name] = region
            result.append(region)
        return result

    return walk_list(source.root, "", "")


#: Region codes by level of regions.yaml (市 0, 县 1, 镇 2, 村 3): the lengths allowed, as a clerk reads them
#: and as a check (GB/T 2260 for cities and counties, the statistics bureau's 统计用区划代码 for towns and
#: villages: a city's 6-digit form ends in 00, a town's 12-digit form in 000), an example, and how many
#: leading digits are the place's own (430400 → 4304), which its children's codes repeat.
REGION_CODE_LEVELS = (
    ("市级", "4 位，或 6 位且以 00 结尾", re.compile(r"[0-9]{4}(00)?"), "430400", "city", 4),
    ("县级", "6 位", re.compile(r"[0-9]{6}"), "430424", "county", 6),
    ("乡镇级", "9 位，或 12 位且以 000 结尾", re.compile(r"[0-9]{9}(000)?"), "430424104000", "town", 9),
    ("村级", "12 位", re.compile(r"[0-9]{12}"), "430424104201", "village", 12),
)


def region_code_format(code: str, depth: int) -> str | None:
    """Why a region code has the wrong form for its level (depth 0 is a city), or None.

    >>> region_code_format("430424104", 2) is None, region_code_format("430424104201", 2)
    (True, "区划代码 '430424104201' 不对：乡镇级代码是 9 位，或 12 位且以 000 结尾的数字，如 430424104000 (a town code has 9 digits, or 12 ending in 000)")
    """
    if depth >= len(REGION_CODE_LEVELS):
        return None  # below a village: nothing is known
    level, lengths, pattern, example, english, _ = REGION_CODE_LEVELS[depth]
    if pattern.fullmatch(code):
        return None
    gloss = {"city": "4 digits, or 6 ending in 00", "town": "9 digits, or 12 ending in 000"}.get(
        english, f"{lengths[0]} digits"
    )
    return f"区划代码 {code!r} 不对：{level}代码是 {lengths}的数字，如 {example} (a {english} code has {gloss})"


def region_code_parent(code: str, depth: int, parent_code: str | None) -> str | None:
    """Why a (well-formed) region code does not start with its parent's code, or None.

    >>> print(region_code_parent("430524", 1, "430400"))
    区划代码 430524 应以上级的代码 4304 开头（上级写的是 430400） (a code starts with its parent's code, 4304)
    """
    if not parent_code or not 0 < depth < len(REGION_CODE_LEVELS):
        return None
    own = parent_code[: REGION_CODE_LEVELS[depth - 1][5]]
    if code.startswith(own):
        return None
    return f"区划代码 {code} 应以上级的代码 {own} 开头（上级写的是 {parent_code}） (a code starts with its parent's code, {own})"


REGION_NAME_UNSAFE = re.compile(rf"[{characters.UNSEEN}\\]")


def region_name_problem(name: str) -> str | None:
    """Why `name` cannot be a place in regions.yaml, or None. `/` joins a place to the one above
    it (衡阳市/衡东县/甘溪镇), so a name holding one would be two places; a backslash, a control or
    invisible character, a leading dot or space at either end makes an address or path that is
    not what it looks like. A control character is the control-character rule's to report (every text)."""
    if characters.controls(name, allow_newline=False):
        return None
    if "/" in name:
        return (
            f"地区名称 {name!r} 不能含 /（/ 用来连接上下级，如 衡阳市/衡东县），可改用 、 或 － "
            "(a place name cannot contain /)"
        )
    if REGION_NAME_UNSAFE.search(name) or name.startswith(".") or name != name.strip():
        return (
            f"地区名称 {name!r} 含有 \\、控制字符、不可见字符，或以 . 开头、前后有空格 "
            "(a place name cannot hold a backslash, control or invisible characters, a leading dot or spaces at either end)"
        )
    return None


# ------------------------------------------------------------------ towns


def _town(source: SourceFile, ctx: Context, parts) -> Town | None:
    values = TOWN.convert(source.root, ctx, "")
    if not values or not all(k in values for k in ("town", "updated", "judges", "grids")):
        return None

    def person(v) -> Person:
        return Person(v["name"], v["phone"])

    def complete(v) -> bool:  # a person whose name or phone was refused is left out (its problem is reported)
        return bool(v) and "name" in v and "phone" in v

    grids = []
    for index, g in enumerate(values["grids"]):
        if not g or not all(k in g for k in ("id", "name", "village", "leader")) or not complete(g["leader"]):
            continue
        grids.append(
            Grid(
                id=g["id"],
                name=g["name"],
                village=g["village"],
                leader=person(g["leader"]),
                covers=[c for c in g.get("covers", []) if c],
                workers=[
                    Worker(w["name"], w["phone"], [d for d in w.get("duties", []) if d])
                    for w in g.get("workers", [])
                    if complete(w)
                ],
                buildings=[
                    Building(b["name"], person(b["leader"]))
                    for b in g.get("buildings", [])
                    if b and "name" in b and complete(b.get("leader"))
                ],
                wechat_group=WechatGroup(**g["wechat_group"])
                if g.get("wechat_group") and "name" in g["wechat_group"]
                else None,
                source=Source(source.path, *ctx.position(f"grids[{index}]")),
                key_path=f"grids[{index}]",
            )
        )
    office = values.get("office")
    stem = PurePosixPath(parts[2]).stem
    return Town(
        path=values["town"],
        updated=values["updated"],
        judges=[
            Judge(j["name"], j["court"], j["phone"], j.get("title"))
            for j in values["judges"]
            if j and all(k in j for k in ("name", "court", "phone"))
        ],
        grids=grids,
        source=Source(source.path, *ctx.position("town")),
        url=f"towns/{slugs.slug(parts[1], 'county')}/{slugs.slug(stem, 'town')}/",  # homophones: _assign_town_urls
        office=Office(office["name"], office.get("phone"), office.get("address"))
        if office and "name" in office
        else None,
        legal_services=_legal_services(values.get("legal_services", []), ctx),
    )


def _legal_services(items: list, ctx: Context) -> list[LegalService]:
    services = []
    for index, s in enumerate(items):
        if not s or "kind" not in s or "name" not in s:
            continue
        missing = [key for key in LEGAL_SERVICE_NEEDS.get(s["kind"], ()) if key not in s]
        if missing:
            fields = "、".join(f"{key}（{TOWN_SERVICE_FIELDS[key]}）" for key in missing)
            ctx.problems.append(
                problem(
                    ctx,
                    ctx.position(f"legal_services[{index}].kind"),
                    f"legal_services[{index}]",
                    f"{LEGAL_SERVICE_KINDS[s['kind']]}要写 {fields} (missing {', '.join(missing)})",
                    "legal-service-fields",
                )
            )
        services.append(
            LegalService(
                s["kind"],
                LEGAL_SERVICE_KINDS[s["kind"]],
                s["name"],
                s.get("phone"),
                s.get("address"),
                s.get("village"),
                s.get("firm"),
                s.get("hours"),
                key_path=f"legal_services[{index}]",
            )
        )
    return services


# ------------------------------------------------------------------ notices


def _notice(source: SourceFile, ctx: Context, parts):
    folder_kind = FOLDER_KIND[parts[0]]
    root = source.root
    kind = folder_kind
    entry = root.entries.get("kind") if isinstance(root, Mapping) else None
    if entry is not None and isinstance(entry.node, Scalar):
        written = entry.node.value or ""
        if written not in KINDS:
            ctx.problems.append(
                problem(
                    ctx,
                    (entry.node.line, entry.node.column),
                    "kind",
                    f"不认识的公告类别 {written!r}{nearest(written, KINDS)} (unknown kind)",
                    "kind-unknown",
                )
            )
            return None
        if written != folder_kind:
            ctx.problems.append(
                problem(
                    ctx,
                    (entry.node.line, entry.node.column),
                    "kind",
                    f"{written} 公告应放在 {_folder_of(written)}/<年>/ 文件夹 (notice is in the wrong folder)",
                    "kind-folder",
                )
            )
            return None
    values = KINDS[kind].convert(root, ctx, "")
    if values is None:
        return None
    _check_year_folder(values, ctx, parts)
    _check_dates(values, ctx)
    _check_withdrawn(values, ctx)
    url = "/".join(("notices", parts[0], parts[1], _slug(parts[2]), ""))
    common = dict(
        source=Source(source.path, 1, 1),
        url=url,
        data_file="/".join(("notices", *parts)),
        status=values.get("status", "active"),
        withdrawn_reason=values.get("withdrawn_reason"),
        region=values.get("region"),
        **_provenance(values, ctx, kind),
    )
    if kind == "lost-document":
        document = _document(values.get("document"), ctx)
        if "published" not in values or "holder" not in values or document is None:
            return None
        return LostDocumentNotice(
            published=values["published"],
            holder=values["holder"],
            document=document,
            lost_on=values.get("lost_on"),
            reissued=values.get("reissued"),
            statement=values.get("statement"),
            legal_basis=values.get("legal_basis"),
            **common,
        )
    code = _credit_code(values.get("credit_code"), ctx)
    contact = values.get("contact")
    if (
        not all(k in values for k in ("published", "organization", "decided_on", "decided_by"))
        or code is None
        or not contact
        or not all(k in contact for k in ("name", "phone"))
    ):
        return None
    return Deregistration(
        published=values["published"],
        organization=values["organization"],
        credit_code=code,
        decided_on=values["decided_on"],
        decided_by=values["decided_by"],
        claim_days=values.get("claim_days", 45),
        contact=Person(contact["name"], contact["phone"]),
        authority=_office(values.get("authority")),
        objection=_objection(values, ctx),
        **common,
    )


def _office(values: dict | None) -> Office | None:
    return Office(values["name"], values.get("phone"), values.get("address")) if values and "name" in values else None


def _provenance(values: dict, ctx: Context, kind: str) -> dict:
    """The reference number as written, the publisher, the newspapers and the corrections of one notice,
    each checked against 公告日期 (and today); a publisher (and a deregistration's authority) missing
    from a notice published since PROVENANCE_FROM is a warning."""
    published = values.get("published")
    written = values.get("reference")
    if written is not None and (why := reference.problem(written, kind)):
        ctx.problems.append(problem(ctx, ctx.position("reference"), "reference", why, "reference-format"))
        written = None
    newspapers = []
    for index, item in enumerate(values.get("newspapers") or []):
        if not item or "name" not in item or "date" not in item:
            continue
        name = f"newspapers[{index}].date"
        if published and abs((item["date"] - published).days) > NEWSPAPER_WINDOW_DAYS:
            ctx.problems.append(
                problem(
                    ctx,
                    ctx.position(name),
                    name,
                    (
                        f"刊登日期 {item['date']} 与公告日期 {published} 相差 {abs((item['date'] - published).days)} 天，"
                        f"超过 {NEWSPAPER_WINDOW_DAYS} 天，请核对年份和月份 (the newspaper's date is too far from published)"
                    ),
                    "newspaper-date",
                )
            )
        newspapers.append(Newspaper(item["name"], item["date"], item.get("page")))
    corrections = []
    for index, item in enumerate(values.get("corrections") or []):
        if not item or "date" not in item or "change" not in item:
            continue
        name = f"corrections[{index}].date"
        if published and item["date"] < published:
            ctx.problems.append(
                problem(
                    ctx,
                    ctx.position(name),
                    name,
                    f"更正日期 {item['date']} 早于公告日期 {published}：公告发布前的修改不是更正 "
                    "(a correction cannot be dated before published)",
                    "correction-date",
                )
            )
        elif item["date"] > ctx.today:
            ctx.problems.append(
                problem(
                    ctx,
                    ctx.position(name),
                    name,
                    f"更正日期 {item['date']} 在今天（{ctx.today}）之后 (a correction cannot be dated in the future)",
                    "correction-date",
                )
            )
        corrections.append(Correction(item["date"], item["change"]))
    if published and published >= PROVENANCE_FROM:
        wanted = [("publisher", "发布单位")] + ([("authority", "登记机关")] if kind == "deregistration" else [])
        for key, label in wanted:
            if key not in values and not any(p.field.startswith(key) for p in ctx.problems):
                ctx.problems.append(
                    problem(
                        ctx,
                        ctx.position("published"),
                        key,
                        (
                            f"请写明{label} {key}（名称，最好也写电话）：{PROVENANCE_FROM} 以后的公告都要注明 "
                            f"(notices published since {PROVENANCE_FROM} should name their {key})"
                        ),
                        "provenance-missing",
                    )
                )
    return {
        "reference": written or "",
        "reference_written": written is not None,
        "publisher": _office(values.get("publisher")),
        "newspapers": newspapers,
        "corrections": corrections,
    }


def _objection(values: dict, ctx: Context) -> Objection | None:
    """A deregistration's objection office and period (opening on 公告日期 unless written); the period
    must not end before it opens, nor before 公告日期."""
    item = values.get("objection")
    if not item or "closes_on" not in item:
        return None
    published = values.get("published")
    opens = item.get("opens_on") or published
    if opens is None:
        return None
    if item["closes_on"] < opens:
        ctx.problems.append(
            problem(
                ctx,
                ctx.position("objection.closes_on"),
                "objection.closes_on",
                f"异议期截止 {item['closes_on']} 早于开始日期 {opens} (the objection period ends before it opens)",
                "date-order",
            )
        )
    return Objection(item["closes_on"], opens, item.get("office"), item.get("phone"), item.get("address"))


def _folder_of(kind: str) -> str:
    return next(folder for folder, k in FOLDER_KIND.items() if k == kind)


def _slug(file_name: str) -> str:
    return slugs.slug(PurePosixPath(file_name).stem, "notice")


def _check_year_folder(values: dict, ctx: Context, parts) -> None:
    published = values.get("published")
    if published and str(published.year) != parts[1]:
        ctx.problems.append(
            problem(
                ctx,
                ctx.position("published"),
                "published",
                f"公告日期是 {published.year} 年，文件却在 {parts[0]}/{parts[1]}/ 里，"
                f"请移到 {parts[0]}/{published.year}/ (filed under another year's folder)",
                "notice-year-folder",
            )
        )


def _check_dates(values: dict, ctx: Context) -> None:
    published = values.get("published")
    for key, label in (("lost_on", "遗失日期"), ("decided_on", "决议日期")):
        earlier = values.get(key)
        if published and earlier and earlier > published:
            ctx.problems.append(
                problem(
                    ctx,
                    ctx.position(key),
                    key,
                    f"{label} {earlier} 晚于公告日期 {published} (must not be after published)",
                    "date-order",
                )
            )


def _check_withdrawn(values: dict, ctx: Context) -> None:
    if values.get("status") == "withdrawn" and not values.get("withdrawn_reason"):
        ctx.problems.append(
            problem(
                ctx,
                ctx.position("status"),
                "withdrawn_reason",
                "公告已撤回（status: withdrawn），请写明撤回原因 withdrawn_reason (withdrawn needs a reason)",
                "withdrawn-reason",
            )
        )


NUMBER_OPTIONAL = {"公章"}


def _document(values: dict | None, ctx: Context) -> Document | None:
    if not values or "type" not in values:
        return None
    kind, number = values["type"], values.get("number")
    if number is None:
        if kind not in NUMBER_OPTIONAL:
            ctx.problems.append(
                problem(
                    ctx,
                    ctx.position("document"),
                    "document.number",
                    f"{kind}需要写证件号码 (document number is required)",
                    "document-number",
                )
            )
            return None
    elif not (digits := identifiers.check_ascii_digits(number, "证件号码")).ok:
        ctx.problems.append(
            problem(ctx, ctx.position("document.number"), "document.number", digits.error or "", digits.rule or "")
        )
        return None
    elif kind == "身份证":
        checked = identifiers.check_id_number(number, today=ctx.today)
        if checked.error:
            ctx.problems.append(
                problem(
                    ctx, ctx.position("document.number"), "document.number", checked.error or "", checked.rule or ""
                )
            )
            return None
        number = checked.value
    elif kind == "营业执照":
        normalized = identifiers.normalize(number).upper()
        if not re.fullmatch(r"\d{15}", normalized):
            checked = identifiers.check_credit_code(number)
            if checked.error:
                message = (
                    checked.error
                    if len(normalized) == 18
                    else "营业执照号码应为 18 位统一社会信用代码或 15 位注册号 (expected an 18-character credit code or 15-digit number)"
                )
                ctx.problems.append(
                    problem(
                        ctx,
                        ctx.position("document.number"),
                        "document.number",
                        message,
                        (checked.rule or "") if len(normalized) == 18 else "document-number",
                    )
                )
                return None
            number = checked.value
    return Document(kind, number, values.get("issuer"), values.get("name"))


def _credit_code(text: str | None, ctx: Context) -> str | None:
    if text is None:
        return None
    checked = identifiers.check_credit_code(text)
    if checked.error:
        ctx.problems.append(problem(ctx, ctx.position("credit_code"), "credit_code", checked.error, checked.rule or ""))
        return None
    return checked.value


def _assign_notice_urls(portal: Portal) -> None:
    """Two notices of one folder whose file names read alike (高源镇遗失.yaml, 高园镇遗失.yaml) each get
    their own address, by slugs.distinct: a file named as its address keeps it, then the earliest
    published; the others get a suffix made from their own name, so filing a new notice never moves
    another notice's address."""
    notices = [*portal.lost, *portal.deregistrations]
    claims = {}
    for number, notice in enumerate(notices):
        stem = PurePosixPath(notice.data_file).stem
        claims[number] = slugs.Claim(
            notice.url,
            None,
            stem,
            exact=stem == notice.url.rstrip("/").rpartition("/")[2],
            since=notice.published.isoformat(),
        )
    for number, url in slugs.distinct(claims).items():
        notices[number].url = url


def _assign_town_urls(portal: Portal, index: dict[str, Region]) -> None:
    """Two town files of one county whose names read alike (高源镇.yaml, 高园镇.yaml) each get their own
    address, by slugs.distinct: the town's region code decides, never the order the files are read in."""
    claims = {}
    for number, town in enumerate(portal.towns):
        stem = PurePosixPath(town.source.path).stem
        region = index.get(town.path)
        claims[number] = slugs.Claim(
            town.url, region.code if region else None, stem, exact=stem == town.url.rstrip("/").rpartition("/")[2]
        )
    for number, url in slugs.distinct(claims).items():
        portal.towns[number].url = url


def _assign_references(portal: Portal) -> None:
    """Derive the reference number of every notice that has none written (reference.py): from its path
    below notices/ and the code of its county in regions.yaml."""
    codes = region_codes(portal)
    notices: list[LostDocumentNotice | Deregistration] = [*portal.lost, *portal.deregistrations]
    for notice in notices:
        if not notice.reference_written:
            notice.reference = _derived_reference(notice, codes)


def region_codes(portal: Portal) -> dict[str, str | None]:
    return {path: region.code for path, region in region_index(portal.regions).items()}


def _derived_reference(notice: LostDocumentNotice | Deregistration, codes: dict[str, str | None]) -> str:
    return reference.derive(
        notice.kind, notice.year, notice.data_file.split("/", 1)[1], reference.county_code(notice.region, codes)
    )


# ------------------------------------------------------------------ across files


def _cross_checks(
    portal: Portal, positions: dict[str, dict[str, tuple[int, int]]], images: set[str] | None
) -> list[Problem]:
    problems: list[Problem] = []
    index = region_index(portal.regions)
    have_regions = bool(index)
    seen_towns: dict[str, Town] = {}
    for town in sorted(portal.towns, key=lambda t: t.source.path):
        where = (town.source.line, town.source.column)
        region = index.get(town.path)
        if have_regions and region is None:
            problems.append(
                problem(
                    town.source.path,
                    where,
                    "town",
                    f"regions.yaml 中没有 {town.path}{nearest(town.path, index)} (no such place in regions.yaml)",
                    "region-unknown",
                )
            )
        elif region is not None and region.depth != 2:
            problems.append(
                problem(
                    town.source.path,
                    where,
                    "town",
                    f"{town.path} 不是镇（街道）一级，应写 市/县/镇 (town must be city/county/town)",
                    "town-not-a-town",
                )
            )
        if town.path in seen_towns:
            problems.append(
                problem(
                    town.source.path,
                    where,
                    "town",
                    f"{town.path} 已经在 {seen_towns[town.path].source.path} 中写过，每个镇只用一个文件 (one file per town)",
                    "town-duplicate",
                )
            )
        else:
            seen_towns[town.path] = town
        villages = {child.name for child in region.children} if region else set()
        fields = positions.get(town.source.path, {})
        grid_ids: dict[str, int] = {}  # grid id → the line it was first used on
        for number, grid in enumerate(town.grids):
            grid_pos = (grid.source.line, grid.source.column) if grid.source else (1, 1)
            name = grid.key_path or f"grids[{number}]"  # its index in the file: grids with errors are left out
            if grid.id in grid_ids:
                problems.append(
                    problem(
                        town.source.path,
                        fields.get(f"{name}.id", grid_pos),
                        f"{name}.id",
                        f"网格编号 {grid.id} 重复，第 {grid_ids[grid.id]} 行已经用过 (duplicate grid id)",
                        "grid-id-duplicate",
                    )
                )
            grid_ids.setdefault(grid.id, grid_pos[0])
            qr = grid.wechat_group.qr if grid.wechat_group else None
            if qr and images is not None and qr not in images:
                problems.append(
                    problem(
                        town.source.path,
                        fields.get(f"{name}.wechat_group.qr", grid_pos),
                        f"{name}.wechat_group.qr",
                        f"找不到图片 notices/{qr}（注意大小写），请把图片放进 notices/images/ "
                        "(no such image in notices/images/)",
                        "image-reference",
                    )
                )
            if region is not None and region.depth == 2 and grid.village not in villages:
                problems.append(
                    problem(
                        town.source.path,
                        fields.get(f"{name}.village", grid_pos),
                        f"{name}.village",
                        f"{grid.village} 不是 {town.path} 的下级{nearest(grid.village, villages)}，可选：{'、'.join(sorted(villages)) or '（无）'} (village not in this town)",
                        "village-unknown",
                    )
                )
        for service in town.legal_services:
            if service.village and region is not None and region.depth == 2 and service.village not in villages:
                name = f"{service.key_path}.village"
                problems.append(
                    problem(
                        town.source.path,
                        fields.get(name, where),
                        name,
                        f"{service.village} 不是 {town.path} 的下级{nearest(service.village, villages)} (village not in this town)",
                        "village-unknown",
                    )
                )
    for notice in [*portal.lost, *portal.deregistrations]:
        if notice.region and have_regions and notice.region not in index:
            problems.append(
                problem(
                    notice.source.path,
                    positions.get(notice.source.path, {}).get("region", (1, 1)),
                    "region",
                    f"regions.yaml 中没有 {notice.region}{nearest(notice.region, index)} (no such place in regions.yaml)",
                    "region-unknown",
                )
            )
    problems.extend(_duplicates(portal, positions))
    problems.extend(_duplicate_references(portal, positions))
    return problems


def _stale_towns(portal: Portal, positions: dict[str, dict[str, tuple[int, int]]]) -> list[Problem]:
    """town-stale: a list not updated for `portal.stale_months` months (its page says so too: town.html)."""
    return [
        problem(
            town.source.path,
            positions.get(town.source.path, {}).get("updated", (town.source.line, town.source.column)),
            "updated",
            f"名单更新于 {town.updated}，已超过 {portal.stale_months} 个月：请向镇（街道）核实网格员、法官和电话，"
            f"核实后把 updated 改成核实的日期 (list not updated for {portal.stale_months} months)",
            "town-stale",
        )
        for town in sorted(portal.towns, key=lambda t: t.source.path)
        if portal.stale(town)
    ]


@dataclass(frozen=True)
class _Listed:
    """One named service, office or hotline with a phone number, where it is written."""

    name: str
    phone: PhoneNumber
    path: str
    field: str  # office.phone, legal_services[2].phone, places[0].hotlines[1].phone
    position: tuple[int, int]
    county: str | None = None  # the county it serves (None: anywhere, a general hotline)
    local: bool = False  # it serves one town (the town's office, a service named for its town): see _same_office

    @property
    def where(self) -> str:
        return f"{self.path}:{self.position[0]}"


def _county_of(place: str) -> str | None:
    """The county a region path lies in (city/county/…), None for a city or nothing."""
    parts = place.split("/")
    return "/".join(parts[:2]) if len(parts) >= 2 else None


def _service_key(name: str) -> str:
    """A service's name as compared: NFKC (full-width letters, digits and brackets), no whitespace at all."""
    return re.sub(r"\s+", "", identifiers.normalize(name))


def _same_office(a: _Listed, b: _Listed) -> bool:
    """Whether two same-named entries can be one office. A town's own office (office.phone), and a legal service
    named for its town (城关镇人民调解委员会 in 城关镇's file), serve that town only: Hunan has a 城关镇 in many
    counties, so such an entry is compared within its county only (and with the general hotlines, which serve
    everywhere). Any other legal service is named for the place it serves (衡东县法律援助中心) and is compared
    wherever it is listed. (The scale-1 benchmark province warned 142 times on same-named towns' committees.)"""
    if (a.local or b.local) and a.county and b.county:
        return a.county == b.county
    return True


def _phone_conflicts(
    portal: Portal, positions: dict[str, dict[str, tuple[int, int]]], config: legal.LegalConfig, config_path: str
) -> list[Problem]:
    """phone-conflict: the same office, legal service or hotline (by name) written with different phone numbers
    (compared normalised, as identifiers.check_phone writes them) in two files. Within one file two numbers may be
    meant (and legal.yaml's places replace the general hotlines of the same name on purpose): not compared. A
    village's own service (its 人民调解委员会, its adviser) is never compared: village names repeat across a
    province (two towns each with a 乌坳村 and its own committee), nor a town's office, or a service named for its
    town, with one of another county (_same_office)."""
    listed: list[_Listed] = []
    for town in sorted(portal.towns, key=lambda t: t.source.path):
        fields = positions.get(town.source.path, {})
        where = (town.source.line, town.source.column)
        county = _county_of(town.path)
        if town.office and town.office.phone:
            listed.append(
                _Listed(
                    town.office.name,
                    town.office.phone,
                    town.source.path,
                    "office.phone",
                    fields.get("office.phone", where),
                    county,
                    local=True,
                )
            )
        listed += [
            _Listed(
                s.name,
                s.phone,
                town.source.path,
                f"{s.key_path}.phone",
                fields.get(f"{s.key_path}.phone", where),
                county,
                local=_service_key(town.name) in _service_key(s.name),
            )
            for s in town.legal_services
            if s.phone and not s.village
        ]
    fields = positions.get(config_path, {})
    placed = [(None, h) for h in config.hotlines] + [
        (_county_of(place), h) for place, hotlines in config.places.items() for h in hotlines
    ]
    for county, hotline in placed:
        if hotline.key_path:  # written in legal.yaml, not one of the defaults
            listed.append(
                _Listed(
                    hotline.name,
                    hotline.phone,
                    config_path,
                    f"{hotline.key_path}.phone",
                    fields.get(f"{hotline.key_path}.phone", (1, 1)),
                    county,
                )
            )
    seen: dict[str, list[_Listed]] = {}
    problems = []
    for entry in listed:
        same_name = seen.setdefault(_service_key(entry.name), [])
        earlier = next((e for e in same_name if _same_office(e, entry)), None)
        same_name.append(entry)
        if earlier and earlier.path != entry.path and earlier.phone.normalized != entry.phone.normalized:
            problems.append(
                problem(
                    entry.path,
                    entry.position,
                    entry.field,
                    f"{entry.name}的电话 {entry.phone.text} 与 {earlier.where} 写的 {earlier.phone.text} 不同："
                    f"同一单位两个号码，请核实后两处写成同一个 (the same office has another number in {earlier.where})",
                    "phone-conflict",
                )
            )
    return problems


def _duplicates(portal: Portal, positions: dict[str, dict[str, tuple[int, int]]]) -> list[Problem]:
    problems = []
    seen: dict[tuple, str] = {}
    for notice in sorted([*portal.lost, *portal.deregistrations], key=lambda n: n.source.path):
        key: tuple[str, ...]
        if isinstance(notice, LostDocumentNotice):
            if not notice.document.number:
                continue
            key = ("lost", notice.document.type, identifiers.normalize(notice.document.number).upper())
            what = f"{notice.document.type} {privacy.public_number(notice.document)}"
            field_name = "document.number"
        elif isinstance(notice, Deregistration):
            key = ("dereg", notice.credit_code)
            what = f"统一社会信用代码 {notice.credit_code}"
            field_name = "credit_code"
        if key in seen:
            position = positions.get(notice.source.path, {}).get(field_name, (1, 1))
            problems.append(
                problem(
                    notice.source.path,
                    position,
                    field_name,
                    f"{what} 已经在 {seen[key]} 中公告过 (duplicate notice)",
                    "notice-duplicate",
                )
            )
        else:
            seen[key] = notice.source.path
    return problems


def _duplicate_references(portal: Portal, positions: dict[str, dict[str, tuple[int, int]]]) -> list[Problem]:
    """Two notices with one reference number: the later published (then by path) is reported, naming the
    earlier, which keeps its number (a copied file is the usual cause)."""
    problems = []
    seen: dict[str, tuple[str, tuple[int, int]]] = {}
    codes = region_codes(portal)
    notices: list[LostDocumentNotice | Deregistration] = [*portal.lost, *portal.deregistrations]
    for notice in sorted(notices, key=lambda n: (n.published, n.source.path)):
        where = positions.get(notice.source.path, {}).get("reference", (1, 1))
        if notice.reference in seen:
            first, (line, column) = seen[notice.reference]
            own = _derived_reference(notice, codes)
            how = "（本文件没有写公告编号，按文件名推算）" if not notice.reference_written else ""
            fix = f"请在本文件写 reference: {own}" if own != notice.reference else "请把本文件改个名字"
            problems.append(
                problem(
                    notice.source.path,
                    where,
                    "reference",
                    (
                        f"公告编号 {notice.reference}{how} 已经在 {first}:{line}:{column} 中使用，每条公告的编号必须不同，"
                        f"{fix} (duplicate reference number, first in {first})"
                    ),
                    "reference-duplicate",
                )
            )
        else:
            seen[notice.reference] = (notice.source.path, where)
    return problems
