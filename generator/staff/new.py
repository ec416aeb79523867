"""`portal new`: ask for a new notice's (or town's) fields, check them as the checker does, write one file.

Every answer is checked as it is typed by the same code `portal check` runs: the schema's field
types (`schema.py`) and the identifier checks `validate.py` applies (ID number, credit code, date
order). When all fields are in, the new file is checked together with the whole data set
(`validate.check`, in memory), so rules across files (duplicate notice, region exists, village in
town, one file per town) apply too. Only then is the file written, and never over another one.

Fields come from `--field key=value` (dotted keys as the checker names fields: `document.type`,
`contact.phone`, `grids[1].leader.name`) or, on a terminal or with `--interactive`, from questions.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from ..checking import privacy, reference, slugs, validate
from ..checking.load import Loaded, Scalar, Sequence, SourceFile, display_path, load_tree, parse
from ..checking.problems import Problem, shown
from ..checking.schema import DEREGISTRATION, LOST, TOWN, Context, Field, ListOf, PhoneNumber, Struct, Text, nearest

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

SCHEMAS: dict[str, Struct] = {"lost-document": LOST, "deregistration": DEREGISTRATION, "town": TOWN}
KINDS = tuple(SCHEMAS)

#: The questions asked, in order (any other schema field can still be given with --field).
QUESTIONS: dict[str, tuple[str, ...]] = {
    "lost-document": (
        "published",
        "holder",
        "region",
        "document.type",
        "document.number",
        "document.name",
        "document.issuer",
        "lost_on",
        "reissued",
        "statement",
        "legal_basis",
        "publisher.name",
        "publisher.phone",
    ),
    "deregistration": (
        "published",
        "organization",
        "credit_code",
        "region",
        "decided_on",
        "decided_by",
        "claim_days",
        "contact.name",
        "contact.phone",
        "publisher.name",
        "publisher.phone",
        "authority.name",
        "authority.phone",
    ),
    "town": ("town", "updated", "judges[0].name", "judges[0].court", "judges[0].title", "judges[0].phone"),
}
GRID_QUESTIONS = ("id", "name", "village", "leader.name", "leader.phone")

#: Questions asked only when an earlier answer calls for them.
ASK_WHEN: dict[str, Callable[[dict[str, Any]], bool]] = {
    "document.name": lambda answers: answers.get("document.type") == "其他",
    "publisher.phone": lambda answers: "publisher.name" in answers,
    "authority.phone": lambda answers: "authority.name" in answers,
}
#: Fields whose empty answer means "today" in interactive mode.
TODAY_DEFAULT = {"published", "updated"}

LIST_SEPARATORS = re.compile(r"[,，、]")
KEY_PART = re.compile(r"^([a-z_]+)(?:\[(\d+)\])?$")


class UsageError(Exception):
    """A --field option that does not name a field of this kind (exit 2)."""


class Aborted(Exception):
    """Input ended or was interrupted: nothing is written."""


@dataclass
class NewOptions:
    kind: str
    notices: Path = Path("notices")
    fields: list[str] = field(default_factory=list)
    ask: bool | None = None  # None: ask when standard input is a terminal
    today: dt.date = field(default_factory=dt.date.today)


# ------------------------------------------------------------------ fields


@dataclass(frozen=True)
class Resolved:
    """One leaf field of a kind's schema, under the name the checker gives it (`grids[0].leader.phone`)."""

    key: str
    spec: Field
    titles: tuple[str, ...]
    required: bool

    @property
    def label(self) -> str:
        return " › ".join(self.titles)


