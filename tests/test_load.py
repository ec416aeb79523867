"""The loader: exact text for every scalar, positions, and refusals instead of tracebacks."""

from __future__ import annotations

import os
import re
import subprocess
import tracemalloc

import pytest
from conftest import TODAY
from test_cli import PORTAL

from generator.checking.limits import MAX_DEPTH
from generator.checking.load import Mapping, Scalar, Sequence, copy_images, decode, load_tree, parse, read_input
from generator.checking.rules import BASE

PATH = "notices/lost/2022/x.yaml"


def root_of(text: str):
    root, problems = parse(text, PATH)
    assert problems == [], problems
    return root


def value(text: str, key: str = "a"):
    return root_of(text).entries[key].node.value


def only(problems, rule):
    assert [p.rule for p in problems] == [rule], problems
    return problems[0]


# ------------------------------------------------------------------ scalars stay text


def test_leading_zero_number_keeps_its_exact_text():
    root = root_of("number: 05015202540\n")
    node = root.entries["number"].node
    assert node == Scalar("05015202540", 1, 9)


@pytest.mark.parametrize(
    "written",
    [
        "NO",
        "no",
        "yes",
        "Yes",
        "on",
        "off",
        "y",
        "n",
        "true",
        "False",
        "1e3",
        "0x10",
        "0o17",
        "017",
        "1_000",
        "3.14",
        ".inf",
        ".nan",
        "-0",
        "2022-06-20",
        "2022-06-20 10:00:00",
        "12:30:00",
        "=",
        "<<",
    ],
)
def test_plain_scalars_stay_strings(written):
    assert value(f"a: {written}\n") == written


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a:\n", None),
        ("a: ~\n", None),
        ("a: null\n", None),
        ('a: ""\n', ""),
        ("a: ''\n", ""),
        ('a: "~"\n', "~"),
        ('a: "null"\n', "null"),
        ("a: |\n  line one\n  # not a comment\n", "line one\n# not a comment\n"),
        ('a: "{{ x }}"\n', "{{ x }}"),
        ('a: "  spaced  "\n', "  spaced  "),
    ],
)
def test_empty_values_and_quoting(text, expected):
    assert value(text) == expected


def test_tags_do_not_change_the_text_or_run_anything():
    root = root_of("a: !!int 3\nb: !!python/object/apply:os.system [echo pwned]\nc: !!binary aGk=\n")
    assert root.entries["a"].node.value == "3"
    assert isinstance(root.entries["b"].node, Sequence)
    assert root.entries["b"].node.items[0].value == "echo pwned"
    assert root.entries["c"].node.value == "aGk="


def test_positions_are_one_based_and_point_at_keys_and_values():
    root = root_of('kind: lost-document\ndocument:\n  type: 身份证\n  number: "4301"\nlist:\n  - x\n  - y\n')
    assert isinstance(root, Mapping) and (root.line, root.column) == (1, 1)
    number = root.entries["document"].node.entries["number"]
    assert (number.line, number.column) == (4, 3)
    assert (number.node.line, number.node.column) == (4, 11)
    items = root.entries["list"].node.items
    assert [(i.value, i.line, i.column) for i in items] == [("x", 6, 5), ("y", 7, 5)]


def test_keys_keep_their_order():
    assert list(root_of("b: 1\na: 2\nc: 3\n").entries) == ["b", "a", "c"]


# ------------------------------------------------------------------ refusals


def test_duplicate_key_points_at_the_second_key():
    root, problems = parse("kind: lost-document\nholder: 甲\npublished: 2022-06-20\nholder: 乙\n", PATH)
    p = only(problems, "yaml-duplicate-key")
    assert (p.path, p.line, p.column, p.field) == (PATH, 4, 1, "holder")
    assert "第 2 行" in p.message
    assert root.entries["holder"].node.value == "甲"  # the first one is kept, the rest still checked


