"""The output scan (generator/publishing/scan.py): a leak planted past the masking layer or the templates stops the build.

Each test builds a real site in a temporary folder over an existing one, plants one kind of leak (a masking
rule that publishes whole numbers, a county's template override that adds a script, an event attribute, a
link elsewhere, a broken link, a missing page) and sees `portal build` refuse with `error:` lines that name
the built file, exit 1, and leave the published site as it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import shutil
from pathlib import Path

import material
import pytest

from generator import cli
from generator.checking import identifiers, privacy
from generator.publishing import scan
from generator.site import render
from tests.sitebuild import ROOT, SAMPLE, TODAY, build_site

SMALL = ROOT / "tests" / "fixtures" / "small" / "notices"
WHOLE_ID = "430424198506120034"  # the fixture's 身份证 number (tests/fixtures/small/notices/lost/2022/script.yaml)


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """A clean build of the small fixture: the site every test's failing build must leave alone."""
    site = tmp_path_factory.mktemp("published") / "site"
    build_site(SMALL, site)
    return site


def snapshot(site: Path) -> dict[str, str]:
    return {
        path.relative_to(site).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(site.rglob("*"))
        if path.is_file()
    }


def build_over(published: Path, tmp_path: Path, stderr, *options: str) -> tuple[int, list[str], Path]:
    """`portal build` of the small fixture into a copy of the published site: (exit code, error lines, site).
    `stderr`: pytest's capsys, or a StringIO that stderr is redirected to."""
    site = tmp_path / "site"
    shutil.copytree(published, site)
    before = snapshot(site)
    code = cli.main(
        [
            "build",
            "--notices",
            str(SMALL),
            "--site-dir",
            str(site),
            "--today",
            TODAY.isoformat(),
            "--no-cache",
            *options,
        ]
    )
    err = stderr.readouterr().err if hasattr(stderr, "readouterr") else stderr.getvalue()
    if code != 0:
        assert snapshot(site) == before, "a refused build changed the published site"
    return code, [line for line in err.splitlines() if line.startswith("error: ")], site


def override(tmp_path: Path, template: str, plant: str, after: str) -> Path:
    """A --templates folder whose `template` is ours with `plant` written after the line `after`."""
    folder = tmp_path / "templates"
    folder.mkdir(exist_ok=True)
    text = (render.DEFAULT_TEMPLATES / template).read_text(encoding="utf-8")
    assert after in text
    (folder / template).write_text(text.replace(after, after + "\n" + plant, 1), encoding="utf-8")
    return folder


def test_the_sample_site_passes_and_the_counts_are_printed(tmp_path, capsys):
    code = cli.main(
        [
            "build",
            "--notices",
            str(SAMPLE),
            "--site-dir",
            str(tmp_path / "site"),
            "--today",
            TODAY.isoformat(),
            "--no-cache",
        ]
    )
    out = capsys.readouterr()
    assert code == 0, out.err
    lost = len(list((SAMPLE / "lost").rglob("*.yaml")))
    deregistrations = len(list((SAMPLE / "deregistration").rglob("*.yaml")))
    towns = len(list((SAMPLE / "contacts").rglob("*.yaml")))
    assert f"遗失声明 {lost} 页，注销公告 {deregistrations} 页，镇 {towns} 页，公示牌 {towns} 页" in out.out