def resolve(schema: Struct, key: str) -> Resolved:
    """The leaf field `key` names; `grids.id` means `grids[0].id`. Raises UsageError for anything else."""
    struct: Struct | None = schema
    names, titles, required = [], [], True
    tokens = key.strip().split(".")
    for position, token in enumerate(tokens):
        match = KEY_PART.match(token)
        if struct is None or not match:
            raise UsageError(f"{key}: 不是可填写的字段 (not a field)")
        name, index = match.group(1), match.group(2)
        spec = struct.fields.get(name)
        if spec is None:
            raise UsageError(
                f"{key}: 未知字段 {name}{nearest(name, struct.fields)}，可选：{'、'.join(struct.fields)} (unknown field)"
            )
        required = required and spec.required
        last = position == len(tokens) - 1
        kind_of = spec.type
        if isinstance(kind_of, ListOf) and isinstance(kind_of.item, Struct):
            number = int(index or 0)
            names.append(f"{name}[{number}]")
            titles.append(f"{spec.title} 第 {number + 1} 项")
            # an item beyond the first exists because someone is filling it in: its required fields count
            required = required or number > 0
            struct = kind_of.item
        elif index is not None:
            raise UsageError(f"{key}: {name} 不是列表，不能写 [{index}] (not a list)")
        elif isinstance(kind_of, Struct):
            names.append(name)
            titles.append(spec.title)
            struct = kind_of
        else:
            if not last:
                raise UsageError(f"{key}: {name} 下面没有字段 (has no sub-fields)")
            names.append(name)
            titles.append(spec.title)
            return Resolved(".".join(names), spec, tuple(titles), required)
        if last:
            example = ".".join([*names, next(iter(struct.fields))])
            raise UsageError(f"{key}: “{spec.title}”是一组字段，请逐项填写，如 {example}=… (a group: give its fields)")
    raise UsageError(f"{key}: 不是可填写的字段 (not a field)")


def parse_fields(kind: str, options: list[str]) -> dict[str, str]:
    """`["document.type=身份证", ...]` → `{"document.type": "身份证"}` under the checker's field names."""
    schema, given = SCHEMAS[kind], {}
    for option in options:
        key, equals, value = option.partition("=")
        if not equals:
            raise UsageError(f"--field {option}: 应写成 键=值，如 holder=张三 (expected key=value)")
        if key.strip() == "kind":
            raise UsageError("kind 由命令决定，不用填写 (kind is set by the command)")
        given[resolve(schema, key).key] = value.strip()
    return given


# ------------------------------------------------------------------ checking one answer

ANSWER_PATH = "<输入>"


def _plain(value: Any) -> Any:
    if isinstance(value, PhoneNumber):
        return value.text
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def check_answer(field_: Resolved, text: str, answers: dict[str, Any], today: dt.date) -> tuple[Any, list[str]]:
    """Convert one answer with the checker's own code; return (value to write, the checker's messages)."""
    ctx = Context(ANSWER_PATH, today)
    kind_of = field_.spec.type
    item_of = kind_of.item if isinstance(kind_of, ListOf) else kind_of
    ctx.problems.extend(
        validate.text_problems(ANSWER_PATH, (1, 1), field_.key, text, isinstance(item_of, Text) and item_of.multiline)
    )
    if isinstance(kind_of, ListOf):
        items = [item.strip() for item in LIST_SEPARATORS.split(text) if item.strip()]
        value = kind_of.convert(Sequence([Scalar(item, 1, 1) for item in items], 1, 1), ctx, field_.key)
    else:
        value = kind_of.convert(Scalar(text, 1, 1), ctx, field_.key)
    if not ctx.problems:
        value = _rules_for(field_.key, value, answers, ctx)
    if ctx.problems:
        return None, [f"{p.message} ({p.rule})" for p in ctx.problems]
    return _plain(value), []


def _rules_for(key: str, value: Any, answers: dict[str, Any], ctx: Context) -> Any:
    """The identifier and date-order checks `validate` applies to this field, run on this one answer.

    An ID number or credit code is written in the checker's normalised form (full-width digits,
    a lowercase x, zero-width spaces fixed)."""
    if key == "document.number" and answers.get("document.type"):
        document = validate._document({"type": answers["document.type"], "number": value}, ctx)
        return document.number if document else value
    if key == "credit_code":
        return validate._credit_code(value, ctx) or value
    if key in ("lost_on", "decided_on") and answers.get("published"):
        validate._check_dates({"published": answers["published"], key: value}, ctx)
    return value


def _required(field_: Resolved, answers: dict[str, Any]) -> bool:
    if field_.key == "document.number":
        return answers.get("document.type") not in validate.NUMBER_OPTIONAL
    return field_.required


def _missing_message(field_: Resolved, answers: dict[str, Any], today: dt.date) -> str:
    if field_.key == "document.number":
        ctx = Context(ANSWER_PATH, today)
        validate._document({"type": answers.get("document.type")}, ctx)
        if ctx.problems:
            return f"{ctx.problems[0].message} ({ctx.problems[0].rule})"
    return f"缺少必填字段“{field_.spec.title}” (missing required field) (field-required)"


# ------------------------------------------------------------------ questions


