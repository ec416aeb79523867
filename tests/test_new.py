"""`portal new`: fields asked or given, each checked by the checker's own code, the file written only when clean."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import TODAY

from generator.checking import identifiers, reference
from generator.checking.rules import GOOD_CODE, GOOD_ID
from generator.checking.schema import DEREGISTRATION, LOST, TOWN
from generator.staff import new

PORTAL = Path(sys.executable).parent / "portal"
FIXTURE = Path(__file__).parent / "fixtures" / "small" / "notices"
EXISTING_ID = "430424198506120034"  # already declared lost in the fixture's lost/2022/script.yaml
WRONG_ID = "430102199003075011"  # check digit should be 6

LOST_FIELDS = ["published=2024-05-08", "holder=张三", "document.type=身份证", f"document.number={GOOD_ID}"]
LOST_PATH = "notices/lost/2024/2024-05-08-zhang-san-shen-fen-zheng.yaml"
DEREG_FIELDS = [
    "published=2024-05-08",
    "organization=衡东县示例二协会",
    f"credit_code={GOOD_CODE}",
    "decided_on=2024-05-01",
    "decided_by=会员代表大会",
    "contact.name=王联系",
    "contact.phone=07345261234",
    "region=衡阳市/衡东县",
]
GRID = ["id=01", "name=新塘社区第一网格", "village=新塘社区", "leader.name=彭网格", "leader.phone=13973400009"]
TOWN_FIELDS = [
    "town=衡阳市/衡东县/新塘镇",
    "updated=2024-01-01",
    "judges.name=谭法官",
    "judges.court=衡东县人民法院",
    "judges.phone=0734-5261235",
    *(f"grids.{g}" for g in GRID),
]


@pytest.fixture
def repo(tmp_path) -> Path:
    """A repository-like folder with a copy of the small fixture's notices/ and one more town in regions.yaml."""
    shutil.copytree(FIXTURE, tmp_path / "notices")
    regions = tmp_path / "notices" / "regions.yaml"
    text = regions.read_text(encoding="utf-8")
    regions.write_text(
        text.rstrip("\n") + "\n        - name: 新塘镇\n          children: [新塘社区]\n", encoding="utf-8"
    )
    return tmp_path


def portal(cwd: Path, *args: str, input: str | None = None, stdin=None) -> subprocess.CompletedProcess:
    completed = subprocess.run(
        [str(PORTAL), *args], cwd=cwd, input=input, stdin=stdin, capture_output=True, text=True, timeout=120
    )
    assert "Traceback" not in completed.stdout + completed.stderr, completed.stdout + completed.stderr
    return completed


def create(cwd: Path, kind: str, fields: list[str], *extra: str) -> subprocess.CompletedProcess:
    args = [arg for f in fields for arg in ("--field", f)]
    return portal(cwd, "new", kind, "--yes", "--today", TODAY.isoformat(), *args, *extra)


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def strict_check(cwd: Path) -> subprocess.CompletedProcess:
    # The small fixture's town list is old on purpose (the town-stale note is part of its golden page).
    return portal(cwd, "check", "--strict", "--stale-months", "0", "--today", TODAY.isoformat())


# ------------------------------------------------------------------ non-interactive, each kind


def test_lost_document_from_options_passes_the_strict_check(repo):
    result = create(repo, "lost-document", LOST_FIELDS)
    assert result.returncode == 0, result.stderr
    assert LOST_PATH in result.stdout and "portal check" in result.stdout
    written = (repo / LOST_PATH).read_text(encoding="utf-8")
    number = reference.derive("lost-document", 2024, LOST_PATH.removeprefix("notices/"), None)  # no region: no county
    assert yaml.safe_load(written) == {
        "kind": "lost-document",
        "reference": number,
        "published": yaml.safe_load("2024-05-08"),
        "holder": "张三",
        "document": {"type": "身份证", "number": GOOD_ID},
    }
    checked = strict_check(repo)
    assert checked.returncode == 0, checked.stderr
    assert "3 条遗失声明" in checked.stdout


def test_values_yaml_would_misread_round_trip_as_written(repo):
    fields = [
        "published=2024-05-09",
        "holder=NO",
        "document.type=不动产权证书",
        "document.number=05015202541",
        "document.issuer=yes",
        "reissued=true",
        "statement=1e3",
    ]
    result = create(repo, "lost-document", fields)
    assert result.returncode == 0, result.stderr
    (path,) = (repo / "notices/lost/2024").glob("*.yaml")
    assert path.name == "2024-05-09-no-bu-dong-chan-quan-zheng-shu.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))  # YAML 1.1, as PyYAML reads it
    assert data["holder"] == "NO" and data["document"]["number"] == "05015202541"
    assert data["document"]["issuer"] == "yes" and data["statement"] == "1e3" and data["reissued"] is True
    assert strict_check(repo).returncode == 0


