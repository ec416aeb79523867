"""The privacy rule (generator/checking/privacy.py) and the character rule (generator/checking/characters.py).

What is masked (every document type that carries the holder's ID number, an 其他 named as one, any
ID number found in a document number), what is refused (an ID number in any other field, key or
file name, in every form a hostile or careless clerk may write it), and control characters: refused
in every field, escaped in every message.
"""

from __future__ import annotations

import pytest
import yaml

from generator.checking import characters, identifiers, privacy
from generator.checking.model import Document
from generator.checking.problems import Problem, as_dict, format_github
from generator.checking.rules import BASE, BASE_REGIONS, BASE_TOWN, GOOD_CODE, GOOD_ID, dereg, lost
from generator.checking.schema import DEREGISTRATION, LOST, TOWN, ListOf, Struct
from generator.site.render import flatten

OTHER_ID = "430105199606060138"

#: One ID number as a hostile or careless clerk may write it.
FORMS = {
    "ascii": GOOD_ID,
    "full-width": "４３０１０２１９９００３０７５０１６",
    "hyphenated": "430102-19900307-5016",
    "space-split": "4301 0219 9003 0750 16",
    "zero-width-split": "4301\u200b0219\u200c9003\u200d0750\ufeff16",
    "ideographic-space": "430102\u300019900307\u30005016",
    "en-dash": "430102–19900307–5016",
    "arabic-indic-digits": "٤٣٠١٠٢١٩٩٠٠٣٠٧٥٠١٦",
}


def describe(problems) -> str:
    return "\n".join(p.format() for p in problems) or "(no problems)"


# ------------------------------------------------------------------ what is masked


@pytest.mark.parametrize("kind", privacy.ID_DOCUMENT_TYPES)
def test_every_type_that_carries_the_id_number_is_masked(kind):
    document = Document(kind, OTHER_ID)
    assert privacy.public_number(document) == "43************0138"
    assert privacy.visible_part(document) == "0138"


@pytest.mark.parametrize(
    "name", ["居民身份证", "机动车驾驶证", "駕駛證", "社保卡", "居民户口簿", "港澳居民居住证", "临时身份證", "残疾人证"]
)
def test_other_named_as_an_id_document_is_masked(name):
    assert privacy.carries_id_number("其他", name)
    assert privacy.public_number(Document("其他", "123456789012", name=name)) == "12******9012"


@pytest.mark.parametrize(
    "kind, name", [("毕业证书", None), ("其他", "工作证"), ("其他", None), ("不动产权证书", "身份证")]
)
def test_other_documents_are_not_id_documents(kind, name):
    assert not privacy.carries_id_number(kind, name)
    number = "湘（2015）北福县不动产权第0439649号"
    assert privacy.public_number(Document(kind, number, name=name)) == number
    assert privacy.visible_part(Document(kind, number, name=name)) is None


@pytest.mark.parametrize("form", FORMS.values(), ids=list(FORMS))
def test_an_id_number_in_any_document_number_is_masked(form):
    document = Document("毕业证书", f"HN{form}")
    assert privacy.is_masked(document)
    public = privacy.public_number(document)
    assert not identifiers.find_id_numbers(public), public
    assert public.startswith("HN") and set(public[2:-4]) == {"*"}


#: A valid unified social credit code made of digits only that also passes the GB 11643 check.
NUMERIC_CODE = "914301001000000752"


def test_a_credit_code_is_shown_whole_even_when_it_passes_the_id_check():
    assert identifiers.find_id_numbers(NUMERIC_CODE) and identifiers.check_credit_code(NUMERIC_CODE).ok
    assert privacy.public_number(Document("营业执照", GOOD_CODE)) == GOOD_CODE
    assert privacy.public_number(Document("营业执照", NUMERIC_CODE)) == NUMERIC_CODE
    assert privacy.ids_refused("credit_code", NUMERIC_CODE) == []
    assert privacy.ids_refused("organization", NUMERIC_CODE) == ["91************0752"]  # only in its own field
    assert privacy.ids_refused("credit_code", GOOD_ID) == ["43************5016"]  # an ID is not a credit code


