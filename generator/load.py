"""Stage 1: read every YAML file under the notices folder into position-keeping nodes.

Every scalar is kept as the exact text the staff member wrote (the schema
converts it on purpose later); anchors, aliases, duplicate keys and files that
are not UTF-8 are refused with a problem that names the file, line and column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .problems import Problem

NULLS = {"", "~", "null", "Null", "NULL"}
YAML_SUFFIXES = {".yaml", ".yml"}


@dataclass
class Scalar:
    """A scalar exactly as written; `value` is None for an empty or `~` plain scalar."""

    value: str | None
    line: int
    column: int


@dataclass
class Entry:
    """One `key: value` pair of a mapping, with the position of its key."""

    key: str
    line: int
    column: int
    node: "Node"


@dataclass
class Mapping:
    entries: dict[str, Entry]
    line: int
    column: int


@dataclass
class Sequence:
    items: list["Node"]
    line: int
    column: int


Node = Scalar | Mapping | Sequence


@dataclass
class SourceFile:
    """One YAML file: the path problems name, its place below the notices folder, and its root node."""

    path: str
    root: Node | None
    parts: tuple[str, ...] = ()


@dataclass
class Loaded:
    files: list[SourceFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class _Refused(Exception):
    def __init__(self, mark, message: str, rule: str):
        super().__init__(message)
        self.mark = mark
        self.message = message
        self.rule = rule


class _StrictLoader(yaml.SafeLoader):
    """Composes nodes only; refuses anchors and aliases before anything can expand."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(event.start_mark, f"不允许使用别名 *{event.anchor}，请直接写出内容 (aliases are not allowed)", "yaml-alias")
        if getattr(event, "anchor", None):
            raise _Refused(event.start_mark, f"不允许使用锚点 &{event.anchor} (anchors are not allowed)", "yaml-alias")
        return super().compose_node(parent, index)


def decode(data: bytes) -> tuple[str | None, str | None]:
    """Return (text, None) for UTF-8 input, else (None, message)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        hint = ""
        try:
            data.decode("gb18030")
            hint = "，看起来是 GBK/GB18030 编码，请用编辑器另存为 UTF-8 (looks like GBK: save as UTF-8)"
        except UnicodeDecodeError:
            pass
        return None, f"文件不是 UTF-8 编码（第 {exc.start + 1} 个字节）{hint} (file is not UTF-8)"


if hasattr(yaml, "CSafeLoader"):
    class _FastLoader(yaml.CSafeLoader):
        """libyaml's composer without implicit tag resolution: every scalar is read as a string anyway."""

        def resolve(self, kind, value, implicit):
            return self.DEFAULT_SCALAR_TAG if kind is yaml.ScalarNode else self.DEFAULT_MAPPING_TAG

        def descend_resolver(self, current_node, current_index):
            """No path-based resolvers are registered, so there is no path to follow (called for every node)."""

        def ascend_resolver(self):
            """See descend_resolver."""

    _FAST = _FastLoader
else:  # pragma: no cover - PyYAML built without libyaml
    _FAST = None