def test_deregistration_from_options(repo):
    result = create(repo, "deregistration", DEREG_FIELDS)
    assert result.returncode == 0, result.stderr
    path = repo / "notices/deregistration/2024/2024-05-08-heng-dong-xian-shi-li-er-xie-hui.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["contact"] == {"name": "王联系", "phone": "07345261234"}  # not the (octal) integer 999645852
    assert data["credit_code"] == GOOD_CODE and data["kind"] == "deregistration"
    assert strict_check(repo).returncode == 0


def test_town_from_options_goes_to_the_countys_existing_folder(repo):
    result = create(
        repo, "town", [*TOWN_FIELDS, *(f"grids[1].{g}" for g in GRID[1:]), "grids[1].id=02", "grids.covers=一组、二组"]
    )
    assert result.returncode == 0, result.stderr
    path = repo / "notices/contacts/hengdong/xin-tang-zhen.yaml"  # hengdong/ already holds 衡东县's towns
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert [g["id"] for g in data["grids"]] == ["01", "02"]
    assert data["grids"][0]["covers"] == ["一组", "二组"]
    assert data["judges"] == [{"name": "谭法官", "court": "衡东县人民法院", "phone": "0734-5261235"}]
    checked = strict_check(repo)
    assert checked.returncode == 0, checked.stderr
    assert "2 个镇" in checked.stdout


def test_town_in_a_new_county_gets_a_slug_folder(tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "notices")
    (tmp_path / "notices/regions.yaml").write_text(
        "- name: 衡阳市\n  children:\n    - name: 衡东县\n      children:\n        - name: 甘溪镇\n"
        "          children: [乌塘村, 新塘村]\n    - name: 衡山县\n      children:\n"
        "        - name: 新塘镇\n          children: [新塘社区]\n",
        encoding="utf-8",
    )
    fields = [f.replace("衡东县/新塘镇", "衡山县/新塘镇") for f in TOWN_FIELDS]
    assert create(tmp_path, "town", fields).returncode == 0
    assert (tmp_path / "notices/contacts/heng-shan-xian/xin-tang-zhen.yaml").is_file()


# ------------------------------------------------------------------ refused, nothing written


def test_wrong_id_check_digit_is_refused_with_the_checkers_message(repo):
    before = files(repo)
    result = create(repo, "lost-document", [*LOST_FIELDS[:3], f"document.number={WRONG_ID}"])
    assert result.returncode == 1
    assert "身份证号码校验位错误，应为 6 (wrong check digit, expected 6) (id-check-digit)" in result.stderr
    assert result.stderr.count("id-check-digit") == 1
    assert files(repo) == before


HOLDER_WITH_ID = "罗某某430105199606060138"  # the ID number an issue saw `portal new` write into a file name


def test_an_id_number_in_the_holder_is_refused_and_no_file_is_written(repo):
    before = files(repo)
    result = create(repo, "lost-document", ["published=2024-05-08", f"holder={HOLDER_WITH_ID}", "document.type=公章"])
    assert result.returncode == 1, result.stdout + result.stderr
    assert "(id-number-not-allowed)" in result.stderr and "43************0138" in result.stderr
    assert "430105199606060138" not in result.stdout + result.stderr  # the echoed answer is masked too
    assert files(repo) == before


def test_a_control_character_in_an_answer_is_refused_and_not_echoed_raw(repo):
    before = files(repo)
    result = create(repo, "lost-document", ["published=2024-05-08", "holder=罗某\x1b[2J\u202e某", "document.type=公章"])
    assert result.returncode == 1
    assert "(control-character)" in result.stderr
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr
    assert "holder=罗某\\x1b[2J\\u202e某" in result.stderr
    assert files(repo) == before


@pytest.mark.parametrize("holder", [HOLDER_WITH_ID, "罗4301.0519-9606 0601.38", "1234567801"])
def test_a_file_name_made_from_fields_never_carries_an_id_number(tmp_path, holder):
    """Even when a field were to carry one past the checker, or the date and a field joined make one
    (2024-05-08-1234567801 reads 202405081234567801, a valid check digit)."""
    published = TODAY.replace(year=2024, month=5, day=8)
    for kind, document in [
        ("lost-document", {"published": published, "holder": holder, "document": {"type": "公章"}}),
        ("deregistration", {"published": published, "organization": holder}),
        ("town", {"town": f"衡阳市/{holder}/{holder}"}),
    ]:
        path = new.target_path(tmp_path, kind, document, {})
        assert identifiers.find_id_numbers(str(path.relative_to(tmp_path))) == [], path
        assert path.suffix == ".yaml"