def question(field_: Resolved, required: bool, default: str | None) -> str:
    """The prompt: the schema's Chinese title and description, the allowed form, required or not."""
    spec = field_.spec
    text = field_.label
    if spec.description:
        text += f"（{spec.description}）"
    if isinstance(spec.type, ListOf):
        text += "，多项用顿号“、”或逗号分隔"
    elif not isinstance(spec.type, Text):
        text += f"，{spec.type.describe()}"
    if default is not None:
        text += f" [直接回车 = {default}]"
    elif required:
        text += " [必填]"
    else:
        text += " [选填，直接回车跳过]"
    return f"{text}\n{field_.key}: "


class Prompter:
    """Asks on `out`, reads answers from `stdin`; a terminal gets line editing through input()."""

    def __init__(self, stdin: TextIO, out: TextIO, err: TextIO):
        self.stdin, self.out, self.err = stdin, out, err
        self.terminal = stdin is sys.stdin and stdin.isatty()

    def ask(self, prompt: str) -> str:
        try:
            if self.terminal:
                return input(prompt).strip()
            self.out.write(prompt)
            self.out.flush()
            line = self.stdin.readline()
        except (EOFError, KeyboardInterrupt):
            raise Aborted from None
        if not line:
            raise Aborted
        self.out.write(line if line.endswith("\n") else line + "\n")  # echo piped answers so the dialogue reads well
        return line.strip()

    def yes(self, prompt: str, default: bool) -> bool:
        while True:
            answer = self.ask(prompt).lower()
            if not answer:
                return default
            if answer in ("y", "yes", "是", "好"):
                return True
            if answer in ("n", "no", "否", "不"):
                return False
            print("请回答 y（是）或 n（否）(answer y or n)", file=self.err)


# ------------------------------------------------------------------ the document and its file


