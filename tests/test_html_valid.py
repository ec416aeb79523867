"""Every page of the sample site, and of the hostile fixture site, passes the Nu HTML Checker (vnu) with no error.

vnu is the W3C's checker (`vnu-jar`, pinned in package.json, installed by `npm ci`), run with the
machine's Java (Debian: `apt-get install default-jre-headless`). Without Java or `npm ci` the test is
skipped, except in CI, where that is a failure.

By hand: `make site && java -jar node_modules/vnu-jar/build/dist/vnu.jar --errors-only --skip-non-html site/`.

`THEME_ERRORS` lists the only errors let through: each comes from Material for MkDocs' own markup,
which no template of ours writes; each entry names the exact message, a piece of the markup it must
be reported on (so a page of ours making the same mistake is still caught), and why it is harmless.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from tests.sitebuild import ROOT, build_site, html_pages, redirect_pages, sample_site

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
FIXTURE = ROOT / "tests" / "fixtures" / "small" / "notices"  # markup, quotes and odd scalars in every field

#: (exact vnu message, markup the error must be reported on, why it is left to the theme)
THEME_ERRORS = [
    (
        "Attribute “autocomplete” is only allowed when the input type is “color”, “date”, “datetime-local”, "
        "“email”, “hidden”, “month”, “number”, “password”, “range”, “search”, “tel”, “text”, “time”, “url”, "
        "or “week”.",
        '<input class="md-toggle" data-md-toggle="',
        "Material's base.html writes its drawer and search toggles as "
        '<input type="checkbox" autocomplete="off"> outside any block a theme override can replace; '
        "the attribute stops Firefox restoring a toggle's state after a reload, and browsers ignore it otherwise.",
    ),
    (
        "Bad value “” for attribute “tabindex” on element “label”: The empty string is not a valid integer.",
        '<label class="md-nav__link',
        'Material\'s partials/nav-item.html writes tabindex="" on the label of a navigation section '
        "(the guide's sections); browsers treat an empty tabindex as absent, which is what a section label needs.",
    ),
]


def theme_error(message: dict) -> bool:
    return any(
        message.get("message") == text and markup in message.get("extract", "") for text, markup, _ in THEME_ERRORS
    )


def vnu(pages: list) -> list[dict]:
    """vnu's errors (and fatal errors) for `pages`, as its JSON messages."""
    java = shutil.which("java")
    if java is None or not VNU.exists():
        what = "Java (apt-get install default-jre-headless)" if java is None else "vnu-jar (npm ci)"
        if os.environ.get("CI"):
            raise RuntimeError(f"{what} is required for the HTML check in CI (see .ci/run)")
        pytest.skip(f"{what} is not installed: the Nu HTML Checker is skipped")
    done = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, pages)], capture_output=True, text=True
    )
    return json.loads(done.stderr)["messages"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return sample_site(tmp_path_factory, "html-valid")


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory):
    site_dir = tmp_path_factory.mktemp("html-valid-fixture") / "site"
    build_site(FIXTURE, site_dir)
    return site_dir


def test_every_page_of_the_sample_and_fixture_sites_passes_the_nu_html_checker(site, fixture_site):
    pages = html_pages(site)
    assert len(pages) > 50, pages  # home, lists, towns, notices, guide, 404, admin
    pages += html_pages(fixture_site)  # one run of the checker: Java starts once
    pages += redirect_pages(site)
    errors = [m for m in vnu(pages) if not theme_error(m)]
    assert not errors, "\n".join(
        f"{m.get('url', '')}:{m.get('lastLine', '?')}: {m['type']}: {m['message']}\n    {m.get('extract', '')!r}"
        for m in errors
    )


def test_the_checker_finds_an_error_of_ours_in_a_page(site, tmp_path):
    """The checker reports errors a template of ours could make, including one that THEME_ERRORS lets
    through only on the theme's own markup."""
    page = tmp_path / "index.html"
    html = (site / "index.html").read_text(encoding="utf-8")
    page.write_text(
        html.replace("</article>", '<p id="pt-q">重复的 id</p><label tabindex="">标签</label></article>', 1),
        encoding="utf-8",
    )
    errors = [m for m in vnu([page]) if not theme_error(m)]
    assert any("Duplicate ID" in m["message"] for m in errors), errors
    assert any(m["message"] == THEME_ERRORS[1][0] for m in errors), errors
