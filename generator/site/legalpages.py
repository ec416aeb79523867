"""The legal-information pages: guides, their lists by category, the 法律服务 page, and the services
of each county (judges/<city>/<county>/), so no page lists a whole province.

`LegalPages` is mixed into render.Renderer: its jobs are shell pages like towns and notices. The
templates also call `hotlines_for`, `guides_for_place`, `guides_for_notice` and `registrar` (set
as Jinja globals by `add_globals`), so town and notice pages show the hotlines and guides of their place.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import jinja2

from ..checking import guides as guide_rules
from ..checking import legal
from ..checking.model import Deregistration, Guide, LostDocumentNotice, Portal, Region, Town
from .page import Job, Page, digest


def add_globals(env: jinja2.Environment) -> None:
    env.globals["hotlines_for"] = lambda portal, place: legal.hotlines_for(
        portal.hotlines, portal.place_hotlines, place
    )
    env.globals["guides_for_place"] = lambda portal, place: guide_rules.for_place(portal.guides, place)
    env.globals["guides_for_notice"] = lambda portal, notice: guide_rules.for_notice(portal.guides, notice)
    env.globals["registrar"] = legal.registrar
    env.globals["guide_category_url"] = guide_rules.category_url


class LegalPages:
    """Renderer methods for the legal pages (see render.Renderer)."""

    # What this mixin uses of the Renderer it is part of.
    portal: Portal
    page: Callable[..., Page]
    region_url: Callable[[Region], str]
    made_from: Callable[[Town], str]

    def legal_jobs(self) -> list:

        jobs = [Job("legal_home", _Target("legal/"))]
        jobs += [Job("guide", guide) for guide in self.portal.guides]
        jobs += [
            Job("guide_list", _Target(guide_rules.category_url(category), category))
            for category, _ in guide_rules.by_category(self.portal.guides)
        ]
        jobs += [Job("county_services", _Target(url, county.path)) for county, url, _ in self.service_counties()]
        return jobs

    def legal_key(self, job) -> str | None:
        """The page cache key of a legal page (None: not one of them)."""
        if job.method not in ("legal_home", "guide", "guide_list", "county_services"):
            return None
        if job.method == "county_services":
            shown = [self.made_from(town) for town in self._towns_of(job.target.place)]
        elif job.method == "legal_home":  # its place picker: every county and how many towns it has
            shown = [f"{county.path}\t{url}\t{len(towns)}" for county, url, towns in self.service_counties()]
        else:
            shown = []
        return digest(job.method, repr(job.target), self._legal_digest, *shown)

    def legal_key_of(self, target) -> str:
        """What a town or notice page shows of the legal data: its guides and hotlines. Worked out once per
        place (a town) or `notice_topic` (a notice, its place among them): all that decides them."""
        topic: tuple
        place: str | None
        if isinstance(target, Town):
            topic, place = ("town", target.path), target.path
        elif isinstance(target, (LostDocumentNotice, Deregistration)):
            topic, place = guide_rules.notice_topic(target), target.region
        else:
            return ""
        key = self._legal_keys.get(topic)
        if key is None:
            shown = (
                guide_rules.for_place(self.portal.guides, target.path)
                if isinstance(target, Town)
                else guide_rules.for_topic(self.portal.guides, *topic)
            )
            key = self._legal_keys[topic] = digest(
                *(f"{g.url}\t{g.title}" for g in shown),
                repr(legal.hotlines_for(self.portal.hotlines, self.portal.place_hotlines, place)),
            )
        return key

    @functools.cached_property
    def _legal_keys(self) -> dict[tuple, str]:
        return {}

    @functools.cached_property
    def _legal_digest(self) -> str:
        return digest(
            repr(self.portal.guides), repr(self.portal.hotlines), repr(sorted(self.portal.place_hotlines.items()))
        )

    # ---------------------------------------------------------------- pages

    def legal_home(self, target) -> object:
        return self.page(
            target.url,
            "法律服务",
            ["legal.html"],
            shell=True,
            categories=guide_rules.by_category(self.portal.guides),
            tree=self._tree,
            county_urls=self._county_urls,
        )

    def guide(self, guide: Guide):
        return self.page(
            guide.url,
            guide.title,
            ["guide.html"],
            shell=True,
            guide=guide,
            hotlines=legal.hotlines_for(
                self.portal.hotlines,
                self.portal.place_hotlines,
                guide.applies_to[0] if len(guide.applies_to) == 1 else None,
            ),
        )

    def guide_list(self, target):
        guides = [g for g in self.portal.guides if g.category == target.place]
        return self.page(
            target.url,
            f"法律指南：{target.place}",
            ["guides.html"],
            shell=True,
            category=target.place,
            guides=guides,
            categories=guide_rules.by_category(self.portal.guides),
        )

    def county_services(self, target):
        county = self.index[target.place]
        return self.page(
            target.url,
            f"{county.name}驻镇法官与法律服务",
            ["county-services.html"],
            shell=True,
            county=county,
            towns=self._towns_of(target.place),
            hotlines=legal.hotlines_for(self.portal.hotlines, self.portal.place_hotlines, target.place),
        )

    # ---------------------------------------------------------------- helpers

    def service_counties(self) -> list[tuple[Region, str, list[Town]]]:
        """Every county with towns, its services page's URL, and its towns."""
        return [
            (county, self._county_urls[county.path], towns) for _, counties in self._tree for county, towns in counties
        ]

    @functools.cached_property
    def _tree(self):
        return self.town_tree()

    @functools.cached_property
    def _county_urls(self) -> dict[str, str]:
        """judges/<city>/<county>/, in the pinyin the notice region lists use (same clash handling)."""
        prefix = "notices/regions/"
        return {
            county.path: "judges/" + self.region_url(county)[len(prefix) :]
            for _, counties in self._tree
            for county, _ in counties
        }

    def _towns_of(self, county_path: str) -> list[Town]:
        return self._county_towns.get(county_path, [])

    @functools.cached_property
    def _county_towns(self) -> dict[str, list[Town]]:
        return {county.path: towns for _, counties in self._tree for county, towns in counties}


class _Target:
    """A legal page that is not one object of the model: its URL and the place or category it is about."""

    def __init__(self, url: str, place: str = ""):
        self.url, self.place = url, place

    def __repr__(self) -> str:
        return f"_Target({self.url!r}, {self.place!r})"
