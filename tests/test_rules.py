"""Every registered rule: its passing example passes, its failing example fails with that rule.

Plus the registry is complete (every rule id the code can emit is registered, and every
registered rule can be emitted), and one-line cases per semantic rule pin the reported
position to the line where the offending value is written.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest
from conftest import TODAY

from generator.checking import identifiers
from generator.checking.rules import BASE, BASE_REGIONS, BASE_TOWN, GOOD_CODE, GOOD_ID, RULES

GENERATOR = Path(__file__).resolve().parent.parent / "generator"
RULE_ID = re.compile(r"[a-z]+(?:-[a-z0-9]+)+")
LEVELS = {"error", "warning"}


def describe(problems) -> str:
    return "\n".join(p.format() for p in problems) or "(no problems)"


# ------------------------------------------------------------------ the registry


def test_registry_is_not_empty():
    assert len(RULES) >= 30


@pytest.mark.parametrize("rule", RULES.values(), ids=list(RULES))
def test_rule_is_documented(rule):
    assert RULE_ID.fullmatch(rule.id), rule.id
    assert rule.title.strip()
    assert rule.explanation.strip()
    assert rule.bad, "every rule needs a failing example"
    assert rule.level in LEVELS
    for name in [*rule.good, *rule.bad]:
        assert not name.startswith("/") and ".." not in name.split("/"), name


def emitted_rule_ids() -> set[str]:
    """Rule-id string literals passed to the calls that create problems, anywhere in generator/."""
    makers = {"problem", "Problem", "error", "_at", "_Refused", "Checked"}
    found = set()
    for source in GENERATOR.rglob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name not in makers:
                continue
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and RULE_ID.fullmatch(arg.value):
                    found.add(arg.value)
    return found


def test_the_scan_for_emitted_rule_ids_finds_them():
    # guards the scan itself: if it silently found nothing, the next test would prove nothing
    found = emitted_rule_ids()
    assert {
        "yaml-alias",
        "file-encoding",
        "unknown-key",
        "date-format",
        "village-unknown",
        "notice-duplicate",
        "id-format",
        "phone-format",
    } <= found
    assert len(found) >= 25


def test_every_rule_the_code_can_emit_is_registered():
    emitted = emitted_rule_ids() | set(identifiers.RULES)
    assert emitted - set(RULES) == set()


def test_every_registered_rule_can_be_emitted():
    emitted = emitted_rule_ids() | set(identifiers.RULES)
    assert set(RULES) - emitted == set()


def test_base_data_set_is_clean(check_files):
    checked = check_files(BASE)
    assert checked.problems == [], describe(checked.problems)
    assert [t.path for t in checked.portal.towns] == ["衡阳市/衡东县/甘溪镇"]


# ------------------------------------------------------------------ examples


@pytest.mark.parametrize("rule", RULES.values(), ids=list(RULES))
def test_good_example_passes(rule, check_files):
    problems = check_files({**BASE, **rule.good}).problems
    assert rule.id not in {p.rule for p in problems}, describe(problems)
    assert problems == [], describe(problems)


@pytest.mark.parametrize("rule", RULES.values(), ids=list(RULES))
def test_bad_example_fails_with_the_rule(rule, check_files):
    problems = check_files({**BASE, **rule.bad}).problems
    hits = [p for p in problems if p.rule == rule.id]
    assert hits, describe(problems)
    assert {p.level for p in hits} == {rule.level}, describe(problems)
    for p in hits:
        assert p.path.startswith("notices/"), p.path
        assert p.line >= 1 and p.column >= 1
        assert p.message.strip()
        assert p.format().endswith(f"({rule.id})")


# ------------------------------------------------------------------ one-line cases

LOST = "lost/2022/a.yaml"
DEREG = "deregistration/2022/a.yaml"
TOWN = "contacts/hengdong/ganxi.yaml"


def top_level(defaults: dict[str, str], fields: dict[str, str]) -> str:
    """YAML with one `key: value` line per entry, `fields` replacing or adding to `defaults`."""
    return "".join(f"{key}: {value}\n" for key, value in {**defaults, **fields}.items())


def lost_notice(**fields: str) -> str:
    """A block-style lost ID-card notice; `fields` replace or add top-level lines."""
    return top_level(
        {
            "kind": "lost-document",
            "published": "2022-06-20",
            "holder": "罗某某",
            "document": f'\n  type: 身份证\n  number: "{GOOD_ID}"',
        },
        fields,
    )


def dereg_notice(**fields: str) -> str:
    return top_level(
        {
            "kind": "deregistration",
            "published": "2022-06-06",
            "organization": "衡东县示例协会",
            "credit_code": f'"{GOOD_CODE}"',
            "decided_on": "2022-06-05",
            "decided_by": "会员代表大会",
            "contact": '\n  name: 刘某\n  phone: "0734-5261234"',
        },
        fields,
    )


def only(problems, rule):
    hits = [p for p in problems if p.rule == rule]
    assert len(hits) == 1, describe(problems)
    return hits[0]


def test_lost_notice_helper_is_clean(check_files):
    assert check_files({**BASE, LOST: lost_notice()}).problems == []
    assert check_files({**BASE, DEREG: dereg_notice()}).problems == []


@pytest.mark.parametrize(
    "number, rule",
    [
        ("430102199003075011", "id-check-digit"),
        ("４３０１０２１９９００３０７５０１１", "id-check-digit"),  # full-width, wrong check digit
        ("43010219900307501", "id-format"),
        ("430102900307501", "id-format"),  # old 15-digit number
        ("990102199003075016", "id-region"),
        ("430102199002305016", "id-birth-date"),
        ("430102203001015016", "id-birth-date"),  # born after `today`
    ],
)
def test_id_number_problem_points_at_the_number_line(check_files, number, rule):
    text = lost_notice(document=f'\n  type: 身份证\n  number: "{number}"')
    p = only(check_files({**BASE, LOST: text}).problems, rule)
    assert (p.path, p.line, p.field, p.level) == (f"notices/{LOST}", 6, "document.number", "error")


@pytest.mark.parametrize(
    "number",
    [
        GOOD_ID,
        "４３０１０２１９９００３０７５０１６",
        "43010219800101002X",
        "43010219800101002x",
        "４３０１０２１９８００１０１００２Ｘ",
    ],
)
def test_valid_id_numbers_pass(check_files, number):
    text = lost_notice(document=f'\n  type: 身份证\n  number: "{number}"')
    assert check_files({**BASE, LOST: text}).problems == []


def test_id_number_is_normalised_in_the_model(check_files):
    text = lost_notice(document='\n  type: 身份证\n  number: "４３０１０２１９９００３０７５０１６"')
    checked = check_files({**BASE, LOST: text})
    assert checked.problems == []
    assert checked.portal.lost[0].document.number == GOOD_ID


def test_leading_zero_number_reaches_the_model_unchanged(check_files):
    text = lost_notice(document="\n  type: 毕业证书\n  number: 05015202540")
    checked = check_files({**BASE, LOST: text})
    assert checked.problems == [], describe(checked.problems)
    assert checked.portal.lost[0].document.number == "05015202540"


@pytest.mark.parametrize(
    "code, rule",
    [
        ("123456789012345678", "credit-code-org"),
        ("51430421MJ1234561Q", "credit-code-check-digit"),
        ("51430421MJ12345", "credit-code-format"),
        ("51430421MJ1234561O", "credit-code-format"),  # O is not in the alphabet
        ("51A30421MJ1234561R", "credit-code-region"),
    ],
)
def test_credit_code_problem_points_at_the_code_line(check_files, code, rule):
    p = only(check_files({**BASE, DEREG: dereg_notice(credit_code=f'"{code}"')}).problems, rule)
    assert (p.path, p.line, p.field) == (f"notices/{DEREG}", 4, "credit_code")


def test_lowercase_credit_code_is_accepted(check_files):
    checked = check_files({**BASE, DEREG: dereg_notice(credit_code=f'"{GOOD_CODE.lower()}"')})
    assert checked.problems == []
    assert checked.portal.deregistrations[0].credit_code == GOOD_CODE


@pytest.mark.parametrize(
    "phone, ok",
    [
        ("0734-5261234", True),
        ("0734 5261234", True),
        ("13973400001", True),
        ("139 7340 0001", True),
        ("12345", True),
        ("0734-5261234转123", True),
        ("0734-0261234", False),  # a local number never starts with 0
        ("734-5261234", False),
        ("1397340000", False),
        ("23973400001", False),
    ],
)
def test_phone_format(check_files, phone, ok):
    problems = check_files({**BASE, DEREG: dereg_notice(contact=f'\n  name: 刘某\n  phone: "{phone}"')}).problems
    if ok:
        assert problems == [], describe(problems)
    else:
        p = only(problems, "phone-format")
        assert (p.line, p.field) == (9, "contact.phone")


def test_date_order_points_at_the_later_date(check_files):
    p = only(check_files({**BASE, LOST: lost_notice(lost_on="2022-06-21")}).problems, "date-order")
    assert (p.line, p.field) == (7, "lost_on")
    assert check_files({**BASE, LOST: lost_notice(lost_on="2022-06-20")}).problems == []


@pytest.mark.parametrize(
    "text, rule",
    [
        ("2022-02-30", "date-format"),
        ("2022-13-01", "date-format"),
        ("2022/06/20", "date-format"),
        ("2022-6-20", "date-format"),
        ("20220620", "date-format"),
        (str(TODAY + dt.timedelta(days=8)), "date-future"),
    ],
)
def test_bad_dates(check_files, text, rule):
    p = only(check_files({**BASE, LOST: lost_notice(published=text)}).problems, rule)
    assert (p.line, p.column, p.field) == (2, 12, "published")


@pytest.mark.parametrize("text", ["2024-02-29", str(TODAY), str(TODAY + dt.timedelta(days=7))])
def test_good_dates(check_files, text):
    # a recent notice names its publisher, or is warned about (provenance-missing)
    notice = lost_notice(published=text, publisher="{name: 衡东县融媒体中心}")
    assert check_files({**BASE, f"lost/{text[:4]}/a.yaml": notice}).problems == []


def test_withdrawn_reason_points_at_status(check_files):
    p = only(check_files({**BASE, LOST: lost_notice(status="withdrawn")}).problems, "withdrawn-reason")
    assert (p.line, p.field) == (7, "withdrawn_reason")


def test_unknown_key_is_a_warning_with_a_suggestion(check_files):
    text = lost_notice(holdr="罗某某")
    p = only(check_files({**BASE, LOST: text}).problems, "unknown-key")
    assert (p.level, p.line, p.field) == ("warning", 7, "holdr")
    assert "holder" in p.message


def test_unknown_kind_suggests_the_nearest(check_files):
    p = only(check_files({**BASE, LOST: lost_notice(kind="lost-documnet")}).problems, "kind-unknown")
    assert (p.line, p.column, p.field) == (1, 7, "kind")
    assert "lost-document" in p.message


def test_document_type_choice_suggests_the_nearest(check_files):
    text = lost_notice(document=f'\n  type: 身分证\n  number: "{GOOD_ID}"')
    p = only(check_files({**BASE, LOST: text}).problems, "field-choice")
    assert (p.line, p.field) == (5, "document.type")
    assert "身份证" in p.message


def test_missing_required_field_is_named(check_files):
    text = lost_notice()
    text = text.replace("holder: 罗某某\n", "")
    p = only(check_files({**BASE, LOST: text}).problems, "field-required")
    assert p.field == "holder"


def test_region_unknown_points_at_the_region_line(check_files):
    p = only(check_files({**BASE, LOST: lost_notice(region="长沙市/芙蓉")}).problems, "region-unknown")
    assert (p.path, p.line, p.field) == (f"notices/{LOST}", 7, "region")
    assert "长沙市/芙蓉区" in p.message  # the suggestion


def test_village_unknown_points_at_the_village_line(check_files):
    town = BASE_TOWN.replace("village: 新塘村", "village: 新塘")
    p = only(check_files({**BASE, TOWN: town}).problems, "village-unknown")
    line = town.splitlines().index("    village: 新塘") + 1
    assert (p.line, p.field) == (line, "grids[1].village")
    assert "新塘村" in p.message


def test_village_of_another_town_is_refused(check_files):
    town = BASE_TOWN.replace("village: 新塘村", "village: 燕山街社区")
    only(check_files({**BASE, TOWN: town}).problems, "village-unknown")


def test_grid_problems_name_the_grid_as_written_even_after_a_broken_grid(check_files):
    town = BASE_TOWN.replace('  - id: "1"\n    name: 乌塘村第一网格\n', '  - id: "1"\n')  # grid 0 loses its name
    town = town.replace("village: 新塘村", "village: 新塘")
    problems = check_files({**BASE, TOWN: town}).problems
    assert only(problems, "field-required").field == "grids[0].name"
    assert only(problems, "village-unknown").field == "grids[1].village"


def test_grid_id_duplicate_points_at_the_second_id(check_files):
    town = BASE_TOWN.replace('id: "2"', 'id: "1"')
    p = only(check_files({**BASE, TOWN: town}).problems, "grid-id-duplicate")
    assert (p.line, p.field) == (11, "grids[1].id")
    assert "第 6 行" in p.message


def test_town_duplicate_names_both_files(check_files):
    problems = check_files({**BASE, "contacts/hengdong/ganxi2.yaml": BASE_TOWN}).problems
    p = only(problems, "town-duplicate")
    assert (p.path, p.line) == ("notices/contacts/hengdong/ganxi2.yaml", 1)
    assert "notices/contacts/hengdong/ganxi.yaml" in p.message


def test_town_that_is_a_county_does_not_also_blame_every_village(check_files):
    town = BASE_TOWN.replace("town: 衡阳市/衡东县/甘溪镇", "town: 衡阳市/衡东县")
    problems = check_files({**BASE, TOWN: town}).problems
    assert [p.rule for p in problems] == ["town-not-a-town"], describe(problems)


def test_notice_duplicate_across_files_points_at_the_second_number(check_files):
    other = lost_notice(
        document='\n  type: 身份证\n  number: "４３０１０２１９９００３０７５０１６"'
    )  # same number, full-width
    problems = check_files({**BASE, "lost/2022/a.yaml": lost_notice(), "lost/2023/b.yaml": other}).problems
    p = only(problems, "notice-duplicate")
    assert (p.path, p.line, p.field) == ("notices/lost/2023/b.yaml", 6, "document.number")
    assert "notices/lost/2022/a.yaml" in p.message


def test_same_number_for_different_document_types_is_not_a_duplicate(check_files):
    other = lost_notice(document='\n  type: 毕业证书\n  number: "' + GOOD_ID + '"')
    assert check_files({**BASE, LOST: lost_notice(), "lost/2022/b.yaml": other}).problems == []


def test_deregistration_duplicate_points_at_the_code(check_files):
    problems = check_files({**BASE, DEREG: dereg_notice(), "deregistration/2023/b.yaml": dereg_notice()}).problems
    p = only(problems, "notice-duplicate")
    assert (p.path, p.line, p.field) == ("notices/deregistration/2023/b.yaml", 4, "credit_code")


def test_document_number_required_except_for_a_seal(check_files):
    p = only(check_files({**BASE, LOST: lost_notice(document="\n  type: 毕业证书")}).problems, "document-number")
    assert p.field == "document.number"
    assert check_files({**BASE, LOST: lost_notice(document="\n  type: 公章")}).problems == []


@pytest.mark.parametrize(
    "number, ok",
    [
        (GOOD_CODE, True),
        ("430102000012345", True),  # old 15-digit registration number
        ("4301", False),
    ],
)
def test_business_licence_number(check_files, number, ok):
    problems = check_files({**BASE, LOST: lost_notice(document=f'\n  type: 营业执照\n  number: "{number}"')}).problems
    if ok:
        assert problems == [], describe(problems)
    else:
        assert only(problems, "document-number").line == 6


@pytest.mark.parametrize("value", ["0", "366", "-1", "4.5", "forty"])
def test_claim_days_must_be_a_whole_number_in_range(check_files, value):
    p = only(check_files({**BASE, DEREG: dereg_notice(claim_days=value)}).problems, "field-type")
    assert p.field == "claim_days"


def test_claim_days_defaults_to_45(check_files):
    checked = check_files({**BASE, DEREG: dereg_notice()})
    assert checked.portal.deregistrations[0].claim_days == 45


@pytest.mark.parametrize("value, expected", [("true", True), ("false", False), ("是", True), ("否", False)])
def test_reissued_accepts_true_false(check_files, value, expected):
    checked = check_files({**BASE, LOST: lost_notice(reissued=value)})
    assert checked.problems == []
    assert checked.portal.lost[0].reissued is expected


@pytest.mark.parametrize("value", ["yes", "NO", "on", "1"])
def test_reissued_refuses_yaml11_booleans(check_files, value):
    only(check_files({**BASE, LOST: lost_notice(reissued=value)}).problems, "field-type")


def test_file_in_the_wrong_place(check_files):
    p = only(check_files({**BASE, "lost/2022/sub/a.yaml": lost_notice()}).problems, "file-location")
    assert p.path == "notices/lost/2022/sub/a.yaml"


def test_kind_in_the_wrong_folder(check_files):
    p = only(check_files({**BASE, "deregistration/2022/a.yaml": lost_notice()}).problems, "kind-folder")
    assert "lost/" in p.message


def test_missing_regions_file_is_reported(check_files):
    problems = check_files({TOWN: BASE_TOWN}).problems
    p = only(problems, "regions-format")
    assert p.path == "notices/regions.yaml"


def test_every_problem_of_every_file_is_reported(check_files):
    files = {
        **BASE,
        "lost/2022/a.yaml": lost_notice(published="2022-02-30", holdr="x"),
        "lost/2022/b.yaml": lost_notice(document='\n  type: 身份证\n  number: "430102199003075011"'),
        "deregistration/2022/c.yaml": dereg_notice(credit_code='"123456789012345678"', decided_on="2099-01-01"),
        TOWN: BASE_TOWN.replace("village: 新塘村", "village: 新塘"),
        "lost/2022/broken.yaml": "holder: [\n",
    }
    rules = sorted((p.path.rsplit("/", 1)[-1], p.rule) for p in check_files(files).problems)
    assert rules == [
        ("a.yaml", "date-format"),
        ("a.yaml", "unknown-key"),
        ("b.yaml", "id-check-digit"),
        ("broken.yaml", "yaml-syntax"),
        ("c.yaml", "credit-code-org"),
        ("c.yaml", "date-future"),
        ("c.yaml", "date-order"),
        ("ganxi.yaml", "village-unknown"),
    ]


def test_places_with_the_same_pinyin_get_their_own_list_pages(check_files):
    """乌塘镇 and 吴塘镇 are both wu-tang-zhen: each keeps its own notices list (without region codes, the
    one whose name sorts first keeps the address, the other gets four characters of its name's hash)."""
    from generator.site.render import render

    regions = BASE_REGIONS.replace(
        "children: [乌塘村, 新塘村]", "children: [乌塘村, 新塘村]\n        - name: 吴塘镇\n          children: [吴塘村]"
    ).replace("        - name: 甘溪镇", "        - name: 乌塘镇\n          children: [乌塘村]\n        - name: 甘溪镇")
    other = '\n  type: 毕业证书\n  number: "134561202006001234"'
    checked = check_files(
        {
            **BASE,
            "regions.yaml": regions,
            "lost/2022/a.yaml": lost_notice(region="衡阳市/衡东县/乌塘镇"),
            "lost/2022/b.yaml": lost_notice(region="衡阳市/衡东县/吴塘镇", holder="吴某", document=other),
        }
    )
    assert checked.problems == [], describe(checked.problems)
    pages = render(checked.portal)
    urls = [page.url for page in pages]
    assert len(urls) == len(set(urls))
    titles = {page.url: page.title for page in pages}
    assert titles["notices/regions/heng-yang-shi/heng-dong-xian/wu-tang-zhen/"] == "乌塘镇的公告"
    assert titles["notices/regions/heng-yang-shi/heng-dong-xian/wu-tang-zhen-b59c/"] == "吴塘镇的公告"


def test_region_codes_are_checked_by_level_at_their_line(check_files):
    """Each level has its length (市 4/6, 县 6, 镇 9/12, 村 12) and starts with its parent's code; the
    message points at the code's own line, and every wrong code is reported, not only the first."""
    regions = """- name: 衡阳市
  code: "430400"
  children:
    - name: 衡东县
      code: "430424"
      children:
        - name: 甘溪镇
          code: "430424104000"
          children:
            - {name: 乌塘村, code: "430424104201"}
            - {name: 新塘村, code: "430424105202"}
        - name: 杨桥镇
          code: "43042410600"
          children: [白莲村]
    - name: 衡山县
      code: "430523"
- name: 长沙市
  code: "4301"
  children:
    - name: 芙蓉区
      code: "430102"
      children:
        - name: 定王台街道
          code: "430102001"
          children: [燕山街社区]
"""
    problems = [p for p in check_files({**BASE, "regions.yaml": regions}).problems if p.rule.startswith("region-code")]
    assert [(p.line, p.rule) for p in problems] == [
        (11, "region-code-parent"),
        (13, "region-code-format"),
        (16, "region-code-parent"),
    ], describe(problems)
    assert "430424104" in problems[0].message and "12" in problems[1].message and "4304" in problems[2].message