def test_a_duplicate_of_an_existing_notice_is_refused(repo):
    before = files(repo)
    result = create(repo, "lost-document", [*LOST_FIELDS[:3], f"document.number={EXISTING_ID}"])
    assert result.returncode == 1
    assert "(notice-duplicate)" in result.stderr and "notices/lost/2022/script.yaml" in result.stderr
    assert EXISTING_ID not in result.stderr  # the checker's message masks the ID number
    assert files(repo) == before


def test_a_second_file_for_an_existing_town_is_refused(repo):
    before = files(repo)
    fields = [f.replace("新塘镇", "甘溪镇").replace("新塘社区", "新塘村") for f in TOWN_FIELDS]
    result = create(repo, "town", fields)
    assert result.returncode == 1 and "(town-duplicate)" in result.stderr
    assert files(repo) == before


def test_cross_file_rules_apply_region_and_village(repo):
    before = files(repo)
    result = create(repo, "deregistration", [*DEREG_FIELDS[:-1], "region=衡阳市/衡东"])
    assert result.returncode == 1 and "(region-unknown)" in result.stderr and "衡阳市/衡东县" in result.stderr
    result = create(repo, "town", [f.replace("新塘社区", "乌塘村") for f in TOWN_FIELDS])
    assert result.returncode == 1 and "grids[0].village" in result.stderr and "(village-unknown)" in result.stderr
    assert files(repo) == before


def test_missing_required_fields_are_listed(repo):
    before = files(repo)
    result = create(repo, "deregistration", ["published=2024-05-08"])
    assert result.returncode == 1
    for key in ("organization", "credit_code", "decided_on", "decided_by", "contact.name", "contact.phone"):
        assert key in result.stderr
    assert files(repo) == before


def test_stdin_that_is_not_a_terminal_means_no_questions(repo):
    result = portal(repo, "new", "lost-document", "--today", TODAY.isoformat(), stdin=subprocess.DEVNULL)
    assert result.returncode == 1 and "published" in result.stderr and result.stdout == ""


def test_unknown_field_is_a_usage_error_with_a_suggestion(repo):
    result = create(repo, "lost-document", ["publishd=2024-05-08"])
    assert result.returncode == 2 and "published" in result.stderr
    assert create(repo, "lost-document", ["holder"]).returncode == 2
    assert create(repo, "lost-document", ["document=身份证"]).returncode == 2
    assert create(repo, "lost-document", ["kind=deregistration"]).returncode == 2


def test_never_overwrites_an_existing_file(repo):
    target = repo / LOST_PATH
    target.parent.mkdir(parents=True)
    other = LOST_FIELDS[:3]  # same holder, type and date, another ID number: same file name
    original = (
        "kind: lost-document\npublished: 2024-05-08\nholder: 张三\n"
        'document: {type: 身份证, number: "11010519491231002X"}\n'
    )
    target.write_text(original, encoding="utf-8")
    result = create(repo, "lost-document", [*other, f"document.number={GOOD_ID}"])
    assert result.returncode == 0, result.stderr
    assert target.read_text(encoding="utf-8") == original
    assert "2024-05-08-zhang-san-shen-fen-zheng-2.yaml" in result.stdout
    assert (target.parent / "2024-05-08-zhang-san-shen-fen-zheng-2.yaml").is_file()


def test_free_path_counts_up(tmp_path):
    first = tmp_path / "a.yaml"
    assert new.free_path(first) == first
    first.write_text("x")
    (tmp_path / "a-2.yaml").write_text("x")
    assert new.free_path(first) == tmp_path / "a-3.yaml"


# ------------------------------------------------------------------ interactive

#: One answer per question of QUESTIONS["lost-document"], a wrong ID number first, then the confirmation.
DIALOGUE = "\n".join(
    [
        "2024-05-08",
        "张三",
        "",
        "身份证",
        WRONG_ID,  # refused: asked again
        GOOD_ID,
        "",
        "",
        "",
        "",
        "",  # issuer, lost_on, reissued, statement, legal_basis: skipped
        "",  # publisher.name: skipped (its phone is then not asked)
        "y",
        "",
    ]
)


