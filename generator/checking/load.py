"""Stage 1: read every YAML file under the notices folder into position-keeping nodes.

Every scalar is kept as the exact text the staff member wrote (the schema
converts it on purpose later); anchors, aliases, duplicate keys and files that
are not UTF-8 are refused with a problem that names the file, line and column.
Nothing outside the folder is read: a symbolic link anywhere below it is refused,
never followed. Every file is read within the limits of limits.py.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG

import yaml

from .limits import IMAGE_SUFFIXES, MAX_DEPTH, MAX_FILE_BYTES, MAX_ITEMS, MAX_TEXT_CHARS, MAX_VALUES, megabytes
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
    node: Node


@dataclass
class Mapping:
    entries: dict[str, Entry]
    line: int
    column: int


@dataclass
class Sequence:
    items: list[Node]
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
    images: set[str] | None = None  # "images/<name>" of every image that may be published (see `scan`)


class _Refused(Exception):
    def __init__(self, mark, message: str, rule: str):
        super().__init__(message)
        self.mark = mark
        self.message = message
        self.rule = rule


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


_C_LOADER = getattr(yaml, "CSafeLoader", None)  # None: PyYAML built without libyaml


def parse(text: str, path: str) -> tuple[Node | None, list[Problem]]:
    """Compose one YAML document into nodes; every problem comes back as a Problem.

    The nodes are built here from the parser's event stream, with an explicit stack: libyaml's
    parser keeps no C stack per level (PyYAML's own C composer does, and crashes near 30,000
    levels), so the limits of limits.py are counted before anything deeper or longer is built,
    anchors and aliases are refused before they could expand, and the file stops being read
    at the first limit passed. libyaml reads every file (PyYAML's pure-Python parser took 99 s
    to find a typo at the end of a province's regions.yaml); the pure-Python one only text
    libyaml cannot take (a lone surrogate, which only a command line can hold) or when PyYAML
    was built without libyaml.
    """
    try:
        return _parse_with(_C_LOADER or yaml.SafeLoader, text, path)
    except UnicodeEncodeError:
        return _parse_with(yaml.SafeLoader, text, path)


def _parse_with(loader, text: str, path: str) -> tuple[Node | None, list[Problem]]:
    try:
        return _compose(yaml.parse(text, Loader=loader), path)
    except _Refused as exc:
        return None, [_at(path, exc.mark, "", exc.message, exc.rule)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = f"YAML 格式错误：{exc.problem or exc.context} (YAML syntax error)"
        return None, [_at(path, mark, "", message, "yaml-syntax")]
    except yaml.reader.ReaderError as exc:  # a control character the YAML reader refuses
        position = exc.position
        if loader is not yaml.SafeLoader:  # libyaml counts bytes of UTF-8
            position = len(text.encode("utf-8")[:position].decode("utf-8", "ignore"))
        line = text.count("\n", 0, position) + 1
        column = position - text.rfind("\n", 0, position)
        return None, [
            Problem(
                path,
                line,
                column,
                "",
                f"YAML 无法读取：不允许的控制字符 U+{exc.character:04X} "
                f"(special character U+{exc.character:04X} is not allowed)",
                "yaml-syntax",
            )
        ]
    except yaml.YAMLError as exc:
        return None, [Problem(path, 1, 1, "", f"YAML 无法读取：{exc} (unreadable YAML)", "yaml-syntax")]


def _at(path: str, mark, field_name: str, message: str, rule: str) -> Problem:
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return Problem(path, line, column, field_name, message, rule)


_KEY = object()  # the mapping waits for its next key
_BAD_KEY = object()  # a key that is a list or mapping is being read: it and its value are dropped
_DROP = object()  # the next value is dropped (its key was refused or repeated)


def _limit(mark, message: str) -> _Refused:
    return _Refused(mark, message, "input-limit")


def _compose(events, path: str) -> tuple[Node | None, list[Problem]]:
    """Nodes from a parser's events: each open list or mapping is a [node, state] pair on `stack`
    (state: None for a list; for a mapping `_KEY`, `_BAD_KEY`, `_DROP` or the (key, line, column)
    waiting for its value)."""
    problems: list[Problem] = []
    stack: list[list] = []
    root: Node | None = None
    values = 0
    documents = 0
    for event in events:
        kind = type(event)
        if kind is yaml.AliasEvent:
            raise _Refused(
                event.start_mark,
                f"不允许使用别名 *{event.anchor}，请直接写出内容 (aliases are not allowed)",
                "yaml-alias",
            )
        if kind is yaml.SequenceEndEvent or kind is yaml.MappingEndEvent:
            stack.pop()
            if stack and stack[-1][1] is _BAD_KEY:
                stack[-1][1] = _DROP
            continue
        if kind is yaml.DocumentStartEvent:
            if documents:
                raise _Refused(
                    event.start_mark,
                    "YAML 格式错误：一个文件只能有一个文档，去掉 --- 这一行 (YAML syntax error: one document per file)",
                    "yaml-syntax",
                )
            documents += 1
            continue
        if kind is not yaml.ScalarEvent and kind is not yaml.SequenceStartEvent and kind is not yaml.MappingStartEvent:
            continue  # stream and document ends
        mark = event.start_mark
        if event.anchor:
            raise _Refused(mark, f"不允许使用锚点 &{event.anchor} (anchors are not allowed)", "yaml-alias")
        values += 1
        if values > MAX_VALUES:
            raise _limit(
                mark, f"文件中的值超过 {MAX_VALUES:,} 个，请拆分 (more than {MAX_VALUES:,} values in one file)"
            )
        top = stack[-1] if stack else None
        line, column = mark.line + 1, mark.column + 1
        if kind is yaml.ScalarEvent:
            text = event.value
            if len(text) > MAX_TEXT_CHARS:
                raise _limit(
                    mark,
                    f"这个值有 {len(text):,} 个字符，上限 {MAX_TEXT_CHARS:,} 个 "
                    f"(a value longer than {MAX_TEXT_CHARS:,} characters)",
                )
            if top is not None and top[1] is _KEY:
                entries = top[0].entries
                if text in entries:
                    first = entries[text]
                    problems.append(
                        Problem(
                            path,
                            line,
                            column,
                            text,
                            f"键重复，第 {first.line} 行已经写过 (duplicate key, first at line {first.line})",
                            "yaml-duplicate-key",
                        )
                    )
                    top[1] = _DROP
                elif len(entries) >= MAX_ITEMS:
                    raise _limit(
                        mark, f"一组“键: 值”超过 {MAX_ITEMS:,} 项 (more than {MAX_ITEMS:,} keys in one mapping)"
                    )
                else:
                    top[1] = (text, line, column)
                continue
            node: Node = Scalar(None if not event.style and text in NULLS else text, line, column)
        else:
            if len(stack) >= MAX_DEPTH:
                raise _limit(mark, f"列表和“键: 值”嵌套超过 {MAX_DEPTH} 层 (nested more than {MAX_DEPTH} levels deep)")
            node = Mapping({}, line, column) if kind is yaml.MappingStartEvent else Sequence([], line, column)
        if top is None:
            root = node
        elif top[1] is _KEY:  # a list or mapping as a key
            problems.append(Problem(path, line, column, "", "键必须是简单文字 (keys must be plain text)", "yaml-key"))
            top[1] = _BAD_KEY
        elif top[1] is _DROP:
            top[1] = _KEY
        elif isinstance(top[0], Sequence):
            items = top[0].items
            if len(items) >= MAX_ITEMS:
                raise _limit(mark, f"列表超过 {MAX_ITEMS:,} 项 (more than {MAX_ITEMS:,} items in one list)")
            items.append(node)
        else:
            key, key_line, key_column = top[1]
            top[0].entries[key] = Entry(key, key_line, key_column, node)
            top[1] = _KEY
        if kind is not yaml.ScalarEvent:
            stack.append([node, _KEY if kind is yaml.MappingStartEvent else None])
    if root is None:
        return None, [Problem(path, 1, 1, "", "文件是空的 (empty file)", "yaml-empty")]
    return root, problems


def display_path(file: Path) -> str:
    """The path as staff and CI see it: relative to the working directory when below it (as in a repository)."""
    return display_paths([file])[0]


def display_paths(files: list[Path]) -> list[str]:
    """`display_path` of each file, the working directory looked up once (35,000 files at province scale)."""
    here = Path.cwd().as_posix()
    below = here.rstrip("/") + "/"
    texts = [file.absolute().as_posix() for file in files]
    return ["." if text == here else text[len(below) :] if text.startswith(below) else text for text in texts]


@dataclass
class Tree:
    """What the notices folder holds, found without following a symbolic link."""

    yaml: list[Path] = field(default_factory=list)  # every YAML file, in a stable order
    images: set[str] = field(default_factory=set)  # "images/<name>" of every image below notices/images/
    problems: list[Problem] = field(default_factory=list)  # links, special files, non-images in images/


def walk(folder: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Every regular file below `folder`, and every entry refused (a symbolic link, anything not a
    file or folder) with why; no link is followed, and a linked folder is not entered."""
    files, refused = [], []
    pending = [folder] if folder.is_dir() else []
    while pending:
        here = pending.pop()
        try:
            listing = list(os.scandir(here))
        except OSError as exc:
            refused.append((here, f"无法读取文件夹：{exc.strerror} (cannot read the folder)"))
            continue
        for entry in listing:
            path = Path(entry.path)
            if entry.is_symlink():
                try:
                    target = os.readlink(path)
                except OSError:
                    target = "?"
                refused.append(
                    (
                        path,
                        f"不允许符号链接（快捷方式），它指向 {target!r}；请把文件本身放进来 "
                        "(symbolic links are not allowed and are never followed)",
                    )
                )
            elif entry.is_dir(follow_symlinks=False):
                pending.append(path)
            elif entry.is_file(follow_symlinks=False):
                files.append(path)
            else:
                refused.append((path, "不是普通文件（管道、设备等），不允许 (not a regular file)"))
    return sorted(files), sorted(refused)


def is_image(name: str) -> bool:
    return name.lower().endswith(IMAGE_SUFFIXES)


def _image(path: Path, notices_dir: Path) -> tuple[str | None, Problem | None]:
    """("images/<name>", None) for a regular file in notices/images/ that may be published; else
    (None, why), or (None, None) for a hidden file or folder (.gitkeep), which is left where it is."""
    if any(part.startswith(".") for part in path.relative_to(notices_dir).parts):
        return None, None
    if not is_image(path.name):
        return None, Problem(
            display_path(path),
            1,
            1,
            "",
            (
                f"notices/images/ 里只放图片（{'、'.join(IMAGE_SUFFIXES)}），这个文件不会发布 "
                "(only images belong in notices/images/)"
            ),
            "file-location",
        )
    size = path.lstat().st_size
    if size > MAX_FILE_BYTES:
        return None, Problem(
            display_path(path),
            1,
            1,
            "",
            (
                f"图片太大：{megabytes(size)}，上限 {megabytes(MAX_FILE_BYTES)} (image larger than {megabytes(MAX_FILE_BYTES)})"
            ),
            "input-limit",
        )
    return path.relative_to(notices_dir).as_posix(), None


def scan(notices_dir: Path) -> Tree:
    """The YAML files and images below the notices folder; a link or special file anywhere below it
    (the folder itself may be one) is a problem, and what it points at is never read."""
    tree = Tree()
    files, refused = walk(notices_dir)
    for path, why in refused:
        tree.problems.append(Problem(display_path(path), 1, 1, "", why, "file-symlink"))
    images = notices_dir / "images"
    for path in files:
        if path.suffix in YAML_SUFFIXES:
            tree.yaml.append(path)
        elif path.is_relative_to(images):
            name, problem = _image(path, notices_dir)
            if name:
                tree.images.add(name)
            if problem:
                tree.problems.append(problem)
    return tree


def read_input(file: Path) -> tuple[bytes, Problem | None]:
    """A data file's bytes, or (b"", the reason) for a file that is a link, not a regular file or
    larger than MAX_FILE_BYTES: the size is known before a byte is read, and a link is not followed
    even if one took the file's place after the folder was scanned."""
    try:
        handle = os.open(file, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        return b"", Problem(
            display_path(file), 1, 1, "", f"无法读取文件：{exc.strerror} (cannot read the file)", "file-symlink"
        )
    with os.fdopen(handle, "rb") as stream:
        stat = os.fstat(stream.fileno())
        if not S_ISREG(stat.st_mode):
            return b"", Problem(
                display_path(file), 1, 1, "", "不是普通文件，不允许 (not a regular file)", "file-symlink"
            )
        if stat.st_size > MAX_FILE_BYTES:
            return b"", Problem(
                display_path(file),
                1,
                1,
                "",
                (
                    f"文件太大：{megabytes(stat.st_size)}，上限 {megabytes(MAX_FILE_BYTES)}，请拆分或删减 "
                    f"(file larger than {megabytes(MAX_FILE_BYTES)})"
                ),
                "input-limit",
            )
        data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:  # it grew while being read
        return b"", Problem(
            display_path(file),
            1,
            1,
            "",
            f"文件太大，上限 {megabytes(MAX_FILE_BYTES)} (file larger than {megabytes(MAX_FILE_BYTES)})",
            "input-limit",
        )
    return data, None


def load_file(file: Path, notices_dir: Path, data: bytes | None = None) -> tuple[SourceFile | None, list[Problem]]:
    """Read (unless its bytes are given), decode and compose one file."""
    path = display_path(file)
    if data is None:
        data, refused = read_input(file)
        if refused:
            return None, [refused]
    text, error = decode(data)
    if text is None:
        return None, [Problem(path, 1, 1, "", error or "", "file-encoding")]
    root, problems = parse(text, path)
    return SourceFile(path, root, file.relative_to(notices_dir).parts), problems


def load_tree(notices_dir: Path) -> Loaded:
    """Read every YAML file below `notices_dir`, in a stable order."""
    tree = scan(notices_dir)
    loaded = Loaded(problems=list(tree.problems), images=tree.images)
    for file in tree.yaml:
        source, problems = load_file(file, notices_dir)
        loaded.problems.extend(problems)
        if source is not None:
            loaded.files.append(source)
    return loaded


def copy_images(notices_dir: Path, target: Path) -> None:
    """Copy every image `scan` accepts (notices/images/x.png → target/x.png) byte by byte: a link is
    never copied or followed, and neither is a folder that is one."""
    images = notices_dir / "images"
    if images.is_symlink() or not images.is_dir():
        return
    for path in walk(images)[0]:
        name = _image(path, notices_dir)[0]
        data, refused = read_input(path) if name else (b"", None)
        if name and not refused:
            out = target / path.relative_to(images)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