def test_duplicate_key_in_a_nested_flow_mapping():
    _, problems = parse("document: {type: 公章, type: 身份证}\n", PATH)
    p = only(problems, "yaml-duplicate-key")
    assert (p.line, p.column) == (1, 22)


def test_every_duplicate_key_is_reported():
    _, problems = parse("a: 1\na: 2\nb: {c: 1, c: 2}\n", PATH)
    assert [(p.rule, p.line) for p in problems] == [("yaml-duplicate-key", 2), ("yaml-duplicate-key", 3)]


@pytest.mark.parametrize(
    "text, line, column",
    [
        ("published: &d 2022-06-20\nlost_on: *d\n", 1, 12),
        ("a: 1\nb: *nothing\n", 2, 4),
        ("base: &base {a: 1}\nother:\n  <<: *base\n", 1, 7),
        ("- &x a\n- b\n", 1, 3),
    ],
)
def test_anchors_and_aliases_are_refused(text, line, column):
    root, problems = parse(text, PATH)
    assert root is None
    p = only(problems, "yaml-alias")
    assert (p.line, p.column) == (line, column)


def billion_laughs(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, levels + 1):
        lines.append(f"a{n}: &a{n} [" + ",".join([f"*a{n - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def peak_memory(function, *args):
    """What the call returns and the most memory it held at once: a bound that, unlike a time, does not
    depend on how busy the machine is."""
    tracemalloc.start()
    try:
        return function(*args), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_alias_bomb_is_refused_quickly():
    (root, problems), peak = peak_memory(parse, billion_laughs(), PATH)
    assert root is None
    assert only(problems, "yaml-alias").line == 1
    assert peak < 10 * 2**20  # expanding the bomb would take gigabytes (and minutes)


def test_alias_bomb_in_a_tree_is_refused_quickly(tmp_path):
    notices = tmp_path / "notices"
    (notices / "lost/2022").mkdir(parents=True)
    (notices / "lost/2022/bomb.yaml").write_text(billion_laughs(), encoding="utf-8")
    loaded, peak = peak_memory(load_tree, notices)
    assert peak < 10 * 2**20
    assert [p.rule for p in loaded.problems] == ["yaml-alias"]


def test_deep_nesting_is_a_problem_not_a_crash():
    _, problems = parse("a: " + "[" * 5000 + "]" * 5000 + "\n", PATH)
    p = only(problems, "input-limit")
    assert (p.path, p.line, p.column) == (PATH, 1, 4 + MAX_DEPTH - 1)  # the bracket one level too deep


@pytest.mark.parametrize(
    "text, line, column",
    [
        ("holder: [罗某某\n", 2, 1),  # unclosed flow sequence
        ("a: b: c\n", 1, 5),  # a colon inside a plain value
        ("a:\n  - b\n c\n", 3, 2),  # bad indentation
        ("\ta: 1\n", 1, 1),  # tab indentation
        ('a: "open\n', 2, 1),  # unclosed quote
        ("a: 1\n---\nb: 2\n", 2, 1),  # two documents in one file
        ("a: 1\nb: x\x07y\n", 2, 5),  # a control character
    ],
)
def test_syntax_errors_carry_line_and_column(text, line, column):
    root, problems = parse(text, PATH)
    assert root is None
    p = only(problems, "yaml-syntax")
    assert (p.path, p.line, p.column) == (PATH, line, column)
    assert "YAML" in p.message
    assert "Traceback" not in p.message


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "\ufeff"])
def test_empty_file(text):
    root, problems = parse(text, PATH)
    assert root is None
    assert only(problems, "yaml-empty").line == 1


def test_non_text_key_is_refused_and_the_rest_is_kept():
    root, problems = parse("[a, b]: 1\nc: 2\n", PATH)
    assert only(problems, "yaml-key").line == 1
    assert list(root.entries) == ["c"]


# ------------------------------------------------------------------ encodings

NOTICE = "kind: lost-document\nholder: 罗某某\npublished: 2022-06-20\n"


def test_utf8_is_decoded():
    assert decode(NOTICE.encode("utf-8")) == (NOTICE, None)


def test_utf8_bom_is_accepted():
    text, error = decode(b"\xef\xbb\xbf" + NOTICE.encode("utf-8"))
    assert error is None
    assert text == NOTICE
    assert list(root_of(text).entries)[0] == "kind"


def test_gbk_is_refused_with_a_hint():
    text, error = decode(NOTICE.encode("gbk"))
    assert text is None
    assert "GBK" in error
    assert "UTF-8" in error


@pytest.mark.parametrize(
    "data",
    [
        b"holder: \xff\xfe\xfd\n",
        b"holder: caf\xe9\n",  # Latin-1
        b"holder: \x80\n",
        NOTICE.encode("utf-16"),
    ],
)
def test_other_encodings_are_refused_without_the_gbk_hint(data):
    text, error = decode(data)
    assert text is None
    assert "UTF-8" in error
    assert "GBK" not in error


def write(notices, name, data: bytes):
    target = notices / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def test_load_tree_reports_encoding_problems_per_file_and_goes_on(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    notices = tmp_path / "notices"
    write(notices, "lost/2022/gbk.yaml", NOTICE.encode("gbk"))
    write(notices, "lost/2022/latin.yaml", b"holder: caf\xe9\n")
    write(notices, "lost/2022/bom.yaml", b"\xef\xbb\xbf" + NOTICE.encode("utf-8"))
    write(notices, "lost/2022/ok.yml", NOTICE.encode("utf-8"))
    loaded = load_tree(notices)
    assert [(p.path, p.line, p.column, p.rule) for p in loaded.problems] == [
        ("notices/lost/2022/gbk.yaml", 1, 1, "file-encoding"),
        ("notices/lost/2022/latin.yaml", 1, 1, "file-encoding"),
    ]
    assert "GBK" in loaded.problems[0].message
    assert "GBK" not in loaded.problems[1].message
    assert [f.path for f in loaded.files] == ["notices/lost/2022/bom.yaml", "notices/lost/2022/ok.yml"]
    assert all(isinstance(f.root, Mapping) for f in loaded.files)


def test_load_tree_reads_only_yaml_in_a_stable_order(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    notices = tmp_path / "notices"
    for name in ["regions.yaml", "lost/2022/b.yaml", "lost/2022/a.yaml", "contacts/x/y.yaml"]:
        write(notices, name, b"a: 1\n")
    write(notices, "images/qr.png", b"\x89PNG\r\n\x1a\n\xff")
    write(notices, "README.md", b"# notes\n")
    write(notices, "lost/2022/a.yaml.bak", b"\xff")
    loaded = load_tree(notices)
    assert loaded.problems == []
    assert [f.path for f in loaded.files] == [
        "notices/contacts/x/y.yaml",
        "notices/lost/2022/a.yaml",
        "notices/lost/2022/b.yaml",
        "notices/regions.yaml",
    ]


def test_every_file_is_read_even_after_broken_ones(tmp_path):
    notices = tmp_path / "notices"
    write(notices, "a.yaml", b"a: [\n")
    write(notices, "b.yaml", b"a: &x 1\n")
    write(notices, "c.yaml", b"a: 1\na: 2\n")
    write(notices, "d.yaml", b"")
    write(notices, "e.yaml", b"a: 1\n")
    loaded = load_tree(notices)
    assert [(p.path.rsplit("/", 1)[-1], p.rule) for p in loaded.problems] == [
        ("a.yaml", "yaml-syntax"),
        ("b.yaml", "yaml-alias"),
        ("c.yaml", "yaml-duplicate-key"),
        ("d.yaml", "yaml-empty"),
    ]
    assert loaded.files[-1].root.entries["a"].node.value == "1"


# ------------------------------------------------------------------ nothing from outside notices/

SECRET = "kind: lost-document\npublished: 2022-06-20\nholder: SECRET-HOLDER\ndocument: {type: 公章}\n"


def hostile_tree(tmp_path):
    """notices/ with a link in every place one could hide: a YAML file, a folder, an image, the images
    folder's own subfolder, and a pipe named like YAML; beside it, the files the links point at."""
    outside = tmp_path / "outside"
    (outside / "year").mkdir(parents=True)
    (outside / "secret.yaml").write_text(SECRET, encoding="utf-8")
    (outside / "year" / "x.yaml").write_text(SECRET, encoding="utf-8")
    (outside / "pictures").mkdir()
    (outside / "pictures" / "p.png").write_bytes(b"\x89PNG secret")
    notices = tmp_path / "notices"
    write(notices, "lost/2022/ok.yaml", NOTICE.encode())
    write(notices, "images/qr.png", b"\x89PNG\r\n\x1a\n")
    (notices / "lost/2022/link.yaml").symlink_to(outside / "secret.yaml")
    (notices / "lost/2021").symlink_to(outside / "year", target_is_directory=True)
    (notices / "images/env.png").symlink_to("/proc/self/environ")
    (notices / "images/more").symlink_to(outside / "pictures", target_is_directory=True)
    os.mkfifo(notices / "lost/2022/pipe.yaml")
    return notices


REFUSED = [
    "notices/images/env.png",
    "notices/images/more",
    "notices/lost/2021",
    "notices/lost/2022/link.yaml",
    "notices/lost/2022/pipe.yaml",
]


def test_links_and_pipes_anywhere_below_notices_are_refused_and_never_followed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    notices = hostile_tree(tmp_path)
    loaded = load_tree(notices)
    assert sorted((p.path, p.line, p.column, p.rule) for p in loaded.problems) == [
        (path, 1, 1, "file-symlink") for path in REFUSED
    ]
    assert [f.path for f in loaded.files] == ["notices/lost/2022/ok.yaml"]
    assert loaded.images == {"images/qr.png"}
    assert "/proc/self/environ" in next(p.message for p in loaded.problems if p.path.endswith("env.png"))


def test_the_checker_refuses_the_links_by_name(tmp_path):
    hostile_tree(tmp_path)
    write(tmp_path / "notices", "regions.yaml", BASE["regions.yaml"].encode())
    run = subprocess.run(
        [str(PORTAL), "check", "--no-cache", "--today", TODAY.isoformat()],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
    for path in REFUSED:
        assert re.search(rf"^{re.escape(path)}:1:1: error: .+ \(file-symlink\)$", run.stderr, re.M), run.stderr
    assert "SECRET" not in run.stdout + run.stderr


def test_a_link_that_takes_a_files_place_after_the_scan_is_not_read(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "secret.yaml").write_text(SECRET, encoding="utf-8")
    (tmp_path / "x.yaml").symlink_to(tmp_path / "secret.yaml")
    data, problem = read_input(tmp_path / "x.yaml")
    assert data == b"" and problem.rule == "file-symlink"


def test_images_are_copied_as_regular_files_only(tmp_path):
    notices = hostile_tree(tmp_path)
    write(notices, "images/towns/ganxi.webp", b"RIFF....WEBP")
    write(notices, "images/notes.txt", b"not an image")
    target = tmp_path / "docs" / "media" / "images"
    copy_images(notices, target)
    copied = sorted(p.relative_to(target).as_posix() for p in target.rglob("*"))
    assert copied == ["qr.png", "towns", "towns/ganxi.webp"]
    assert not any(p.is_symlink() for p in target.rglob("*"))
    assert (target / "qr.png").read_bytes() == b"\x89PNG\r\n\x1a\n"


def test_an_images_folder_that_is_a_link_is_not_copied(tmp_path):
    notices = tmp_path / "notices"
    notices.mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "a.png").write_bytes(b"\x89PNG")
    (notices / "images").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    copy_images(notices, tmp_path / "out")
    assert not (tmp_path / "out").exists()
