"""Stable anchors on a town page: where search results, the 我住在哪个村 chips and printed QR codes land.

Every village, grid, person, building and WeChat group on a town page has an id made from what staff
wrote, not from its position, so an address such as `towns/hengdong/ganxi/#grid-03-liu-yu-liang`
keeps pointing at the same person when grids are reordered or others are added
(docs/guide/staff.md lists the forms):

    village-<村名拼音>             乌塘村                 → village-wu-tang-cun
    grid-<网格编号>                grid 03                → grid-03
    grid-<网格编号>-leader         its 网格长              → grid-03-leader
    grid-<网格编号>-<姓名拼音>      a 网格员                → grid-03-liu-yu-liang
    grid-<网格编号>-<楼栋拼音>      a building (楼栋长)     → grid-11-xing-ye-xiao-qu-11dong
    grid-<网格编号>-wechat         its WeChat group
    judge-<姓名拼音>               a judge                → judge-chen-mei
    service-<名称拼音>             the office, a legal service

Two names with the same pinyin on one page (乌塘村 and 吴塘村) get -2, -3 … in page order.
docs/assets/search.js reads these ids back from Pagefind's anchors: a section is a village, an article
a grid, a div a person, a building, a group or a service.

Ids published before the pinyin was corrected stay where they were (dev/addresses.md). Until then the
names were spelled by python-slugify alone (曾建武 → grid-09-ceng-jian-wu, now grid-09-zeng-jian-wu), and
those ids are in links, search engines and printed QR codes. `town_anchors` makes the page's ids twice
with one function, `_assign`: with today's reading and with the old one (`slugs.legacy_slug`, the one
moved.py makes the old page addresses with), so the old ids come from the data, not from a list. The
tie-break (-2, -3 in page order) is the one the old ids were made with; if it ever changes, the old one
has to be kept for `_assign`'s second run. Where an element's old id differs from its id, the template
puts an empty alias first inside the element (`TownAnchors.alias`):

    <div class="pt-person" id="grid-09-zeng-jian-wu"><span class="pt-alias" id="grid-09-ceng-jian-wu" data-pagefind-ignore></span>…

A browser opening #grid-09-ceng-jian-wu lands on the person with no script (portal.css makes it land
exactly where the new id does and highlights the person); Pagefind records no anchor for an element
marked data-pagefind-ignore, so search.js never sees an alias and the index is byte for byte the same.
An old id that is an id of the page now (another element's: 层明 took grid-1-ceng-ming that was 曾明's)
gets no alias: the current id wins, because it is what the page, search and every code printed since
name, and an id can be on a page once; the old link lands on the element that holds it now.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from markupsafe import Markup

from ..checking import slugs
from ..checking.model import Town

FIXED = ("judges", "services")  # the sections every town page has


@dataclass
class TownAnchors:
    """The ids of one town page, keyed by what they name."""

    villages: dict[str, str] = field(default_factory=dict)
    people: dict[tuple[str, str, int], str] = field(default_factory=dict)  # (kind, grid id, index)
    taken: set[str] = field(default_factory=lambda: set(FIXED))
    town: Town | None = None  # the page's town: its old ids are made on first use (`aliases`)

    def claim(self, wanted: str) -> str:
        anchor, n = wanted, 1
        while anchor in self.taken:
            n += 1
            anchor = f"{wanted}-{n}"
        self.taken.add(anchor)
        return anchor

    @functools.cached_property
    def aliases(self) -> dict[str, str]:
        """Current id → the id the old reading gave the same element (`legacy_anchors`); made when a page
        first asks, so the boards page, which needs none, costs nothing more."""
        return legacy_anchors(self, _assign(self.town, _legacy)) if self.town else {}

    def alias(self, anchor: str) -> Markup:
        """An empty element carrying the old id of the element whose id is `anchor` (nothing if it has none),
        to put first inside it: a browser opening #old lands on that element. Pagefind records no anchor
        for an element marked data-pagefind-ignore, so search neither sees it nor grows."""
        old = self.aliases.get(anchor)
        return Markup('<span class="pt-alias" id="{}" data-pagefind-ignore></span>').format(old) if old else Markup()

    def village(self, name: str) -> str:
        return self.villages[name]

    def worker(self, grid, index: int) -> str:
        return self.people["worker", grid.id, index]

    def building(self, grid, index: int) -> str:
        return self.people["building", grid.id, index]

    def judge(self, index: int) -> str:
        return self.people["judge", "", index]

    def service(self, index: int) -> str:
        """The office is -1, the legal services 0, 1, …"""
        return self.people["service", "", index]


def _slug(text: str) -> str:
    return slugs.slug(text, "x")


def _legacy(text: str) -> str:
    return slugs.legacy_slug(text, "x")


def town_anchors(town: Town) -> TownAnchors:
    """The ids of a town page, with an alias for every id the old reading gave differently (`aliases`)."""
    anchors = _assign(town, _slug)
    anchors.town = town
    return anchors


def village_anchors(town: Town) -> TownAnchors:
    """The ids of a town page's villages alone, the same as `town_anchors` gives them (villages are given
    theirs before any person is): what the 公示牌 link to. Spelling every person's name in pinyin again
    for them was a tenth of the cost of a province's 公示牌 pages."""
    return _assign(town, _slug, people=False)


def legacy_anchors(now: TownAnchors, before: TownAnchors) -> dict[str, str]:
    """Current id → the id the old reading gave the same element, where they differ and the old one is
    not an id of the page now. On a clash the current id wins: it is what the page, search and every QR
    code printed since name, and a page holds an id once; the old link then lands where the id is now."""
    pairs = [(before.villages[name], new) for name, new in now.villages.items()]
    pairs += [(before.people[key], new) for key, new in now.people.items()]
    return {new: old for old, new in pairs if old != new and old not in now.taken}


def _assign(town: Town, reading: Callable[[str], str], people: bool = True) -> TownAnchors:
    """The ids of a town page with `reading` spelling the names; the same tie-break for both readings.
    Without `people`, the villages' alone (the ids given after them cannot change theirs)."""
    anchors = TownAnchors()
    for grid in town.grids:
        anchors.taken.update(
            {grid.anchor, f"{grid.anchor}-leader", f"{grid.anchor}-wechat", f"{grid.anchor}-buildings"}
        )
    for grid in town.grids:
        if grid.village not in anchors.villages:
            anchors.villages[grid.village] = anchors.claim(f"village-{reading(grid.village)}")
    if not people:
        return anchors
    for i, judge in enumerate(town.judges):
        anchors.people["judge", "", i] = anchors.claim(f"judge-{reading(judge.name)}")
    if town.office:
        anchors.people["service", "", -1] = anchors.claim(f"service-{reading(town.office.name)}")
    for i, service in enumerate(town.legal_services):
        anchors.people["service", "", i] = anchors.claim(f"service-{reading(service.name)}")
    for grid in town.grids:
        for i, worker in enumerate(grid.workers):
            anchors.people["worker", grid.id, i] = anchors.claim(f"{grid.anchor}-{reading(worker.name)}")
        for i, building in enumerate(grid.buildings):
            anchors.people["building", grid.id, i] = anchors.claim(f"{grid.anchor}-{reading(building.name)}")
    return anchors