@pytest.mark.parametrize("kind, name", [("毕业证书", None), ("学位证书", None), ("公章", None), ("其他", "工作证")])
def test_another_document_s_number_that_is_also_a_credit_code_is_masked(kind, name):
    """Found by the scale-1 benchmark: a diploma number (141276200206719878) that passes the ID check and is a
    valid credit code as well was published whole, and the output scan stopped the province's build. The
    exception is only for a document whose number is a credit code."""
    assert identifiers.find_id_numbers("141276200206719878") and identifiers.check_credit_code("141276200206719878").ok
    for number in (NUMERIC_CODE, "141276200206719878"):
        document = Document(kind, number, name=name)
        assert privacy.is_masked(document)
        assert privacy.public_number(document) == number[:2] + "*" * 12 + number[-4:]
        assert privacy.whole_ids(privacy.public_number(document)) == frozenset()


@pytest.mark.parametrize("name", ["营业执照副本", "社会团体法人登记证书", "民办非企业单位登记证书", "營業執照"])
def test_other_named_as_a_licence_keeps_a_valid_credit_code_whole(name):
    assert privacy.carries_credit_code("其他", name)
    assert privacy.public_number(Document("其他", NUMERIC_CODE, name=name)) == NUMERIC_CODE
    assert privacy.public_number(Document("其他", GOOD_ID, name=name)) == "43************5016"  # not a credit code


def test_whole_ids_are_the_valid_credit_codes_that_pass_the_id_check():
    assert privacy.whole_ids(NUMERIC_CODE) == frozenset({NUMERIC_CODE})
    assert privacy.whole_ids(GOOD_CODE) == frozenset()  # a credit code with letters holds no ID number
    assert privacy.whole_ids(GOOD_ID) == frozenset()  # an ID number is not a credit code
    assert privacy.whole_ids(None) == frozenset()


def test_a_deregistration_with_such_a_credit_code_passes(check_files):
    body = (
        f'published: 2022-06-06\norganization: 某协会\ncredit_code: "{NUMERIC_CODE}"\ndecided_on: 2022-06-05\n'
        'decided_by: 会员代表大会\ncontact: {name: 刘某, phone: "0734-5261234"}\n'
    )
    problems = check_files({**BASE, **dereg(body)}).problems
    assert problems == [], describe(problems)


def test_the_keep_counts_are_configurable_in_one_place(monkeypatch):
    monkeypatch.setattr(privacy, "ID_KEEP_START", 0)
    monkeypatch.setattr(privacy, "ID_KEEP_END", 1)
    assert privacy.public_number(Document("驾驶证", GOOD_ID)) == "*" * 17 + "6"
    assert privacy.visible_part(Document("驾驶证", GOOD_ID)) == "6"


def test_a_short_number_of_an_id_document_is_masked_too():
    assert privacy.public_number(Document("户口簿", "430102123")) == "43***2123"


# ------------------------------------------------------------------ what is refused


@pytest.mark.parametrize("form", FORMS.values(), ids=list(FORMS))
def test_ids_refused_everywhere_but_document_numbers(form):
    assert privacy.ids_refused("holder", f"罗某某{form}") == ["43************5016"]
    assert privacy.ids_refused("grids[3].covers[0]", form) == ["43************5016"]
    assert privacy.ids_refused("document.number", form) == []


def test_without_ids_and_mask_ids():
    text = f"罗某 {GOOD_ID} 与 {OTHER_ID}"
    assert privacy.without_ids(text) == "罗某  与 "
    assert privacy.mask_ids(text) == "罗某 43************5016 与 43************0138"
    assert privacy.without_ids("12" + GOOD_ID + "34") == "1234"  # a longer run: every offset is searched