def test_a_whole_id_number_past_the_masking_layer_is_refused(published, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(privacy, "public_number", lambda document: document.number)
    code, errors, _ = build_over(published, tmp_path, capsys)
    assert code == 1
    ids = [line for line in errors if "完整的身份证号码" in line]
    files = {line.removeprefix("error: ").split(" ", 1)[0].split(":", 1)[0] for line in ids}
    assert "notices/lost/2022/script/index.html" in files, errors  # the page
    assert any(file.endswith(".pf_fragment") for file in files), errors  # the search index, decompressed
    assert any(file.endswith(".pf_index") for file in files), errors  # its words (CBOR)
    assert "(/notices/lost/2022/script/)" in "\n".join(ids)  # the page address is named
    assert WHOLE_ID not in "\n".join(errors), "the message must not print the number it refuses"
    assert "43************0034" in "\n".join(ids)


def id_number(first17: str) -> str:
    return first17 + identifiers._id_check_digit(first17)


#: One ID number per way of hiding it, so that each finding names its plant (by the last four characters).
PLANTED = {way: id_number(f"4304241985061{n:04d}") for n, way in enumerate(("url", "references", "full-width"), 1001)}
FULL_WIDTH = {ord(d): ord(d) + 0xFEE0 for d in "0123456789"}

#: Material's first inline script, with a value in place of its base URL that a base URL never is.
THEME_SCRIPT = re.sub(
    r"\{\{.*?\}\}",
    "javascript:alert(1)//",
    re.search(
        r"<script>.*?</script>",
        (Path(material.__file__).parent / "templates/partials/javascripts/base.html").read_text(),
    ).group(),
)

#: Leak → (markup planted into a template, what the error line says).
LEAKS = {
    "event attribute": (
        '<img src="{{ link(\'assets/images/favicon.png\') }}" alt="" onerror="alert(1)">',
        "事件属性 onerror",
    ),
    "inline script": ("<script>alert(1)</script>", "不是主题带来的脚本"),
    "theme's script, another base": (THEME_SCRIPT, "不是主题带来的脚本"),
    "script file not shipped": ("<script src=\"{{ link('robots.txt') }}\"></script>", "脚本文件不是本项目带来的文件"),
    "javascript: link": ('<a href="javascript:alert(1)">x</a>', "javascript: 地址"),
    "javascript: link, obfuscated": (
        '<a href=" jav&#x09;ascript:alert(2)">x</a>',
        'javascript: 地址 (javascript: URL): <a href=" jav',
    ),
    "data: URL": ('<a href="data:text/html,hi">x</a>', "data: 地址"),
    "link to another host": ('<a href="https://example.com/">x</a>', "其他网站 example.com"),
    "allowed record link, as an asset": (
        '<img src="https://beian.mps.gov.cn/#/query/webSearch?code=43042402000123" alt="">',
        "其他网站 beian.mps.gov.cn",
    ),
    "allowed record host, another address": (
        '<a href="https://beian.miit.gov.cn/x?u=https://example.com/">x</a>',
        "其他网站 beian.miit.gov.cn",
    ),
    "protocol-relative asset": ('<img src="//cdn.example.com/x.png" alt="">', "其他网站 cdn.example.com"),
    "iframe": ("<iframe src=\"{{ link('') }}\"></iframe>", "不允许的元素 <iframe>"),
    "broken internal link": ("<a href=\"{{ link('notices/nowhere/') }}\">x</a>", "链接指向的文件不存在"),
    "broken anchor on the page": ('<a href="#nowhere">x</a>', "页内锚点 #nowhere 不存在"),
    "broken anchor on another page": (
        "<a href=\"{{ link('towns/') }}#nowhere\">x</a>",
        "锚点 #nowhere 在 towns/index.html 中不存在",
    ),
    "ID number percent-encoded in a URL": (
        "<a href=\"{{ link('search/') }}?q=" + "".join(f"%{ord(c):02X}" for c in PLANTED["url"]) + '">x</a>',
        f"完整的身份证号码 (whole ID number): ../../../../search/?q=43************{PLANTED['url'][-4:]}",
    ),
    "ID number as character references": (
        "<p>" + "".join(f"&#{ord(c)};" for c in PLANTED["references"]) + "</p>",
        f"完整的身份证号码 (whole ID number): 43************{PLANTED['references'][-4:]}",
    ),
    "ID number in full-width digits, split by spaces": (
        '<p title="{}">x</p>'.format(
            " ".join(PLANTED["full-width"][i : i + 6].translate(FULL_WIDTH) for i in (0, 6, 12))
        ),
        f"完整的身份证号码 (whole ID number): 43************{PLANTED['full-width'][-4:]}",
    ),
}
#: The same leaks in a hub page (made by MkDocs whole, not in the shared frame of the shell pages).
HUB_LEAKS = ("inline script", "event attribute", "link to another host", "javascript: link")


@pytest.fixture(scope="module")
def planted(published, tmp_path_factory) -> list[str]:
    """One build with every leak planted through a --templates folder: into the notice page of the fixture's
    ID card (a shell page: the body is read on its own, the frame once) and into the home page."""
    folder = tmp_path_factory.mktemp("planted")
    override(folder, "lost-document.html", "\n".join(plant for plant, _ in LEAKS.values()), "{% block body %}")
    home = (render.DEFAULT_TEMPLATES / "home.html").read_text(encoding="utf-8").splitlines()[0]
    override(folder, "home.html", "\n".join(LEAKS[leak][0] for leak in HUB_LEAKS), home)
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
        code, errors, _ = build_over(published, folder, stderr, "--templates", str(folder / "templates"))
    assert code == 1
    return errors


@pytest.mark.parametrize("leak", LEAKS, ids=list(LEAKS))
def test_a_template_override_that_plants_a_leak_in_a_notice_page_is_refused(planted, leak):
    message = LEAKS[leak][1]
    page = "notices/lost/2022/script/index.html (/notices/lost/2022/script/)"
    assert any(line.startswith(f"error: {page}: ") and message in line for line in planted), "\n".join(planted)


@pytest.mark.parametrize("leak", HUB_LEAKS)
def test_a_leak_in_a_hub_page_is_refused(planted, leak):
    message = LEAKS[leak][1]
    assert any(line.startswith("error: index.html (/): ") and message in line for line in planted), "\n".join(planted)


def test_every_finding_is_one_planted(planted):
    """Nothing but the plants: the clean parts of the pages pass (the favicon image was planted too)."""
    messages = [message for _, message in LEAKS.values()]
    indexed = [
        f"43************{number[-4:]}" for number in PLANTED.values()
    ]  # the planted numbers, in the search index
    unexplained = [
        line
        for line in planted[:-1]
        if not any(m in line for m in messages)
        and not ("pagefind/" in line and any(number in line for number in indexed))
    ]
    assert unexplained == []
    assert "生成的网站未通过发布前检查" in planted[-1]


def test_a_missing_page_is_refused(published, tmp_path, capsys, monkeypatch):
    jobs = render.Renderer.jobs

    def without_the_id_card_notice(self):
        return [job for job in jobs(self) if getattr(job.target, "url", "") != "notices/lost/2022/script/"]

    monkeypatch.setattr(render.Renderer, "jobs", without_the_id_card_notice)
    code, errors, _ = build_over(published, tmp_path, capsys)
    assert code == 1
    assert any(
        line.startswith("error: ")
        and "small/notices/lost/2022/script.yaml: 遗失声明没有生成页面 /notices/lost/2022/script/" in line
        for line in errors
    ), errors
    assert any("链接指向的文件不存在" in line for line in errors), errors  # the lists still link to it


def test_a_clean_rebuild_over_the_published_site_passes(published, tmp_path, capsys):
    code, errors, site = build_over(published, tmp_path, capsys)
    assert code == 0 and not errors
    assert (site / "notices" / "lost" / "2022" / "script" / "index.html").is_file()


def test_a_data_file_no_entry_came_from_is_named():
    expected = scan.expected_pages(
        type("P", (), {"lost": [], "deregistrations": [], "towns": []})(),
        {"lost/notices/regions.yaml": "regions.yaml", "lost/notices/lost/2022/a.yaml": "lost"},
    )
    assert expected.unclaimed == ["lost/notices/lost/2022/a.yaml"]


def test_the_sieve_keeps_every_character_an_id_number_can_hold():
    """scan.run_breakers() lets the scan skip most text; it may skip only what find_id_numbers ends a run at."""
    wrong = [
        hex(code)
        for start, end in scan.run_breakers()
        for code in range(start, end + 1)
        if identifiers._id_character(chr(code)) is not None
    ]
    assert wrong == []
    text = "身份证 430102 1990 0307 5016；" + "号 ４３０１０２１９９００３０７５０１６" + "，4301021990\u200b03075016"
    assert scan.id_numbers(text) == identifiers.find_id_numbers(text)


def test_pagefind_index_strings_are_read_from_cbor():
    # {"w": ["430102199003075016", h'00']} with a definite and an indefinite-length text
    data = bytes([0xA1, 0x61]) + b"w" + bytes([0x82, 0x72]) + b"430102199003075016" + bytes([0x41, 0x00])
    assert scan.cbor_strings(data) == ["w", "430102199003075016", "\x00"]
    assert scan.cbor_strings(bytes([0x7F, 0x62]) + b"ab" + bytes([0xFF])) == ["ab"]


def test_a_built_file_the_scan_cannot_read_is_a_finding_not_a_traceback(tmp_path):
    (tmp_path / "pagefind").mkdir()
    (tmp_path / "pagefind" / "x.pf_fragment").write_bytes(b"\x1f\x8b\x08\x00" + b"not gzip")
    (tmp_path / "deep.json").write_text("[" * 100_000 + f'"{WHOLE_ID}"' + "]" * 100_000, encoding="utf-8")
    found = [finding.format() for finding in scan.scan(tmp_path, scan.Expected({}), scan.default_trusted())]
    assert found[0].startswith("deep.json: 完整的身份证号码") and WHOLE_ID not in found[0]
    assert found[1].startswith("pagefind/x.pf_fragment: 无法读取生成的文件")


def test_redirect_pages_are_checked_like_any_page(tmp_path):
    """A redirect page (generator/site/moved.py) carries no script, and its refresh, canonical link and
    visible link are internal links the scan resolves: one that points nowhere is a finding each."""
    from generator.site import moved

    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "index.html").write_text("<!doctype html><title>新</title><p>新</p>", encoding="utf-8")
    for old, new in (("old", "new"), ("gone", "nowhere")):
        (tmp_path / old).mkdir()
        (tmp_path / old / "index.html").write_text(moved.page(old, new), encoding="utf-8")
    found = [finding.format() for finding in scan.scan(tmp_path, scan.Expected({}), scan.default_trusted())]
    assert all("gone/index.html" in line for line in found), found
    assert len([line for line in found if "链接指向的文件不存在" in line]) == 3, found  # canonical, refresh, link


def test_a_fingerprint_whose_digits_pass_as_an_id_number_is_not_a_finding():
    """A notice's SHA-256 fingerprint can hold 18 digits that pass an ID's check digit (one did in the 0.07
    province); the fingerprints the build made are not read for ID numbers. Any other hex text is: the same
    digits in an unknown 64-hex token, in a 65-character token, or standing alone."""
    from generator.checking.rules import GOOD_ID
    from generator.publishing.scan import id_findings

    digest = ("ab" * 7 + GOOD_ID.replace("X", "0") + "0" * 64)[:64]
    known = frozenset({digest})
    assert id_findings("a/index.html", f"内容指纹 {digest} 完", known) == []
    assert id_findings("a/index.html", f"内容指纹 {digest} 完")  # not a fingerprint of this build
    assert len(id_findings("a/index.html", f"号码 {GOOD_ID} 完", known)) == 1
    assert len(id_findings("a/index.html", f"{digest}9 {GOOD_ID}", known)) >= 2  # 65 characters: not the digest
