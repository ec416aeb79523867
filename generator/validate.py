"""Stage 2: check every loaded file against the schema and the rules, and build the model.

Nothing stops at the first problem: every file is converted, every rule runs,
and the caller gets the model together with the full list of problems.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from slugify import slugify

from . import characters, identifiers, legal, privacy
from . import guides as legal_guides
from .load import Loaded, Mapping, Node, Scalar, Sequence, SourceFile
from .model import (Building, Deregistration, Document, Grid, Judge, LegalService, LostDocumentNotice,
                    Office, Person, Portal, Region, Source, Town, WechatGroup, Worker, region_index)
from .problems import Problem
from .rules import RULES
from .schema import (FOLDER_KIND, KINDS, LEGAL_SERVICE_KINDS, LEGAL_SERVICE_NEEDS, TOWN, Context, Struct, Text, field_type,
                     nearest)

YEAR_RE = re.compile(r"^\d{4}$")
TOWN_SERVICE_FIELDS = {"village": "所在村", "firm": "律师事务所", "phone": "电话", "address": "地址", "hours": "办公时间"}


@dataclass
class Checked:
    portal: Portal
    problems: list[Problem] = field(default_factory=list)
    data_files: dict[str, str] = field(default_factory=dict)  # each YAML file as problems name it → its folder below notices/


def problem(ctx_or_path, position: tuple[int, int], field_name: str, message: str, rule: str) -> Problem:
    """A problem for a registered rule (an unregistered id is a bug in this code)."""
    registered = RULES[rule]
    path = ctx_or_path.path if isinstance(ctx_or_path, Context) else ctx_or_path
    return Problem(path, position[0], position[1], field_name, message, rule, registered.level)


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


CROSS_FILE_FIELDS = {"town", "region", "document.number", "credit_code"}
CROSS_FILE_GRID_FIELD = re.compile(r"^(?:grids\[\d+\]\.(?:id|village|wechat_group\.qr)|legal_services\[\d+\]\.(?:id|village))$")


def crosses_files(field_name: str) -> bool:
    """Whether a cross-file rule may point at this field (a town file records ~2,000 field positions:
    the set and the suffix test keep the pattern for the few that may be one)."""
    return field_name in CROSS_FILE_FIELDS or (field_name.endswith((".id", ".village", ".qr"))
                                               and CROSS_FILE_GRID_FIELD.match(field_name) is not None)


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
    elif len(parts) == 3 and parts[0] == "contacts":
        result.town = _town(source, ctx, parts)
    elif len(parts) == 3 and parts[0] in FOLDER_KIND and YEAR_RE.match(parts[1]):
        result.notice = _notice(source, ctx, parts)
    else:
        ctx.problems.append(problem(ctx, (1, 1), "", (
            "文件位置不对：notices/ 下只能有 regions.yaml、legal.yaml、contacts/<县>/<镇>.yaml、guides/*.md、"
            "lost/<年>/<名称>.yaml、deregistration/<年>/<名称>.yaml (file is not where a notice or town belongs)"),
            "file-location"))
    result.problems = ctx.problems
    result.positions = {k: v for k, v in ctx.where.items() if crosses_files(k)}
    return result


# ------------------------------------------------------------------ every text, whatever the field


def _schema_of(parts: tuple[str, ...]) -> Struct | None:
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


def text_problems(path: str, position: tuple[int, int], field_name: str, text: str, multiline: bool = False,
                  file_name: bool = False) -> list[Problem]:
    """What the privacy rule (an ID number only in a document number, masked there) and the character
    rule (no control or bidirectional characters; a newline only in a multi-line field) say of one text."""
    found: list[Problem] = []
    refused = privacy.ids_refused(field_name, text)
    if refused and file_name:
        found.append(problem(path, position, field_name, (
            f"文件名含有身份证号码（{refused[0]}）：文件名会成为网页地址，不能有身份证号码，"
            "请改用日期和姓名拼音，如 2022-06-20-luo.yaml (a file name must not carry an ID number: it becomes a page address)"),
            "id-number-not-allowed"))
    elif refused:
        found.append(problem(path, position, field_name, (
            f"这里不能写身份证号码（{refused[0]}）：身份证号码只能写在证件号码 document.number 中，网站只公开前 "
            f"{privacy.ID_KEEP_START} 位和后 {privacy.ID_KEEP_END} 位 "
            "(an ID number may only be written in document.number, where it is masked)"), "id-number-not-allowed"))
    bad = characters.controls(text, multiline)
    if bad:
        index, char = bad[0]
        more = f"，共 {len(bad)} 个" if len(bad) > 1 else ""
        if char == "\n":
            message = (f"这一项只能写一行，第 {index + 1} 个字符是换行{more}，请删去换行 "
                       "(this field is a single line: remove the line break)")
        else:
            message = (f"含有不允许的控制字符 {characters.code_point(char)}（第 {index + 1} 个字符{more}），"
                       "可能是从别处复制带来的，请删除后重新输入 (control or bidirectional character: remove it)")
        found.append(problem(path, position, field_name, message, "control-character"))
    return found


def check(loaded: Loaded, notices_root: str, today: dt.date) -> Checked:
    """Convert and check every file; return the model and every problem found."""
    return assemble([check_source(source, today) for source in loaded.files], loaded.problems, notices_root, today,
                    loaded.images)


def assemble(results: list[FileResult], load_problems: list[Problem], notices_root: str, today: dt.date,
             images: set[str] | None = None) -> Checked:
    """Put the files' results together in order and run the rules that need more than one file
    (with `images`, the pictures in notices/images/, a QR code must name one of them)."""
    problems = list(load_problems)
    regions: list[Region] = []
    towns: list[Town] = []
    lost: list[LostDocumentNotice] = []
    deregs: list[Deregistration] = []
    config = legal.LegalConfig()
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
        if isinstance(result.notice, LostDocumentNotice):
            lost.append(result.notice)
        elif isinstance(result.notice, Deregistration):
            deregs.append(result.notice)
    if not regions and not any(p.path.endswith(("regions.yaml", "regions.yml")) for p in problems):
        problems.append(Problem(f"{notices_root}/regions.yaml", 1, 1, "", "缺少 regions.yaml 行政区划文件 (regions.yaml is missing)", "regions-format"))
    index = region_index(regions)
    guides, guide_problems = legal_guides.load_guides(Path(notices_root), today,
                                                      config.review_months, index)
    problems += guide_problems + legal.unknown_places(config, config_path, index)
    portal = Portal(regions, towns, lost, deregs, today, guides, config.hotlines, config.places)
    _assign_notice_urls(portal)
    problems.extend(_cross_checks(portal, positions, images))
    return Checked(portal, problems)


# ------------------------------------------------------------------ regions


def _regions(source: SourceFile, ctx: Context) -> list[Region]:
    def named(node: Scalar, field_name: str) -> bool:
        why = region_name_problem(node.value or "")
        if why:
            ctx.problems.append(problem(ctx, (node.line, node.column), field_name, why, "region-name"))
        return not why

    def walk(node, parent: str, field_name: str) -> Region | None:
        if isinstance(node, Scalar):
            if not node.value:
                ctx.problems.append(problem(ctx, (node.line, node.column), field_name, "地区名称是空的 (empty region name)", "regions-format"))
                return None
            if not named(node, field_name):
                return None
            return Region(node.value, f"{parent}{node.value}", source=Source(source.path, node.line, node.column))
        if not isinstance(node, Mapping):
            ctx.problems.append(problem(ctx, (node.line, node.column), field_name, "每个地区写成 name: 名称，或直接写名称 (expected a region)", "regions-format"))
            return None
        for key, entry in node.entries.items():
            if key not in ("name", "code", "children"):
                ctx.problems.append(Problem(ctx.path, entry.line, entry.column, f"{field_name}.{key}",
                                            f"未知字段{nearest(key, ['name', 'code', 'children'])} (unknown key)", "unknown-key", "warning"))
        name_entry = node.entries.get("name")
        if not name_entry or not isinstance(name_entry.node, Scalar) or not name_entry.node.value:
            ctx.problems.append(problem(ctx, (node.line, node.column), f"{field_name}.name", "缺少地区名称 name (missing name)", "regions-format"))
            return None
        if not named(name_entry.node, f"{field_name}.name"):
            return None
        code_entry = node.entries.get("code")
        code = code_entry.node.value if code_entry and isinstance(code_entry.node, Scalar) else None
        region = Region(name_entry.node.value, f"{parent}{name_entry.node.value}", code,
                        source=Source(source.path, node.line, node.column))
        children_entry = node.entries.get("children")
        if children_entry:
            region.children = walk_list(children_entry.node, region.path + "/", f"{field_name}.children")
        return region

    def walk_list(node, parent: str, field_name: str) -> list[Region]:
        if isinstance(node, Scalar) and node.value is None:
            return []
        if not isinstance(node, Sequence):
            ctx.problems.append(problem(ctx, (node.line, node.column), field_name, "children 应该是列表 (children must be a list)", "regions-format"))
            return []
        result, seen = [], {}
        for index, item in enumerate(node.items):
            region = walk(item, parent, f"{field_name}[{index}]")
            if region is None:
                continue
            if region.name in seen:
                ctx.problems.append(problem(ctx, (item.line, item.column), f"{field_name}[{index}]",
                                            f"地区 {region.name} 重复 (duplicate region)", "regions-format"))
                continue
            seen[region.name] = region
            result.append(region)
        return result

    return walk_list(source.root, "", "")


REGION_NAME_UNSAFE = re.compile(rf"[{characters.UNSEEN}\\]")


def region_name_problem(name: str) -> str | None:
    """Why `name` cannot be a place in regions.yaml, or None. `/` joins a place to the one above
    it (衡阳市/衡东县/甘溪镇), so a name holding one would be two places; a backslash, a control or
    invisible character, a leading dot or space at either end makes an address or path that is
    not what it looks like. A control character is the control-character rule's to report (every text)."""
    if characters.controls(name, allow_newline=False):
        return None
    if "/" in name:
        return (f"地区名称 {name!r} 不能含 /（/ 用来连接上下级，如 衡阳市/衡东县），可改用 、 或 － "
                "(a place name cannot contain /)")
    if REGION_NAME_UNSAFE.search(name) or name.startswith(".") or name != name.strip():
        return (f"地区名称 {name!r} 含有 \\、控制字符、不可见字符，或以 . 开头、前后有空格 "
                "(a place name cannot hold a backslash, control or invisible characters, a leading dot or spaces at either end)")
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
        grids.append(Grid(
            id=g["id"], name=g["name"], village=g["village"], leader=person(g["leader"]),
            covers=[c for c in g.get("covers", []) if c],
            workers=[Worker(w["name"], w["phone"], [d for d in w.get("duties", []) if d])
                     for w in g.get("workers", []) if complete(w)],
            buildings=[Building(b["name"], person(b["leader"])) for b in g.get("buildings", [])
                       if b and "name" in b and complete(b.get("leader"))],
            wechat_group=WechatGroup(**g["wechat_group"]) if g.get("wechat_group") and "name" in g["wechat_group"] else None,
            source=Source(source.path, *ctx.position(f"grids[{index}]")),
            key_path=f"grids[{index}]",
        ))
    office = values.get("office")
    stem = PurePosixPath(parts[2]).stem
    return Town(
        path=values["town"], updated=values["updated"],
        judges=[Judge(j["name"], j["court"], j["phone"], j.get("title")) for j in values["judges"]
                if j and all(k in j for k in ("name", "court", "phone"))],
        grids=grids, source=Source(source.path, *ctx.position("town")),
        url=f"towns/{slugify(parts[1]) or 'county'}/{slugify(stem) or 'town'}/",
        office=Office(office["name"], office.get("phone"), office.get("address")) if office and "name" in office else None,
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
            ctx.problems.append(problem(ctx, ctx.position(f"legal_services[{index}].kind"), f"legal_services[{index}]",
                                        f"{LEGAL_SERVICE_KINDS[s['kind']]}要写 {fields} (missing {', '.join(missing)})",
                                        "legal-service-fields"))
        services.append(LegalService(s["kind"], LEGAL_SERVICE_KINDS[s["kind"]], s["name"], s.get("phone"), s.get("address"),
                                     s.get("village"), s.get("firm"), s.get("hours"), key_path=f"legal_services[{index}]"))
    return services


# ------------------------------------------------------------------ notices


def _notice(source: SourceFile, ctx: Context, parts):
    folder_kind = FOLDER_KIND[parts[0]]
    root = source.root
    kind = folder_kind
    if isinstance(root, Mapping) and "kind" in root.entries and isinstance(root.entries["kind"].node, Scalar):
        entry = root.entries["kind"]
        written = entry.node.value or ""
        if written not in KINDS:
            ctx.problems.append(problem(ctx, (entry.node.line, entry.node.column), "kind",
                                        f"不认识的公告类别 {written!r}{nearest(written, KINDS)} (unknown kind)", "kind-unknown"))
            return None
        if written != folder_kind:
            ctx.problems.append(problem(ctx, (entry.node.line, entry.node.column), "kind",
                                        f"{written} 公告应放在 {_folder_of(written)}/<年>/ 文件夹 (notice is in the wrong folder)", "kind-folder"))
            return None
    values = KINDS[kind].convert(root, ctx, "")
    if values is None:
        return None
    _check_year_folder(values, ctx, parts)
    _check_dates(values, ctx)
    _check_withdrawn(values, ctx)
    url = "/".join(("notices", parts[0], parts[1], notice_slug(parts[2]), ""))
    common = dict(source=Source(source.path, 1, 1), url=url, data_file="/".join(("notices", *parts)), status=values.get("status", "active"),
                  withdrawn_reason=values.get("withdrawn_reason"), region=values.get("region"))
    if kind == "lost-document":
        document = _document(values.get("document"), ctx)
        if "published" not in values or "holder" not in values or document is None:
            return None
        return LostDocumentNotice(published=values["published"], holder=values["holder"], document=document,
                                  lost_on=values.get("lost_on"), reissued=values.get("reissued"),
                                  statement=values.get("statement"), legal_basis=values.get("legal_basis"), **common)
    code = _credit_code(values.get("credit_code"), ctx)
    contact = values.get("contact")
    if not all(k in values for k in ("published", "organization", "decided_on", "decided_by")) or code is None \
            or not contact or not all(k in contact for k in ("name", "phone")):
        return None
    return Deregistration(published=values["published"], organization=values["organization"], credit_code=code,
                          decided_on=values["decided_on"], decided_by=values["decided_by"],
                          claim_days=values.get("claim_days", 45), contact=Person(contact["name"], contact["phone"]),
                          **common)


def _folder_of(kind: str) -> str:
    return next(folder for folder, k in FOLDER_KIND.items() if k == kind)


def notice_slug(file_name: str) -> str:
    """The last part of a notice's page address, from its file name (portal verify looks a page's file up by it)."""
    return slugify(PurePosixPath(file_name).stem) or "notice"


def _check_year_folder(values: dict, ctx: Context, parts) -> None:
    published = values.get("published")
    if published and str(published.year) != parts[1]:
        ctx.problems.append(problem(ctx, ctx.position("published"), "published",
                                    f"公告日期是 {published.year} 年，文件却在 {parts[0]}/{parts[1]}/ 里，"
                                    f"请移到 {parts[0]}/{published.year}/ (filed under another year's folder)",
                                    "notice-year-folder"))


def _check_dates(values: dict, ctx: Context) -> None:
    published = values.get("published")
    for key, label in (("lost_on", "遗失日期"), ("decided_on", "决议日期")):
        earlier = values.get(key)
        if published and earlier and earlier > published:
            ctx.problems.append(problem(ctx, ctx.position(key), key,
                                        f"{label} {earlier} 晚于公告日期 {published} (must not be after published)", "date-order"))


def _check_withdrawn(values: dict, ctx: Context) -> None:
    if values.get("status") == "withdrawn" and not values.get("withdrawn_reason"):
        ctx.problems.append(problem(ctx, ctx.position("status"), "withdrawn_reason",
                                    "公告已撤回（status: withdrawn），请写明撤回原因 withdrawn_reason (withdrawn needs a reason)",
                                    "withdrawn-reason"))


NUMBER_OPTIONAL = {"公章"}


def _document(values: dict | None, ctx: Context) -> Document | None:
    if not values or "type" not in values:
        return None
    kind, number = values["type"], values.get("number")
    if number is None:
        if kind not in NUMBER_OPTIONAL:
            ctx.problems.append(problem(ctx, ctx.position("document"), "document.number",
                                        f"{kind}需要写证件号码 (document number is required)", "document-number"))
            return None
    elif not (digits := identifiers.check_ascii_digits(number, "证件号码")).ok:
        ctx.problems.append(problem(ctx, ctx.position("document.number"), "document.number", digits.error, digits.rule))
        return None
    elif kind == "身份证":
        checked = identifiers.check_id_number(number, today=ctx.today)
        if checked.error:
            ctx.problems.append(problem(ctx, ctx.position("document.number"), "document.number", checked.error, checked.rule))
            return None
        number = checked.value
    elif kind == "营业执照":
        normalized = identifiers.normalize(number).upper()
        if not re.fullmatch(r"\d{15}", normalized):
            checked = identifiers.check_credit_code(number)
            if checked.error:
                message = checked.error if len(normalized) == 18 else \
                    "营业执照号码应为 18 位统一社会信用代码或 15 位注册号 (expected an 18-character credit code or 15-digit number)"
                ctx.problems.append(problem(ctx, ctx.position("document.number"), "document.number", message,
                                            checked.rule if len(normalized) == 18 else "document-number"))
                return None
            number = checked.value
    return Document(kind, number, values.get("issuer"), values.get("name"))


def _credit_code(text: str | None, ctx: Context) -> str | None:
    if text is None:
        return None
    checked = identifiers.check_credit_code(text)
    if checked.error:
        ctx.problems.append(problem(ctx, ctx.position("credit_code"), "credit_code", checked.error, checked.rule))
        return None
    return checked.value


def _assign_notice_urls(portal: Portal) -> None:
    """Resolve slug collisions deterministically: the first file by path keeps the slug."""
    taken: dict[str, int] = defaultdict(int)
    for notice in sorted([*portal.lost, *portal.deregistrations], key=lambda n: n.source.path):
        taken[notice.url] += 1
        if taken[notice.url] > 1:
            notice.url = f"{notice.url[:-1]}-{taken[notice.url]}/"
    taken.clear()


# ------------------------------------------------------------------ across files


def _cross_checks(portal: Portal, positions: dict[str, dict[str, tuple[int, int]]], images: set[str] | None) -> list[Problem]:
    problems: list[Problem] = []
    index = region_index(portal.regions)
    have_regions = bool(index)
    seen_towns: dict[str, Town] = {}
    seen_urls: dict[str, Town] = {}
    for town in sorted(portal.towns, key=lambda t: t.source.path):
        where = (town.source.line, town.source.column)
        region = index.get(town.path)
        if have_regions and region is None:
            problems.append(problem(town.source.path, where, "town",
                                    f"regions.yaml 中没有 {town.path}{nearest(town.path, index)} (no such place in regions.yaml)", "region-unknown"))
        elif region is not None and region.depth != 2:
            problems.append(problem(town.source.path, where, "town",
                                    f"{town.path} 不是镇（街道）一级，应写 市/县/镇 (town must be city/county/town)", "town-not-a-town"))
        if town.path in seen_towns:
            problems.append(problem(town.source.path, where, "town",
                                    f"{town.path} 已经在 {seen_towns[town.path].source.path} 中写过，每个镇只用一个文件 (one file per town)", "town-duplicate"))
        else:
            seen_towns[town.path] = town
        if town.url in seen_urls:
            problems.append(problem(town.source.path, (1, 1), "",
                                    f"文件名与 {seen_urls[town.url].source.path} 拼成同一个网页地址 {town.url}，请改用不同的文件名（用镇名拼音） "
                                    f"(two town files make the same page address)", "town-url-clash"))
        else:
            seen_urls[town.url] = town
        villages = {child.name for child in region.children} if region else set()
        fields = positions.get(town.source.path, {})
        grid_ids: dict[str, Grid] = {}
        for number, grid in enumerate(town.grids):
            grid_pos = (grid.source.line, grid.source.column)
            name = grid.key_path or f"grids[{number}]"  # its index in the file: grids with errors are left out
            if grid.id in grid_ids:
                problems.append(problem(town.source.path, fields.get(f"{name}.id", grid_pos), f"{name}.id",
                                        f"网格编号 {grid.id} 重复，第 {grid_ids[grid.id].source.line} 行已经用过 (duplicate grid id)", "grid-id-duplicate"))
            grid_ids.setdefault(grid.id, grid)
            qr = grid.wechat_group.qr if grid.wechat_group else None
            if qr and images is not None and qr not in images:
                problems.append(problem(town.source.path, fields.get(f"{name}.wechat_group.qr", grid_pos), f"{name}.wechat_group.qr",
                                        f"找不到图片 notices/{qr}（注意大小写），请把图片放进 notices/images/ "
                                        "(no such image in notices/images/)", "image-reference"))
            if region is not None and region.depth == 2 and grid.village not in villages:
                problems.append(problem(town.source.path, fields.get(f"{name}.village", grid_pos), f"{name}.village",
                                        f"{grid.village} 不是 {town.path} 的下级{nearest(grid.village, villages)}，可选：{'、'.join(sorted(villages)) or '（无）'} (village not in this town)",
                                        "village-unknown"))
        for service in town.legal_services:
            if service.village and region is not None and region.depth == 2 and service.village not in villages:
                name = f"{service.key_path}.village"
                problems.append(problem(town.source.path, fields.get(name, where), name,
                                        f"{service.village} 不是 {town.path} 的下级{nearest(service.village, villages)} (village not in this town)",
                                        "village-unknown"))
    for notice in [*portal.lost, *portal.deregistrations]:
        if notice.region and have_regions and notice.region not in index:
            problems.append(problem(notice.source.path, positions.get(notice.source.path, {}).get("region", (1, 1)), "region",
                                    f"regions.yaml 中没有 {notice.region}{nearest(notice.region, index)} (no such place in regions.yaml)", "region-unknown"))
    problems.extend(_duplicates(portal, positions))
    return problems


def _duplicates(portal: Portal, positions: dict[str, dict[str, tuple[int, int]]]) -> list[Problem]:
    problems = []
    seen: dict[tuple, str] = {}
    for notice in sorted([*portal.lost, *portal.deregistrations], key=lambda n: n.source.path):
        if isinstance(notice, LostDocumentNotice):
            if not notice.document.number:
                continue
            key = ("lost", notice.document.type, identifiers.normalize(notice.document.number).upper())
            what = f"{notice.document.type} {privacy.public_number(notice.document)}"
            field_name = "document.number"
        else:
            key = ("dereg", notice.credit_code)
            what = f"统一社会信用代码 {notice.credit_code}"
            field_name = "credit_code"
        if key in seen:
            position = positions.get(notice.source.path, {}).get(field_name, (1, 1))
            problems.append(problem(notice.source.path, position, field_name,
                                    f"{what} 已经在 {seen[key]} 中公告过 (duplicate notice)", "notice-duplicate"))
        else:
            seen[key] = notice.source.path
    return problems
