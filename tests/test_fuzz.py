"""Property tests (Hypothesis): the loader and the whole checker on random input.

Whatever a careless or hostile clerk commits, `portal check` must answer with problems, never an
exception; every problem names the file, a line ≥ 1 and a column ≥ 1; and nothing it prints carries
a raw control character (an ANSI escape or a right-to-left override would reach the clerk's terminal).

Two kinds of input:
- the loader (`load.parse`, `load.load_file`) on random bytes and on random YAML-ish text built from
  YAML punctuation, full-width digits, zero-width and bidirectional characters, control characters,
  long runs and nesting up to `MAX_DEPTH` deep (deeper documents are another test's business: libyaml
  itself overflows the C stack long before a file is big, so the loader refuses them before parsing);
- the whole check (`build.run_check`, the function `portal check` calls) on random `notices/` trees
  shaped like the data contract (regions, a town file, lost-document and deregistration notices),
  with random values in every field, random file names, and sometimes the file text cut or spliced;
  what it prints (`cli.report`, text and GitHub formats) is checked for raw control characters;
- trees that pass the check except that every free-text field (place, person and organisation
  names, grid ids, statements, file names) is random: whatever passes must render into pages whose
  addresses stay inside the site (this found `新/旧村`, a place name that passed the check and
  crashed the build).

The run is reproducible: examples are derived from the test's name (`derandomize`), and the counts
are fixed. `HYPOTHESIS_PROFILE=deep` runs ten times as many examples, randomly seeded
(`HYPOTHESIS_PROFILE=deep .venv/bin/python -m pytest tests/test_fuzz.py`); a failure found there is
printed with the `@reproduce_failure` line to paste above the test.

No test measures time: the bound on "answers in reasonable time" is the bounded size of every input
(a few kilobytes, a few hundred nodes), and Hypothesis' own deadline is off because a loaded
machine must not turn a slow example into a failure.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import tempfile
import unicodedata
from pathlib import Path, PurePosixPath

import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from generator.checking.load import Mapping, Scalar, Sequence, load_file, parse
from generator.checking.problems import Problem
from generator.cli import report
from generator.publishing.build import Options, failed, run_check
from generator.site.render import render

TODAY = dt.date(2026, 11, 23)
MAX_DEPTH = 60  # nesting the fuzzed loader input reaches (see the module docstring)

settings.register_profile(
    "ci",
    max_examples=300,
    derandomize=True,
    deadline=None,
    print_blob=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # shrinking can take minutes
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "deep",
    max_examples=3000,
    derandomize=False,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def examples(count: int) -> int:
    """`count` examples under the ci profile, scaled with the profile loaded (deep: ten times as many)."""
    return max(1, count * settings.default.max_examples // 300)


# ------------------------------------------------------------------ characters a clerk can type or paste

BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
FULL_WIDTH_DIGITS = "０１２３４５６７８９"
OTHER_DIGITS = "٠١٢٣٤٥٦٧٨٩۰۱۲३४५६७८९〇一二三"  # Arabic-Indic, Persian, Devanagari, CJK
CONTROLS = "".join(map(chr, range(0x20))) + "\x7f\x85\x9b\u2028\u2029"
YAML_PUNCTUATION = ":-?,[]{}#&*!|>'\"%@` \t\n\r"
CJK = "衡东县甘溪镇乌塘村新旧网格长身份证遗失声明作废公司协会（）：，。、／"

unusual = st.sampled_from(BIDI + ZERO_WIDTH + FULL_WIDTH_DIGITS + OTHER_DIGITS + CONTROLS + YAML_PUNCTUATION + CJK)
any_char = st.characters(codec="utf-8")  # every code point UTF-8 can carry (no lone surrogates)
chars = st.one_of(unusual, any_char, st.sampled_from("0123456789Xx-abcz /"))


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) == "Cc" or ch in BIDI or ch in "\u2028\u2029"


def raw_controls(text: str) -> list[str]:
    return [f"U+{ord(ch):04X}" for ch in text if _is_control(ch)]


# ------------------------------------------------------------------ values: plausible, hostile and random


def _id_number(body: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]


id_numbers = st.builds(
    lambda area, day, seq: _id_number(f"{area}{day:%Y%m%d}{seq:03d}"),
    st.sampled_from(["430424", "430105", "110101"]),
    st.dates(dt.date(1920, 1, 1), dt.date(2026, 1, 1)),
    st.integers(0, 999),
)


def disguise(number: str, how: int) -> str:
    """An ID number as a clerk may paste it: full-width, hyphenated, space-split, zero-width-split."""
    if how == 1:
        return number.translate(str.maketrans("0123456789X", FULL_WIDTH_DIGITS + "Ｘ"))
    if how == 2:
        return f"{number[:6]}-{number[6:14]}-{number[14:]}"
    if how == 3:
        return " ".join(number[i : i + 4] for i in range(0, 18, 4))
    if how == 4:
        return "\u200b".join(number)
    return number


short_text = st.text(chars, max_size=12)
plausible = st.one_of(
    st.sampled_from(
        [
            "",
            "~",
            "null",
            "yes",
            "no",
            "on",
            "0",
            "-1",
            "1e3",
            "0x1F",
            ".nan",
            "2022-02-30",
            "2022-06-20",
            "2099-01-01",
            "2026-11-30",
            "衡阳市/衡东县",
            "新/旧村",
            "..",
            "../..",
            "images/x.png",
            "/etc/passwd",
            "javascript:alert(1)",
            "<script>alert(1)</script>",
            "\x1b[31m红\x1b[0m",
            "\u202egnp.exe",
            "13973400001",
            "0734-5261234",
            "13٨٠٠٠٠١٢٣٤",
            "１３９７３４０００１",
            "51430421MJ1234561R",
            "身份证",
            "驾驶证",
            "户口簿",
            "其他",
            "lost-document",
            "deregistration",
            "active",
            "withdrawn",
        ]
    ),
    st.builds(disguise, id_numbers, st.integers(0, 4)),
    st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)).map(dt.date.isoformat),
    st.integers(-(10**20), 10**20).map(str),
)
long_text = st.builds(lambda s, n: s * n, st.text(chars, min_size=1, max_size=3), st.integers(100, 800))
text_value = st.one_of(plausible, short_text, st.text(chars, max_size=60), long_text)

# A YAML value: mostly a scalar, sometimes a list or mapping where a scalar belongs (and the reverse).
values = st.recursive(
    st.one_of(text_value, st.none(), st.integers(), st.booleans(), st.just(dt.date(2022, 6, 20))),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(short_text, inner, max_size=4)),
    max_leaves=8,
)


def maybe(field_values):
    """A field's value: usually one shaped for the field, sometimes anything at all."""
    return st.one_of(field_values, field_values, field_values, values)


