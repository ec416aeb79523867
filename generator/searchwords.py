"""Search-only words for Pagefind: put in a data-pagefind-meta value, never shown, never in excerpts.

Pagefind cuts page text into words with its own Chinese dictionary but cuts the
query with the browser's, so a name like 王子波 (indexed as 王子 + 波) is missed by
the query 子波. Here every character of a Chinese name or place is its own word,
in order (docs/assets/search.js also looks a query up character by character as
a phrase), so any part of a name typed in the box finds it. A "/" keeps two
values from reading as one phrase. Phone numbers are added as bare digits, so
07345297228 finds a number shown as 0734-5297228.

Only names, places and phone numbers go in, never a document number
(generator/privacy.py decides what of those is public).
"""

from __future__ import annotations

import re

from .schema import PhoneNumber

_SEPARATORS = re.compile(r"[\s,，:：（）()、/]+")


def words(values) -> str:
    out: list[str] = []
    for value in values:
        if not value:
            continue
        if out:
            out.append("/")
        if isinstance(value, PhoneNumber):
            out.append(value.href[4:].split(",")[0])
            continue
        for token in _SEPARATORS.split(str(value)):
            if not token:
                continue
            if token.isascii():
                out.append(token)
            else:
                out.extend(token)
    return " ".join(out)


def town_values(town) -> list:
    """Every name, place and phone number on a town page, in page order."""
    values: list = [town.name]
    for judge in town.judges:
        values += [judge.name, judge.phone]
    if town.office:
        values += [town.office.name, town.office.phone]
    for service in town.legal_services:
        values += [service.name, service.phone]
    for grid in town.grids:
        values += [grid.name, grid.village, grid.leader.name, grid.leader.phone, *grid.covers]
        for worker in grid.workers:
            values += [worker.name, worker.phone]
        for building in grid.buildings:
            values += [building.name, building.leader.name, building.leader.phone]
    return values
