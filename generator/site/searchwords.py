"""Search-only words for Pagefind: put in a data-pagefind-meta value, never shown, never in excerpts.

Pagefind cuts page text into words with its own Chinese dictionary but cuts the
query with the browser's, so a name like 王子波 (indexed as 王子 + 波) is missed by
the query 子波. Here every character of a Chinese name or place is its own word
(a run of digits and letters stays one: 兴业小区11栋 → 兴 业 小 区 11 栋), in order (docs/assets/search.js also looks a query up character by character as
a phrase), so any part of a name typed in the box finds it. A "/" keeps two
values from reading as one phrase. A phone number shown with a hyphen or spaces is
added as bare digits, so 07345297228 finds 0734-5297228 (one shown as bare digits is
found in the page text already). A document goes in with its number as published
(`privacy.public_number`; a masked ID number not at all, its visible part is on the
page), its name and its issuer, so 湘（2015）北福县不动产权第0439649号 is found whole.
Each value goes in once: a town page names a village or a block many times, and
these words travel to the browser with every result (Pagefind's fragment).

Traditional and Simplified: the words are written in Simplified characters
(`simplified()`, OpenCC's `tw2s`), and search.js turns every query into Simplified
with the same conversion (the vendored opencc-js `Converter({from: "tw", to: "cn"})`).
So 烏塘村3組 typed by a clerk is found by 乌塘村3组, and the other way round. The
page itself shows exactly what staff wrote.

Only names, places, phone numbers, public document numbers and the page's generic labels go in,
never a whole ID number (generator/checking/privacy.py decides what of a number is public).

Generic labels (`LABELS`: a town page's roles, a notice's kind). The browser cuts a query with ICU's
dictionary (Pagefind 1.5's search calls `Intl.Segmenter(lang, {granularity: "word"})`), Pagefind's
extended build cuts page text with its own (jieba), and the two disagree on common words: Chromium cuts
网格 into 网 格 while the index holds 网格 (and 网格员, 网格长) whole, so the plain search asks for a word
starting with 网 AND one starting with 格, and no town page has a word starting with 格. With the labels
in the search-only words one character a word, both the plain search (网, 格) and search.js's phrase
("网 格") find every page that prints them, however either side cuts them.
"""

from __future__ import annotations

import functools
import re

from ..checking import privacy
from ..checking.model import Document
from ..checking.schema import PhoneNumber

_SEPARATORS = re.compile(r"[\s,，:：（）()、/]+")
#: A group or block of a place: 乌塘村3组, 兴业小区11栋 (docs/assets/search.js has the same pattern).
NUMBERED = re.compile(r"^(.*\D)\d+(?:组|栋|号楼|单元)$")
_WORD = re.compile(r"[A-Za-z0-9]+|\w")  # in Chinese text: each character a word, a run of digits and letters one

#: OpenCC configuration: Traditional (with Taiwan's variant forms) to Simplified; search.js uses the same.
CONVERSION = "tw2s"


@functools.cache
def _converter():
    import opencc

    return opencc.OpenCC(CONVERSION)


def simplified(text: str) -> str:
    """`text` in Simplified characters (网格员 for 網格員); text without Chinese comes back unchanged."""
    if text.isascii():
        return text
    return _converter().convert(text)


def _texts(value) -> list[str]:
    """What of `value` goes into the search-only words; nothing when the page text already serves."""
    if isinstance(value, PhoneNumber):
        digits = value.href[4:].split(",")[0]
        return [] if value.text == digits else [digits]
    if isinstance(value, Document):
        number = None if privacy.is_masked(value) else value.number  # masked: its visible part is on the page
        return [text for text in (number, value.name, value.issuer) if text]
    return [str(value)] if value else []


def words(values) -> str:
    out: list[str] = []
    seen: set[str] = set()
    for text in (text for value in values for text in _texts(value)):
        if text in seen:
            continue
        seen.add(text)
        if out:
            out.append("/")
        for token in _SEPARATORS.split(simplified(text)):
            if not token:
                continue
            out.extend([token] if token.isascii() else _WORD.findall(token))
    return " ".join(out)


#: The role labels a town page prints (templates/town.html), found by 网格, 网格员, 网格长, 法官.
LEADER, WORKER, BUILDING_LEADER, JUDGE = "网格长", "网格员", "楼栋长", "驻镇法官"


def notice_values(notice, *values) -> list:
    """A notice's search-only values: its kind (遗失声明, 注销公告: found by 遗失, 注销), then `values`."""
    return [notice.kind_label, *values]


def town_values(town) -> list:
    """Every name, place and phone number on a town page, in page order, then its role labels (not the grids' names,
    乌塘村第一网格: the village is there, and 第一网格 is on every town page; groups and blocks
    as their place, see `numbered_place`)."""
    values: list = [town.name]
    for judge in town.judges:
        values += [judge.name, judge.phone]
    if town.office:
        values += [town.office.name, town.office.phone]
    for service in town.legal_services:  # a committee's name is its place's, written out on the page already
        values += [service.phone] if service.kind == "mediation" else [service.name, service.phone]
    labels = [judge.title or JUDGE for judge in town.judges]
    for grid in town.grids:
        values += [grid.village, grid.leader.name, grid.leader.phone, *map(numbered_place, grid.covers)]
        labels.append(LEADER)
        for worker in grid.workers:
            values += [worker.name, worker.phone]
            labels.append(WORKER)
        for building in grid.buildings:
            values += [numbered_place(building.name), building.leader.name, building.leader.phone]
            labels.append(BUILDING_LEADER)
    return values + labels  # each value goes in once (words())


def numbered_place(name: str) -> str:
    """乌塘村3组 → 乌塘村, 兴业小区11栋 → 兴业小区: a town lists dozens of groups and blocks of one
    village or compound, so the words hold the place once and search.js looks up 乌塘村3组 as
    "乌 塘 村" (the same NUMBERED pattern) and then finds 3组 in the pages' text."""
    match = NUMBERED.match(name)
    return match.group(1) if match else name