def value_paths(schema: Struct):
    """Every leaf field of a schema as the checker names it, with list items at index 0."""
    for key, spec in flatten(schema):
        inner = spec.type.item if isinstance(spec.type, ListOf) else spec.type
        if not isinstance(inner, Struct):
            yield key.replace("[]", "[0]") + ("[0]" if isinstance(spec.type, ListOf) else "")


def put(data: dict, name: str, value: str) -> None:
    """Set the field `name` (`grids[0].workers[0].name`) of `data`, making what is missing on the way."""
    *parents, leaf = name.split(".")
    for part in parents:
        if part.endswith("[0]"):
            items = data.setdefault(part[:-3], [])
            if not items:
                items.append({})
            data = items[0]
        else:
            data = data.setdefault(part, {})
            if not isinstance(data, dict):
                raise AssertionError(part)
    if leaf.endswith("[0]"):
        data[leaf[:-3]] = [value]
    else:
        data[leaf] = value


SCHEMAS = {
    "lost/2022/a.yaml": (
        LOST,
        lost(
            f'published: 2022-06-20\nholder: 罗某某\ndocument: {{type: 身份证, number: "{GOOD_ID}"}}\n',
            name="lost/2022/a.yaml",
        ),
    ),
    "deregistration/2022/a.yaml": (
        DEREGISTRATION,
        dereg(
            f'published: 2022-06-06\norganization: 某协会\ncredit_code: "{GOOD_CODE}"\ndecided_on: 2022-06-05\n'
            'decided_by: 会员代表大会\ncontact: {name: 刘某, phone: "0734-5261234"}\n',
            name="deregistration/2022/a.yaml",
        ),
    ),
    "contacts/hengdong/ganxi.yaml": (TOWN, {"contacts/hengdong/ganxi.yaml": BASE_TOWN}),
}


@pytest.mark.parametrize("form", FORMS.values(), ids=list(FORMS))
@pytest.mark.parametrize("file", SCHEMAS)
def test_an_id_number_in_any_field_of_any_file_is_refused_there(file, form, check_files):
    """Every field of every kind of file at once, the ID number written in one of its forms: each
    field gets its own error at its own line, except document.number (masked, not refused)."""
    schema, files = SCHEMAS[file]
    data = yaml.load(files[file], Loader=yaml.BaseLoader)
    names = []
    for name in value_paths(schema):
        if name != "document.number":
            put(data, name, f"某{form}")
            names.append(name)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    problems = check_files({**BASE, file: text}).problems
    refused = {p.field: p for p in problems if p.rule == "id-number-not-allowed"}
    assert set(refused) == set(names), describe(problems)
    lines = text.splitlines()
    for p in refused.values():
        assert p.path == f"notices/{file}" and p.level == "error"
        assert "43************5016" in p.message and GOOD_ID not in p.message
        assert "某" in lines[p.line - 1][p.column - 1 :], p.format()  # the position is the value's
    assert len(names) >= 10


@pytest.mark.parametrize("form", FORMS.values(), ids=list(FORMS))
def test_an_id_number_in_a_file_or_folder_name_is_refused(form, check_files):
    body = "published: 2022-06-20\nholder: 罗某某\ndocument: {type: 公章}\n"
    files = {**BASE, **lost(body, name=f"lost/2022/luo-{form}.yaml"), **{f"contacts/{form}/ganxi.yaml": BASE_TOWN}}
    problems = check_files(files).problems
    refused = sorted((p.path, p.line, p.column) for p in problems if p.rule == "id-number-not-allowed")
    assert refused == sorted(
        [(f"notices/lost/2022/luo-{form}.yaml", 1, 1), (f"notices/contacts/{form}/ganxi.yaml", 1, 1)]
    ), describe(problems)


def test_a_holder_s_name_is_never_an_id_number(check_files):
    problems = check_files(
        {**BASE, **lost(f"published: 2022-06-20\nholder: {GOOD_ID}\ndocument: {{type: 公章}}\n")}
    ).problems
    assert [(p.field, p.rule) for p in problems] == [("holder", "id-number-not-allowed")]