def record(required: dict, optional: dict):
    """A mapping with every required key (each sometimes missing) and some optional ones, plus stray keys."""
    return st.builds(
        lambda req, opt, missing, extra: {**{k: v for k, v in req.items() if k not in missing}, **opt, **extra},
        st.fixed_dictionaries(required),
        st.fixed_dictionaries({}, optional=optional),
        st.sets(st.sampled_from(sorted(required)), max_size=2) if required else st.just(set()),
        st.dictionaries(short_text, values, max_size=1),
    )


person = record({"name": maybe(text_value), "phone": maybe(text_value)}, {})
region_names = st.one_of(st.sampled_from(["衡阳市", "衡东县", "甘溪镇", "乌塘村", "新/旧村", "长沙市"]), short_text)


@st.composite
def regions_and_paths(draw):
    """regions.yaml (a city, a county, a town, villages; names random) and the paths other files use."""
    city, county, town = draw(region_names), draw(region_names), draw(region_names)
    villages = draw(st.lists(region_names, max_size=3))
    tree = [
        {
            "name": city,
            "code": draw(maybe(st.just("430400"))),
            "children": [{"name": county, "children": [{"name": town, "children": villages}]}],
        }
    ]
    paths = [f"{city}/{county}", f"{city}/{county}/{town}", city]
    return draw(maybe(st.just(tree))), paths, villages