def test_interactive_dialogue_re_asks_a_wrong_answer(repo):
    result = portal(repo, "new", "lost-document", "--interactive", "--today", TODAY.isoformat(), input=DIALOGUE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("遗失证件 › 证件号码（按类别校验；身份证号码只公开前 2 位和后 4 位，") == 2
    assert "声明人（个人或单位） [必填]" in result.stdout
    assert "其中之一：身份证、临时身份证、驾驶证" in result.stdout  # choices show the allowed values
    assert "身份证号码校验位错误，应为 6" in result.stderr
    data = yaml.safe_load((repo / LOST_PATH).read_text(encoding="utf-8"))
    assert data["document"] == {"type": "身份证", "number": GOOD_ID}
    assert strict_check(repo).returncode == 0


def test_interactive_cross_file_problem_re_asks_that_field(repo):
    answers = [
        "",
        "衡东县示例二协会",
        GOOD_CODE,
        "衡阳市/衡东",
        "2024-05-01",
        "会员代表大会",
        "",
        "王联系",
        "13800001234",
        "衡东县示例二协会清算组",
        "",
        "衡东县民政局",
        "0734-5221234",  # publisher, authority
        "衡阳市/衡东县",  # region asked again after the whole-data-set check
        "y",
    ]
    result = portal(repo, "new", "deregistration", "-i", "--today", TODAY.isoformat(), input="\n".join(answers) + "\n")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(region-unknown)" in result.stderr
    (path,) = (repo / "notices/deregistration" / str(TODAY.year)).glob("*.yaml")  # published: Enter = today
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["region"] == "衡阳市/衡东县" and data["published"].isoformat() == TODAY.isoformat()
    assert data["publisher"] == {"name": "衡东县示例二协会清算组"}
    assert data["authority"] == {"name": "衡东县民政局", "phone": "0734-5221234"}
    assert data["reference"] == reference.derive(
        "deregistration", TODAY.year, path.relative_to(repo / "notices").as_posix(), "430424"
    )  # 衡东县's code in the fixture's regions.yaml


def test_input_ending_early_writes_nothing(repo):
    before = files(repo)
    result = portal(repo, "new", "town", "-i", "--today", TODAY.isoformat(), input="衡阳市/衡东县/新塘镇\n")
    assert result.returncode == 1 and "nothing written" in result.stderr
    assert files(repo) == before


def test_interactive_town_can_add_grids(repo):
    grid = lambda n: [f"0{n}", f"第{n}网格", "新塘社区", "彭网格", f"1397340001{n}"]  # noqa: E731
    answers = [
        "衡阳市/衡东县/新塘镇",
        "2024-01-01",
        "谭法官",
        "衡东县人民法院",
        "",
        "0734-5261235",
        *grid(1),
        "y",
        *grid(2),
        "n",
        "y",
    ]
    result = portal(repo, "new", "town", "-i", "--today", TODAY.isoformat(), input="\n".join(answers) + "\n")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "网格 第 2 项 › 网格长 › 电话" in result.stdout
    data = yaml.safe_load((repo / "notices/contacts/hengdong/xin-tang-zhen.yaml").read_text(encoding="utf-8"))
    assert [g["leader"]["phone"] for g in data["grids"]] == ["13973400011", "13973400012"]


def test_in_process_run_with_streams(repo, monkeypatch):
    monkeypatch.chdir(repo)
    out, err = io.StringIO(), io.StringIO()
    opts = new.NewOptions("lost-document", Path("notices"), LOST_FIELDS, ask=True, today=TODAY)
    assert new.run(opts, io.StringIO("\n" * 7 + "y\n"), out, err) == 0, err.getvalue()
    assert (repo / LOST_PATH).is_file()


# ------------------------------------------------------------------ the questions follow the schema


@pytest.mark.parametrize("kind", new.KINDS)
def test_every_question_is_a_field_of_the_schema(kind):
    schema = new.SCHEMAS[kind]
    keys = [*new.QUESTIONS[kind], *(f"grids[0].{k}" for k in new.GRID_QUESTIONS if kind == "town")]
    for key in keys:
        resolved = new.resolve(schema, key)
        assert resolved.key == key and resolved.spec.title


def test_questions_cover_every_required_field():
    for kind, schema in (("lost-document", LOST), ("deregistration", DEREGISTRATION)):
        required = {k for k, f in schema.fields.items() if f.required and k != "kind"}
        asked = {q.split(".")[0] for q in new.QUESTIONS[kind]}
        assert required <= asked, kind
    asked = {q.split("[")[0] for q in new.QUESTIONS["town"]} | {"grids"}
    assert {k for k, f in TOWN.fields.items() if f.required} <= asked


def test_dump_quotes_every_text_and_keeps_dates_plain():
    import datetime as dt

    text = new.dump(
        {
            "a": "05015202540",
            "b": dt.date(2024, 5, 8),
            "c": True,
            "d": 45,
            "e": {"f": 'x "y"\nz'},
            "g": [{"h": "NO", "i": {"j": "~"}}, {"h": "1"}],
            "k": ["yes", "0734"],
        }
    )
    assert yaml.safe_load(text) == {
        "a": "05015202540",
        "b": dt.date(2024, 5, 8),
        "c": True,
        "d": 45,
        "e": {"f": 'x "y"\nz'},
        "g": [{"h": "NO", "i": {"j": "~"}}, {"h": "1"}],
        "k": ["yes", "0734"],
    }