def test_a_regions_name_with_an_id_number_is_refused(check_files):
    regions = BASE_REGIONS.replace("children: [燕山街社区]", f"children: [燕山街社区, 燕山{GOOD_ID}社区]")
    problems = check_files({**BASE, "regions.yaml": regions}).problems
    assert [(p.line, p.rule) for p in problems] == [(14, "id-number-not-allowed")], describe(problems)


# ------------------------------------------------------------------ control characters

HOSTILE = {
    "ansi-clear": "\x1b[2J",
    "ansi-title": "\x1b]0;pwned\x07",
    "carriage-return": "\r",
    "backspace": "\x08",
    "nul-as-escape": "\x00",
    "delete": "\x7f",
    "c1-csi": "\x9b",
    "rtl-override": "\u202e",
    "ltr-override": "\u202d",
    "rtl-embedding": "\u202b",
    "rtl-isolate": "\u2067",
    "first-strong-isolate": "\u2068",
    "rtl-mark": "\u200f",
    "arabic-letter-mark": "\u061c",
}


def yaml_escape(text: str) -> str:
    return "".join(f"\\u{ord(c):04x}" if characters.is_control(c) else c for c in text)


@pytest.mark.parametrize("value", HOSTILE.values(), ids=list(HOSTILE))
def test_control_characters_are_refused_in_any_field(value, check_files):
    body = (
        f'published: 2022-06-20\nholder: "罗某{yaml_escape(value)}某"\n'
        f'document: {{type: 毕业证书, number: "A{yaml_escape(value)}1"}}\n'
        f'statement: "第一行{yaml_escape(value)}\\n第二行"\n'
    )
    problems = check_files({**BASE, **lost(body)}).problems
    assert sorted((p.field, p.rule) for p in problems) == [
        ("document.number", "control-character"),
        ("holder", "control-character"),
        ("statement", "control-character"),
    ], describe(problems)
    for p in problems:
        assert p.format().isprintable(), p.format()


def test_a_newline_only_where_the_field_is_multi_line(check_files):
    body = (
        'published: 2022-06-20\nholder: "罗某\\n某"\ndocument: {type: 公章}\n'
        'statement: |\n  第一行\n  第二行\nlegal_basis: "甲\\n乙"\nstatus: withdrawn\nwithdrawn_reason: "甲\\t乙\\n丙"\n'
    )
    problems = check_files({**BASE, **lost(body)}).problems
    assert [(p.field, p.rule) for p in problems] == [("holder", "control-character")], describe(problems)
    assert "只能写一行" in problems[0].message


def test_problem_lines_escape_control_characters():
    problem = Problem(
        "notices/lost/2022/\x1b[31mred.yaml",
        3,
        9,
        "holder\u202e",
        "不认识 '\x1b[2J' 与 \u202egpj.exe\n伪造的一行",
        "field-choice",
    )
    line = problem.format()
    assert line.isprintable() and "\n" not in line
    assert "\\x1b[31mred.yaml" in line and "\\u202egpj.exe\\x0a伪造的一行" in line.replace("\\n", "\\x0a")
    github = format_github(problem)
    assert github.isprintable() and "\x1b" not in github


def test_escape_leaves_ordinary_text_alone():
    assert characters.escape("乌塘村1组\u200b 罗某某") == "乌塘村1组\u200b 罗某某"  # zero-width: not a control
    assert characters.controls("甲\t乙", allow_newline=False) == []


def test_every_output_format_masks_an_id_number_a_message_quotes():
    """A message may quote a value (a region, a choice); CI logs may be public."""
    problem = Problem(
        f"notices/lost/2022/{GOOD_ID}.yaml",
        1,
        1,
        "region",
        f"regions.yaml 中没有 长沙市/{FORMS['space-split']}",
        "region-unknown",
    )
    for text in (problem.format(), format_github(problem), str(as_dict(problem))):
        assert not identifiers.find_id_numbers(text.replace("%0A", " ")), text
        assert "43************5016" in text
