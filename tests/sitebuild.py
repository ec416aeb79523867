"""Helpers for tests that build real sites into temporary folders and read them back as HTML."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bs4 import BeautifulSoup

from generator.publishing.build import Options, build

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "notices"
TODAY = dt.date(2026, 11, 23)
#: Noon of TODAY in China: the clock of browser tabs that show a claim state (claim.js reads the visitor's day).
TODAY_CLOCK = dt.datetime.combine(TODAY, dt.time(12), dt.timezone(dt.timedelta(hours=8)))


def build_site(notices: Path, site_dir: Path, today: dt.date = TODAY, templates: Path | None = None):
    result = build(Options(notices=notices, site_dir=site_dir, today=today, templates=templates))
    assert not result.failed, "\n".join(p.format() for p in result.problems)
    return result


def page(site: Path, url: str) -> BeautifulSoup:
    """The parsed HTML of the page at a directory-style URL such as `towns/hengdong/ganxi/`."""
    return BeautifulSoup((site / url / "index.html").read_text(encoding="utf-8"), "html.parser")


def body_text(soup: BeautifulSoup) -> str:
    """The visible text of the generated part of a page."""
    article = soup.select_one("article.md-content__inner") or soup
    return article.get_text(" ", strip=True)


def is_redirect(path: Path) -> bool:
    """A redirect page at an address published before (generator/site/moved.py), not a page of its own."""
    return 'content="portal-redirect"' in path.read_text(encoding="utf-8", errors="replace")[:400]


def html_pages(site: Path):
    """Every page of the site (redirect pages apart: `redirect_pages`)."""
    return sorted(p for p in site.rglob("*.html") if "pagefind" not in p.parts and not is_redirect(p))


def redirect_pages(site: Path):
    return sorted(p for p in site.rglob("index.html") if "pagefind" not in p.parts and is_redirect(p))


def sample_site(tmp_path_factory, name: str) -> Path:
    """The sample data (notices/) built into a fresh temporary folder, for a module-scoped fixture."""
    site_dir = tmp_path_factory.mktemp(name) / "site"
    build_site(SAMPLE, site_dir)
    return site_dir
