"""The installed generator: a wheel built from this repository, installed into a fresh virtual environment
outside it, builds a site from a data folder of its own (the way a county uses the released package).

The fresh environment gets the wheel through pip, and the locked dependencies by a `.pth` line naming this
environment's site-packages (the same locked versions, without a download). Python does not run the `.pth`
files of a folder such a line adds, so this checkout's editable install is not there: the tests check that
`generator` is imported from the fresh environment and that nothing on its path is inside the repository.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator.checking.rules import GOOD_ID
from tests.sitebuild import ROOT, TODAY

SMALL = ROOT / "tests" / "fixtures" / "small" / "notices"


def run(*args, cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    completed = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--quiet",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "--wheel-dir",
        out,
        ROOT,
        cwd=out,
    )
    (built,) = out.glob("*.whl")
    return built


@pytest.fixture(scope="session")
def installed(tmp_path_factory, wheel) -> Path:
    """A fresh virtual environment with the wheel installed: its bin/ folder."""
    venv = tmp_path_factory.mktemp("county") / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=venv.parent)
    python = venv / "bin" / "python"
    run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--quiet",
        "--no-deps",
        "--no-index",
        wheel,
        cwd=venv.parent,
    )
    purelib = Path(
        run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=venv).stdout.strip()
    )
    (purelib / "locked-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return venv / "bin"


def test_the_wheel_carries_every_site_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "templates/home.html",
        "templates/town.html",
        "overrides/main.html",
        "overrides/404.html",
        "docs/about.md",
        "docs/assets/portal.css",
        "mkdocs.yml",
        "scripts/publish.sh",
        "node_modules/@sveltia/cms/dist/sveltia-cms.js",
        "node_modules/@sveltia/cms/package.json",
    ):
        assert f"generator/bundled/{needed}" in names, needed
    assert not any(name.startswith("generator/bundled/docs/images/") for name in names)  # README screenshots
    assert not any(name.endswith(".map") for name in names)  # the editor's source maps stay out


def test_the_installed_package_does_not_import_from_the_repository(installed):
    shown = run(
        installed / "python",
        "-c",
        "import sys, generator.resources as r; print(r.__file__); print(r.SITE);print('\\n'.join(sys.path))",
        cwd=installed.parent.parent,
    ).stdout.splitlines()
    module, site, *path = shown
    assert Path(module).is_relative_to(installed.parent) and Path(site).is_relative_to(installed.parent), shown
    assert not any(
        entry and Path(entry).resolve().is_relative_to(ROOT)
        for entry in path
        if not Path(entry).resolve().is_relative_to(Path(sysconfig.get_paths()["purelib"]))
    ), path


def test_the_installed_package_builds_a_site_outside_the_repository(installed, tmp_path):
    shutil.copytree(SMALL, tmp_path / "notices")
    # the small fixture's town list is old on purpose (its golden page shows the town-stale note)
    run(installed / "portal", "check", "--strict", "--stale-months", "0", "--today", TODAY.isoformat(), cwd=tmp_path)
    run(installed / "portal", "build", "--today", TODAY.isoformat(), cwd=tmp_path)
    home = BeautifulSoup((tmp_path / "site" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert home.select_one("article") and "湖南基层公告与法律服务" in home.title.get_text()
    assert (tmp_path / "site" / "about" / "index.html").is_file()  # a hand-written page from the package
    assert (tmp_path / "site" / "assets" / "portal.css").is_file()
    assert (tmp_path / "site" / "pagefind").is_dir()
    assert (tmp_path / "site" / "admin" / "sveltia-cms.js").is_file()  # the web editor, from the package
    assert list((tmp_path / "site" / "admin" / "fonts").glob("*.woff2"))


def test_a_county_overrides_pages_configuration_and_templates(installed, tmp_path):
    shutil.copytree(SMALL, tmp_path / "notices")
    site = Path(
        run(installed / "python", "-c", "import generator.resources as r; print(r.SITE)", cwd=tmp_path).stdout.strip()
    )
    shutil.copytree(site / "docs", tmp_path / "pages")
    (tmp_path / "pages" / "about.md").write_text("# 关于本县\n\n本县自办的公告网站。\n", encoding="utf-8")
    config = (site / "mkdocs.yml").read_text(encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(
        config.replace("site_name: 湖南基层公告与法律服务", "site_name: 某某县公告").replace(
            "  custom_dir: overrides\n", ""
        ),
        encoding="utf-8",
    )
    (tmp_path / "templates").mkdir()
    home = (site / "templates" / "home.html").read_text(encoding="utf-8")
    (tmp_path / "templates" / "home.html").write_text(
        home + '\n<p id="county-note">本县特别说明</p>\n', encoding="utf-8"
    )
    run(
        installed / "portal",
        "build",
        "--today",
        TODAY.isoformat(),
        "--docs",
        "pages",
        "--config",
        "mkdocs.yml",
        "--templates",
        "templates",
        cwd=tmp_path,
    )
    home_page = BeautifulSoup((tmp_path / "site" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert "某某县公告" in home_page.title.get_text() and home_page.select_one("#county-note")
    about = BeautifulSoup((tmp_path / "site" / "about" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert "本县自办的公告网站" in about.get_text()
    assert home_page.select_one("#pt-elder-toggle") is not None  # the generator's theme frame (overrides/) is kept


def test_a_county_starts_its_own_repository_with_portal_init(installed, tmp_path):
    """What a county's engineer does with the released package: portal init, a first notice, check, build."""
    county = tmp_path / "county"
    run(installed / "portal", "init", county, "--name", "衡东县", "--today", TODAY.isoformat(), cwd=tmp_path)
    run(
        installed / "portal",
        "new",
        "lost-document",
        "--yes",
        "--today",
        TODAY.isoformat(),
        "--field",
        "published=2026-11-20",
        "--field",
        "holder=张三",
        "--field",
        "document.type=身份证",
        "--field",
        f"document.number={GOOD_ID}",
        cwd=county,
    )
    run(installed / "portal", "check", "--strict", "--today", TODAY.isoformat(), cwd=county)
    run(installed / "portal", "build", "--strict", "--config", "mkdocs.yml", "--today", TODAY.isoformat(), cwd=county)
    site = county / "site"
    home = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert "衡东县基层公告与法律服务" in home.title.get_text() and home.select_one("#pt-elder-toggle")
    notice = BeautifulSoup(
        (site / "notices" / "lost" / "2026" / "2026-11-20-zhang-san-shen-fen-zheng" / "index.html").read_text(
            encoding="utf-8"
        ),
        "html.parser",
    )
    assert "张三" in notice.get_text() and GOOD_ID not in notice.get_text()  # masked, as everywhere
    run(installed / "portal", "publish", "dir", tmp_path / "www", cwd=county)  # the packaged publish.sh
    assert (tmp_path / "www" / "index.html").read_bytes() == (site / "index.html").read_bytes()
