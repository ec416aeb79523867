"""Redirect pages at the addresses the site published before its pinyin was corrected.

Until the slugs came from pypinyin (generator/checking/slugs.py), every address was made by python-slugify,
one reading per character (宁乡市 → zhu-xiang-shi, 法律援助 → fa-lu-yuan-zhu). Those addresses are
printed on notices, in WeChat chats and in search engines, so each one that now names another
address gets a small static page that sends the reader on (dev/addresses.md).

The old addresses are not a list kept by hand: `legacy()` makes them again from the data with the old
reading (`slugs.legacy_slug`) and the old tie-breaks (-2, -3 in file or regions.yaml order), which are
frozen here for that purpose and used for nothing else. So a county that published addresses with
an older version keeps them reachable with no file of its own to maintain, and a county that starts
now gets no redirects at all (its old and new addresses are the same).

Anchors inside a town page are kept by anchors.py with the same old reading (an alias with the old id
inside its element). A redirect page cannot pass an anchor on (a refresh drops the #… of the address it
was opened at), so an old town address with an anchor opens the town page at its top.
"""

from __future__ import annotations

import html
import posixpath
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath

from ..checking.model import Portal, Region
from ..checking.slugs import legacy_slug

#: Marks a redirect page, for the output scan and the tests (`<meta name="generator" content=…>`).
REDIRECT_MARK = "portal-redirect"


def legacy(
    portal: Portal,
    region_url: Callable[[Region], str],
    county_urls: Iterable[tuple[str, str]],
    categories: Iterable[tuple[str, str]],
) -> dict[str, str]:
    """Old address → current address, for every page whose address the old reading made differently.

    `region_url` gives a place's current list page, `county_urls` the (county path, current address)
    of each county's legal-services page, `categories` the (category, current address) of each guide
    category page."""
    pairs: list[tuple[str, str]] = []
    taken: dict[str, int] = defaultdict(int)  # the old rule: the first notice by file path keeps the slug
    for notice in sorted([*portal.lost, *portal.deregistrations], key=lambda n: n.source.path):
        folder, year, name = PurePosixPath(notice.data_file).parts[-3:]
        url = f"notices/{folder}/{year}/{legacy_slug(PurePosixPath(name).stem, 'notice')}/"
        taken[url] += 1
        pairs.append((url if taken[url] == 1 else f"{url[:-1]}-{taken[url]}/", notice.url))
    for town in portal.towns:
        county, name = PurePosixPath(town.source.path).parts[-2:]
        pairs.append(
            (f"towns/{legacy_slug(county, 'county')}/{legacy_slug(PurePosixPath(name).stem, 'town')}/", town.url)
        )
    old_regions = _legacy_region_urls(portal.regions)
    prefix = "notices/regions/"
    for path, url in old_regions.items():
        pairs.append((url, region_url(_find(portal, path))))
    for path, url in county_urls:
        pairs.append(("judges/" + old_regions[path][len(prefix) :], url))
    for guide in portal.guides:
        pairs.append((f"legal/guides/{legacy_slug(PurePosixPath(guide.source.path).stem, 'guide')}/", guide.url))
    for category, url in categories:
        pairs.append((f"legal/{legacy_slug(category)}/", url))
    count: dict[str, int] = defaultdict(int)
    for old, _ in pairs:
        count[old] += 1
    return {old: new for old, new in pairs if old != new and count[old] == 1}


def _legacy_region_urls(regions: list[Region]) -> dict[str, str]:
    """notices/regions/… as the old rule made them: -2, -3 … for a repeated slug, in regions.yaml order."""
    urls: dict[str, str] = {}
    taken: dict[str, int] = defaultdict(int)

    def walk(siblings: list[Region]) -> None:
        for region in siblings:
            parent = region.path.rpartition("/")[0]
            url = f"{urls[parent] if parent else 'notices/regions/'}{legacy_slug(region.name, 'region')}/"
            taken[url] += 1
            urls[region.path] = url if taken[url] == 1 else f"{url[:-1]}-{taken[url]}/"
            walk(region.children)

    walk(regions)
    return urls


def _find(portal: Portal, path: str) -> Region:
    """The place at `path`, from the portal's index (searching the tree for every place took 0.5 s at scale 1)."""
    region = portal.region(path)
    if region is None:
        raise KeyError(path)
    return region


def page(old: str, new: str) -> str:
    """The redirect page written at `old`: no script (the output scan allows none the theme did not
    bring), a refresh, a canonical link and a link a reader can tap when the refresh is blocked."""
    target = html.escape(posixpath.relpath(new, old) + "/", quote=True)
    return (
        "<!doctype html>\n"
        '<html lang="zh">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="generator" content="{REDIRECT_MARK}">\n'
        '<meta name="robots" content="noindex">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>本页已搬到新地址</title>\n"
        f'<link rel="canonical" href="{target}">\n'
        f'<meta http-equiv="refresh" content="0; url={target}">\n'
        "</head>\n<body>\n"
        f'<p>本页已搬到新地址 (this page has moved)：<a href="{target}">打开新页面</a></p>\n'
        "</body>\n</html>\n"
    )


def write(site: Path, moved: dict[str, str]) -> list[str]:
    """Write a redirect page at every old address that is not a page of the site now and whose new
    address is; the old addresses written, sorted."""
    written = []
    for old, new in sorted(moved.items()):
        if (site / old / "index.html").exists() or not (site / new / "index.html").is_file():
            continue
        (site / old).mkdir(parents=True, exist_ok=True)
        (site / old / "index.html").write_text(page(old, new), encoding="utf-8")
        written.append(old)
    return written