def lost_notice(paths):
    return record(
        {
            "kind": maybe(st.just("lost-document")),
            "published": maybe(plausible),
            "holder": maybe(text_value),
            "document": maybe(
                record(
                    {"type": maybe(plausible)}, {"number": maybe(text_value), "issuer": text_value, "name": text_value}
                )
            ),
        },
        {
            "region": maybe(st.sampled_from(paths)),
            "lost_on": maybe(plausible),
            "reissued": values,
            "statement": maybe(text_value),
            "legal_basis": text_value,
            "status": maybe(plausible),
            "withdrawn_reason": text_value,
        },
    )


def deregistration(paths):
    return record(
        {
            "kind": maybe(st.just("deregistration")),
            "published": maybe(plausible),
            "organization": maybe(text_value),
            "credit_code": maybe(plausible),
            "decided_on": maybe(plausible),
            "decided_by": text_value,
            "contact": maybe(person),
        },
        {
            "region": maybe(st.sampled_from(paths)),
            "claim_days": maybe(st.integers(-5, 400)),
            "status": maybe(plausible),
            "withdrawn_reason": text_value,
        },
    )


def town_file(paths, villages):
    grid = record(
        {
            "id": maybe(text_value),
            "name": text_value,
            "village": maybe(st.sampled_from(villages) if villages else text_value),
            "leader": maybe(person),
        },
        {
            "covers": st.lists(text_value, max_size=4),
            "workers": st.lists(
                record({"name": text_value, "phone": maybe(text_value)}, {"duties": st.lists(text_value, max_size=3)}),
                max_size=3,
            ),
            "buildings": st.lists(record({"name": text_value, "leader": maybe(person)}, {}), max_size=2),
            "wechat_group": record({"name": text_value}, {"qr": maybe(plausible)}),
        },
    )
    return record(
        {
            "town": maybe(st.sampled_from(paths)),
            "updated": maybe(plausible),
            "grids": maybe(st.lists(grid, max_size=3)),
        },
        {
            "office": record({"name": text_value}, {"phone": maybe(text_value), "address": text_value}),
            "judges": st.lists(
                record({"name": text_value, "court": text_value, "phone": maybe(text_value)}, {"title": text_value}),
                max_size=2,
            ),
            "legal_services": st.lists(
                record(
                    {
                        "kind": maybe(st.sampled_from(["judicial-office", "notary", "legal-aid", "lawyer"])),
                        "name": text_value,
                    },
                    {"phone": maybe(text_value)},
                ),
                max_size=2,
            ),
        },
    )


file_stems = st.one_of(
    st.sampled_from(["a", "2022-06-20-x", "新旧", "..yaml", " ", "-"]),
    st.builds(disguise, id_numbers, st.integers(0, 4)),
    st.text(st.characters(codec="utf-8", exclude_characters="/\x00"), min_size=1, max_size=20),
).filter(lambda s: s not in (".", "..") and len(s.encode()) < 200)


def dump(data, flow: bool) -> str:
    return yaml.safe_dump(data, allow_unicode=True, default_flow_style=flow, sort_keys=False, width=4096)


@st.composite
def file_text(draw, data):
    """The YAML text of `data`, block or flow style; sometimes cut short or with random text spliced in."""
    text = dump(data, draw(st.booleans()))
    how = draw(st.integers(0, 5))
    if how == 4:
        text = text[: draw(st.integers(0, len(text)))]
    elif how == 5:
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.text(chars, max_size=20)) + text[at:]
    return text


@st.composite
def notices_trees(draw):
    """{path below notices/: text}: regions, a town file and up to three notices, all random."""
    regions, paths, villages = draw(regions_and_paths())
    files = {"regions.yaml": draw(file_text(regions))}
    year = draw(st.sampled_from(["2022", "2026", "1999", "２０２２", "x"]))
    files[f"contacts/hengdong/{draw(file_stems)}.yaml"] = draw(file_text(draw(town_file(paths, villages))))
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["lost", "deregistration"]))
        data = draw(lost_notice(paths) if kind == "lost" else deregistration(paths))
        files[f"{kind}/{year}/{draw(file_stems)}.{draw(st.sampled_from(['yaml', 'yml']))}"] = draw(file_text(data))
    return files