def assemble(schema: Struct, answers: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """The nested document, keys in schema order, from answers keyed by the checker's field names."""
    document: dict[str, Any] = {}
    for key, spec in schema.fields.items():
        full = prefix + key
        if isinstance(spec.type, Struct):
            inner = assemble(spec.type, answers, full + ".")
            if inner:
                document[key] = inner
        elif isinstance(spec.type, ListOf) and isinstance(spec.type.item, Struct):
            pattern = re.compile(re.escape(full) + r"\[(\d+)\]\.")
            indexes = sorted({int(m.group(1)) for k in answers if (m := pattern.match(k))})
            items = [assemble(spec.type.item, answers, f"{full}[{i}].") for i in indexes]
            if items:
                document[key] = items
        elif full in answers:
            document[key] = answers[full]
    return document


def _scalar(value: Any) -> str:
    """Dates, true/false and whole numbers plain; every text double-quoted, so YAML 1.1 never misreads it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, dt.date)):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    return json.dumps(str(value), ensure_ascii=False)


def _lines(document: dict[str, Any], indent: int):
    pad = " " * indent
    for key, value in document.items():
        if isinstance(value, dict):
            yield f"{pad}{key}:"
            yield from _lines(value, indent + 2)
        elif isinstance(value, list):
            yield f"{pad}{key}:"
            for item in value:
                if isinstance(item, dict):
                    inner = list(_lines(item, indent + 4))
                    inner[0] = f"{pad}  - {inner[0][indent + 4 :]}"
                    yield from inner
                else:
                    yield f"{pad}  - {_scalar(item)}"
        else:
            yield f"{pad}{key}: {_scalar(value)}"


def dump(document: dict[str, Any]) -> str:
    return "\n".join(_lines(document, 0)) + "\n"


def _slug(text: str, fallback: str) -> str:
    """A file-name part made from a field: never carrying an ID number (privacy rule), even when the
    field were to hold one (the checker refuses that field anyway)."""
    slug = str(text)
    while True:  # the slug may join digits a field kept apart (4301.0219… → 4301-0219…): cut again until none
        cut = slugs.slug(privacy.without_ids(slug), max_length=80, word_boundary=True)
        if cut == slug:
            return slug or fallback
        slug = cut


def target_path(notices: Path, kind: str, document: dict[str, Any], county_folders: dict[str, str]) -> Path:
    """Where the new file goes (before avoiding existing names)."""
    if kind == "town":
        parts = str(document.get("town", "")).split("/")
        county_path = "/".join(parts[:-1])
        county = county_folders.get(county_path) or _slug(parts[-2] if len(parts) > 1 else "", "county")
        return notices / "contacts" / county / f"{_slug(parts[-1], 'town')}.yaml"
    published = document["published"]
    if kind == "lost-document":
        name = f"{published.isoformat()}-{_slug(document['holder'], 'holder')}-{_slug(document['document']['type'], 'document')}"
        return notices / "lost" / str(published.year) / f"{_slug(name, 'notice')}.yaml"  # no ID across the joins either
    name = f"{published.isoformat()}-{_slug(document['organization'], 'organization')}"
    return notices / "deregistration" / str(published.year) / f"{_slug(name, 'notice')}.yaml"


def with_reference(document: dict[str, Any], kind: str, below: str, checked: validate.Checked) -> dict[str, Any]:
    """`document` with its reference number (公告编号) right after `kind`: the number the checker would derive
    for a file at `below` (its path below notices/), now written in, so it survives a later rename."""
    if kind == "town" or "reference" in document:
        return document
    codes = validate.region_codes(checked.portal)
    number = reference.derive(
        kind, document["published"].year, below, reference.county_code(document.get("region"), codes)
    )
    return {"kind": document["kind"], "reference": number, **{k: v for k, v in document.items() if k != "kind"}}


def free_path(path: Path) -> Path:
    """`path`, or `path` with -2, -3, … before the suffix: never an existing file."""
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate


def county_folders(checked: validate.Checked) -> dict[str, str]:
    """`衡阳市/衡东县` → the folder its towns already live in (`hengdong`), so a county keeps one folder."""
    folders: dict[str, str] = {}
    for town in sorted(checked.portal.towns, key=lambda t: t.source.path):
        folders.setdefault(town.path.rpartition("/")[0], Path(town.source.path).parent.name)
    return folders


def new_problems(
    loaded: Loaded, baseline: set[Problem], notices: Path, target: Path, text: str, today: dt.date
) -> list[Problem]:
    """Check the data set with the new file added (in memory); return the problems the new file brings."""
    path = display_path(target)
    root, problems = parse(text, path)
    files = [*loaded.files, SourceFile(path, root, target.relative_to(notices).parts)]
    checked = validate.check(Loaded(files, [*loaded.problems, *problems], loaded.images), display_path(notices), today)
    return [p for p in checked.problems if p not in baseline]


# ------------------------------------------------------------------ the command


class _Session:
    def __init__(self, opts: NewOptions, given: dict[str, str], prompter: Prompter | None, err: TextIO):
        self.opts, self.given, self.prompter, self.err = opts, given, prompter, err
        self.schema = SCHEMAS[opts.kind]
        self.answers: dict[str, Any] = {} if opts.kind == "town" else {"kind": opts.kind}
        self.missing: list[Resolved] = []
        self.invalid = 0
        self.done: set[str] = set()  # keys already answered, skipped or refused

    def fill(self, keys) -> None:
        for key in keys:
            self.answer(resolve(self.schema, key))

    def answer(self, field_: Resolved, again: bool = False) -> None:
        if field_.key in self.done and not again:
            return
        self.done.add(field_.key)
        when = ASK_WHEN.get(field_.key)
        if when and not when(self.answers) and field_.key not in self.given:
            return
        if field_.key in self.given and not again:
            value, messages = check_answer(field_, self.given[field_.key], self.answers, self.opts.today)
            if not messages:
                self.answers[field_.key] = value
                return
            for message in messages:
                print(shown(f"--field {field_.key}={self.given[field_.key]}: {message}"), file=self.err)
            if self.prompter is None:
                self.invalid += 1
                return
        elif self.prompter is None:
            if _required(field_, self.answers):
                self.missing.append(field_)
            return
        self.ask(field_)

    def ask(self, field_: Resolved) -> None:
        required = _required(field_, self.answers)
        default = self.opts.today.isoformat() if field_.key in TODAY_DEFAULT else None
        assert self.prompter is not None, "asking needs a prompter (never with --yes)"
        while True:
            text = self.prompter.ask(question(field_, required, default))
            if not text and default:
                text = default
            if not text:
                if not required:
                    self.answers.pop(field_.key, None)
                    return
                print(f"  ✗ {_missing_message(field_, self.answers, self.opts.today)}", file=self.err)
                continue
            value, messages = check_answer(field_, text, self.answers, self.opts.today)
            if not messages:
                self.answers[field_.key] = value
                return
            for message in messages:
                print(shown(f"  ✗ {message}"), file=self.err)

    def fill_all(self) -> None:
        kind = self.opts.kind
        self.fill(QUESTIONS[kind])
        if kind == "town":
            given_grids = {int(m.group(1)) for k in self.given if (m := re.match(r"grids\[(\d+)\]\.", k))}
            count = max(given_grids, default=0) + 1
            for number in range(count):
                self.fill(f"grids[{number}].{key}" for key in GRID_QUESTIONS)
            while self.prompter and self.prompter.yes("再添加一个网格吗？(y/N) (add another grid?) ", False):
                self.fill(f"grids[{count}].{key}" for key in GRID_QUESTIONS)
                count += 1
        self.fill(self.given)  # any other field given with --field, checked the same way


def run(opts: NewOptions, stdin: TextIO | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    stdin, out, err = stdin or sys.stdin, out or sys.stdout, err or sys.stderr
    notices = opts.notices
    if not notices.is_dir():
        print(f"{notices}: 找不到公告文件夹 (notices folder not found)", file=err)
        return EXIT_PROBLEMS
    try:
        given = parse_fields(opts.kind, opts.fields)
    except UsageError as exc:
        print(shown(f"error: {exc}"), file=err)
        return EXIT_USAGE
    ask = stdin.isatty() if opts.ask is None else opts.ask
    session = _Session(opts, given, Prompter(stdin, out, err) if ask else None, err)
    try:
        return _create(session, notices, out, err)
    except Aborted:
        print("\n输入已结束，没有写入文件 (input ended: nothing written)", file=err)
        return EXIT_PROBLEMS


def _create(session: _Session, notices: Path, out: TextIO, err: TextIO) -> int:
    opts = session.opts
    if session.prompter:
        print(f"新建 {opts.kind}：逐项回答，每个回答都会立即检查 (each answer is checked as you type)", file=out)
    session.fill_all()
    if session.missing or session.invalid:
        if session.missing:
            listed = "、".join(f"{f.key}（{f.label}）" for f in session.missing)
            print(f"缺少必填字段：{listed} (missing required fields; give them with --field key=value)", file=err)
        print("没有写入文件 (nothing written)", file=err)
        return EXIT_PROBLEMS

    loaded = load_tree(notices.resolve())
    checked = validate.check(loaded, display_path(notices.resolve()), opts.today)
    baseline = set(checked.problems)
    folders = county_folders(checked)
    while True:
        document = assemble(session.schema, session.answers)
        target = free_path(target_path(notices.resolve(), opts.kind, document, folders))
        document = with_reference(document, opts.kind, target.relative_to(notices.resolve()).as_posix(), checked)
        text = dump(document)
        found = new_problems(loaded, baseline, notices.resolve(), target, text, opts.today)
        for warning in (p for p in found if p.level != "error"):  # CI's --strict decides on these
            print(warning.format(), file=err)
        problems = [p for p in found if p.level == "error"]
        if not problems:
            break
        here = display_path(target)
        for problem in sorted(problems, key=lambda p: (p.path != here, p)):
            if problem.path != here:
                print("新文件与已有文件冲突 (the new file conflicts with an existing one):", file=err)
            print(problem.format(), file=err)
        fixable = [p.field for p in problems if p.field in session.answers]
        if session.prompter is None or len(fixable) < len(problems):
            print(
                "新文件与现有数据一起检查未通过，没有写入文件 (the new file does not pass the check: nothing written)",
                file=err,
            )
            return EXIT_PROBLEMS
        print("请修改以上字段 (please correct the fields above)", file=err)
        for key in dict.fromkeys(fixable):
            session.answer(resolve(session.schema, key), again=True)

    if session.prompter:
        print(f"\n将写入 {display_path(target)}：\n\n{text}", file=out)
        if not session.prompter.yes("确认写入吗？(Y/n) (write it?) ", True):
            print("没有写入文件 (nothing written)", file=err)
            return EXIT_PROBLEMS
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("x", encoding="utf-8", newline="\n") as handle:  # "x": never replaces a file
        handle.write(text)
    print(f"已写入 {display_path(target)} (written)", file=out)
    if baseline:
        print(f"注意：其他文件已有 {len(baseline)} 个问题 (note: other files already have problems)", file=err)
    print("提交前请运行 portal check（或 make check）检查全部数据 (run portal check before committing)", file=out)
    return EXIT_OK