def parse(text: str, path: str) -> tuple[Node | None, list[Problem]]:
    """Compose one YAML document into nodes; every problem comes back as a Problem.

    libyaml composes ten times faster than PyYAML's pure-Python parser. It is used
    for the common file with no `&` or `*` anywhere (so no anchor or alias can be
    in it) that parses cleanly; anything else takes the pure-Python path, which
    refuses anchors and aliases before they expand and words every error the same way.
    """
    if _FAST is not None and "&" not in text and "*" not in text:
        try:
            raw = yaml.compose(text, Loader=_FAST)
        except (yaml.YAMLError, RecursionError):
            raw = None
        else:
            if raw is None:
                return None, [Problem(path, 1, 1, "", "文件是空的 (empty file)", "yaml-empty")]
            try:
                problems: list[Problem] = []
                return _convert(raw, path, problems), problems
            except RecursionError:
                return None, [Problem(path, 1, 1, "", "YAML 嵌套层数太多 (YAML is nested too deeply)", "yaml-syntax")]
    try:
        loader = _StrictLoader(text)
        try:
            raw = loader.get_single_node()
        finally:
            loader.dispose()
    except _Refused as exc:
        return None, [_at(path, exc.mark, "", exc.message, exc.rule)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = f"YAML 格式错误：{exc.problem or exc.context} (YAML syntax error)"
        return None, [_at(path, mark, "", message, "yaml-syntax")]
    except yaml.reader.ReaderError as exc:  # a control character the YAML reader refuses
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - text.rfind("\n", 0, exc.position)
        return None, [Problem(path, line, column, "", f"YAML 无法读取：不允许的控制字符 U+{exc.character:04X} "
                              f"(special character U+{exc.character:04X} is not allowed)", "yaml-syntax")]
    except yaml.YAMLError as exc:
        return None, [Problem(path, 1, 1, "", f"YAML 无法读取：{exc} (unreadable YAML)", "yaml-syntax")]
    except RecursionError:
        return None, [Problem(path, 1, 1, "", "YAML 嵌套层数太多 (YAML is nested too deeply)", "yaml-syntax")]
    if raw is None:
        return None, [Problem(path, 1, 1, "", "文件是空的 (empty file)", "yaml-empty")]
    problems: list[Problem] = []
    try:
        return _convert(raw, path, problems), problems
    except RecursionError:
        return None, [Problem(path, 1, 1, "", "YAML 嵌套层数太多 (YAML is nested too deeply)", "yaml-syntax")]


def _at(path: str, mark, field_name: str, message: str, rule: str) -> Problem:
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return Problem(path, line, column, field_name, message, rule)


def _convert(node: yaml.Node, path: str, problems: list[Problem]) -> Node:
    line, column = node.start_mark.line + 1, node.start_mark.column + 1
    if isinstance(node, yaml.ScalarNode):
        value = node.value
        if not node.style and value in NULLS:  # plain style: None from PyYAML, "" from libyaml
            value = None
        return Scalar(value, line, column)
    if isinstance(node, yaml.SequenceNode):
        return Sequence([_convert(item, path, problems) for item in node.value], line, column)
    entries: dict[str, Entry] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            problems.append(_at(path, key_node.start_mark, "", "键必须是简单文字 (keys must be plain text)", "yaml-key"))
            continue
        key = key_node.value
        if key in entries:
            first = entries[key]
            problems.append(_at(path, key_node.start_mark, key,
                                f"键重复，第 {first.line} 行已经写过 (duplicate key, first at line {first.line})",
                                "yaml-duplicate-key"))
            continue
        entries[key] = Entry(key, key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                             _convert(value_node, path, problems))
    return Mapping(entries, line, column)


def display_path(file: Path) -> str:
    """The path as staff and CI see it: relative to the working directory when below it (as in a repository)."""
    return display_paths([file])[0]


def display_paths(files: list[Path]) -> list[str]:
    """`display_path` of each file, the working directory looked up once (35,000 files at province scale)."""
    here = Path.cwd().as_posix()
    below = here.rstrip("/") + "/"
    texts = [file.absolute().as_posix() for file in files]
    return ["." if text == here else text[len(below):] if text.startswith(below) else text for text in texts]


def yaml_files(notices_dir: Path) -> list[Path]:
    """Every YAML file below the notices folder, in a stable order."""
    return sorted(p for p in notices_dir.rglob("*") if p.is_file() and p.suffix in YAML_SUFFIXES)


def load_file(file: Path, notices_dir: Path, data: bytes | None = None) -> tuple[SourceFile | None, list[Problem]]:
    """Read (unless its bytes are given), decode and compose one file."""
    path = display_path(file)
    text, error = decode(file.read_bytes() if data is None else data)
    if error:
        return None, [Problem(path, 1, 1, "", error, "file-encoding")]
    root, problems = parse(text, path)
    return SourceFile(path, root, file.relative_to(notices_dir).parts), problems


def load_tree(notices_dir: Path) -> Loaded:
    """Read every YAML file below `notices_dir`, in a stable order."""
    loaded = Loaded()
    for file in yaml_files(notices_dir):
        source, problems = load_file(file, notices_dir)
        loaded.problems.extend(problems)
        if source is not None:
            loaded.files.append(source)
    return loaded