# A tree that passes the check as it stands except for the free-text fields, which are random (names of
# places, people and things, statements, grid ids, file names): what reaches the pages when check passes.
free_text = st.one_of(short_text, st.text(chars, min_size=1, max_size=40), plausible).filter(str.strip)


@st.composite
def passing_trees(draw):
    # a place name, sometimes with a slash in it, as clerks write a merged village (新/旧村)
    place = st.one_of(free_text, st.builds(lambda a, b: f"{a}/{b}", free_text, free_text))
    city, county, town = (draw(st.one_of(st.just(default), place)) for default in ("衡阳市", "衡东县", "甘溪镇"))
    villages = draw(st.lists(place, min_size=1, max_size=3, unique=True))
    regions = [{"name": city, "children": [{"name": county, "children": [{"name": town, "children": villages}]}]}]

    def person():
        return {"name": draw(free_text), "phone": "13973400001"}

    grids = [
        {
            "id": draw(free_text),
            "name": draw(free_text),
            "village": draw(st.sampled_from(villages)),
            "leader": person(),
            "covers": draw(st.lists(free_text, max_size=2)),
            "workers": [{**person(), "duties": draw(st.lists(free_text, max_size=2))}],
            "buildings": [{"name": draw(free_text), "leader": person()}],
        }
        for _ in range(draw(st.integers(1, 3)))
    ]
    town_data = {
        "town": f"{city}/{county}/{town}",
        "updated": "2023-10-23",
        "office": {"name": draw(free_text), "address": draw(free_text)},
        "judges": [
            {"name": draw(free_text), "court": draw(free_text), "title": draw(free_text), "phone": "0734-5261234"}
        ],
        "legal_services": [{"kind": "lawyer", "name": draw(free_text)}],
        "grids": grids,
    }
    files = {"regions.yaml": dump(regions, False), f"contacts/hengdong/{draw(file_stems)}.yaml": dump(town_data, False)}
    kinds = draw(st.lists(st.sampled_from(["lost", "deregistration"]), max_size=3))
    for i, kind in enumerate(
        kinds if kinds.count("deregistration") < 2 else kinds[:1]
    ):  # one credit code: one deregistration
        region = draw(st.sampled_from([f"{city}/{county}", f"{city}/{county}/{town}"]))
        if kind == "lost":
            data = {
                "kind": "lost-document",
                "published": "2022-06-20",
                "holder": draw(free_text),
                "document": {
                    "type": draw(st.sampled_from(["公章", "其他"])),
                    "number": draw(free_text),
                    "name": draw(free_text),
                    "issuer": draw(free_text),
                },
                "statement": draw(free_text),
                "region": region,
            }
            folder = "lost"
        else:
            data = {
                "kind": "deregistration",
                "published": "2022-06-06",
                "organization": draw(free_text),
                "credit_code": "51430421MJ1234561R",
                "decided_on": "2022-06-05",
                "decided_by": draw(free_text),
                "contact": person(),
                "region": region,
            }
            folder = "deregistration"
        files[f"{folder}/2022/{i}-{draw(file_stems)}.yaml"] = dump(data, draw(st.booleans()))
    return files


# ------------------------------------------------------------------ random YAML-ish text for the loader alone


@st.composite
def nested(draw):
    """Brackets, braces and indentation nested up to MAX_DEPTH deep around random scalars."""
    depth = draw(st.integers(1, MAX_DEPTH))
    opens = draw(st.lists(st.sampled_from(["[", "{a: ", "- ", "  - ", "k:\n  "]), min_size=depth, max_size=depth))
    middle = draw(st.text(chars, max_size=10))
    closes = "".join({"[": "]", "{a: ": "}"}.get(o, "") for o in reversed(opens))
    return "".join(opens) + middle + (closes if draw(st.booleans()) else closes[: draw(st.integers(0, len(closes)))])


yamlish = st.one_of(
    st.text(chars, max_size=200),
    st.lists(
        st.one_of(
            st.text(chars, max_size=8),
            st.sampled_from(
                ["\n", ": ", "- ", "  ", "&a ", "*a", "!!str ", "? ", "---\n", "...\n", '"\\e', "'", "|\n  "]
            ),
        ),
        max_size=40,
    ).map("".join),
    nested(),
    values.map(lambda v: dump(v, False)),
)


# ------------------------------------------------------------------ the properties


def assert_well_formed(problems: list[Problem], paths: set[str]) -> None:
    for problem in problems:
        assert problem.path in paths, problem
        assert isinstance(problem.line, int) and problem.line >= 1, problem
        assert isinstance(problem.column, int) and problem.column >= 1, problem
        assert problem.level in ("error", "warning"), problem


def walk(node) -> int:
    """Every node the loader returns carries a position ≥ 1; returns the number of nodes."""
    if node is None:
        return 0
    assert node.line >= 1 and node.column >= 1, node
    if isinstance(node, Scalar):
        assert node.value is None or isinstance(node.value, str)
        return 1
    if isinstance(node, Sequence):
        return 1 + sum(walk(item) for item in node.items)
    assert isinstance(node, Mapping)
    return 1 + sum(walk(entry.node) for entry in node.entries.values())


@given(yamlish)
def test_the_loader_answers_any_text_with_nodes_or_problems(text):
    root, problems = parse(text, "notices/x.yaml")
    walk(root)
    assert_well_formed(problems, {"notices/x.yaml"})


@given(
    st.one_of(
        st.binary(max_size=300),
        yamlish.map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.builds(
            lambda t, enc: t.encode(enc, "replace"),
            st.text(chars, max_size=100),
            st.sampled_from(["gb18030", "utf-16", "latin-1"]),
        ),
    )
)
def test_the_loader_answers_any_bytes_with_nodes_or_problems(data):
    with tempfile.TemporaryDirectory() as folder:
        notices = Path(folder)
        file = notices / "x.yaml"
        file.write_bytes(data)
        source, problems = load_file(file, notices, data)
        if source is not None:
            walk(source.root)
        assert_well_formed(problems, {str(file)})


def assert_printable(problems: list[Problem]) -> None:
    """What `portal check` prints to the terminal (each problem's path, field and message) has no raw
    control character."""
    for fmt in ("text", "github"):
        printed = io.StringIO()
        with contextlib.redirect_stderr(printed), contextlib.redirect_stdout(printed):
            report(problems, fmt)
        for line in printed.getvalue().splitlines():
            assert not raw_controls(line), (fmt, raw_controls(line), line)


def check_tree(folder: str, files: dict[str, str]):
    """Write `files` into `folder`/notices and run the check on it as `portal check` does; its problems
    must be well formed."""
    notices = Path(folder) / "notices"
    written = set()
    for name, text in files.items():
        target = notices / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.add(str(target))
    checked = run_check(Options(notices=notices, today=TODAY, cache=False, workers=1))
    assert_well_formed(checked.problems, written | {str(notices / "regions.yaml"), str(notices)})
    return checked


@given(notices_trees())
@settings(max_examples=examples(120))
def test_portal_check_answers_any_notices_tree_with_problems_never_an_exception(files):
    with tempfile.TemporaryDirectory() as folder:
        check_tree(folder, files)


@given(st.one_of(notices_trees(), passing_trees()))
@settings(max_examples=examples(100))
def test_no_problem_reaches_the_terminal_with_a_raw_control_character(files):
    with tempfile.TemporaryDirectory() as folder:
        assert_printable(check_tree(folder, files).problems)


@given(passing_trees())
@settings(max_examples=examples(80))
def test_what_passes_the_check_renders_into_pages_inside_the_site(files):
    """`portal build` renders whatever `portal check` let through: no exception, and no page address
    that leaves the site folder or is not a plain relative path."""
    with tempfile.TemporaryDirectory() as folder:
        checked = check_tree(folder, files)
        if failed(checked.problems, strict=False):
            return
        for page in render(checked.portal):
            parts = PurePosixPath(page.docs_path).parts
            assert parts and not page.docs_path.startswith("/") and ".." not in parts, page.url
            assert not raw_controls(page.url), page.url
            assert page.text
