"""Page addresses and anchors made from Chinese text: one reading, one tie-break, for every page.

`slug()` spells a name in toneless pinyin (pypinyin, with its phrase dictionary) and turns what is
left into an ASCII address part the way python-slugify always has (lower case, `-` between words):
宁乡市 → ning-xiang-shi, 长塘村 → chang-tang-cun, 法律援助 → fa-lv-yuan-zhu. pypinyin reads a few
characters the way they are read outside place names; `SINGLE` and `PHRASES` correct them (dev/addresses.md
lists them, and tests/test_slugs.py holds one case for each).

`distinct()` gives homophones (高源镇 and 高园镇 of one county, both gao-yuan-zhen) addresses of their
own without asking anyone to rename anything: the member that owns the bare address is chosen by a
permanent key, every other member gets a suffix made from its OWN key (its region code, or its name),
never from how many came before it. dev/addresses.md explains why that keeps published addresses.

`legacy_slug()` is the reading the site used before (python-slugify's text-unidecode, one reading
per character: 宁 → zhu). It is kept only to know the addresses already published, which get a
redirect page (generator/site/moved.py); nothing new is named with it.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from slugify import slugify

if TYPE_CHECKING:
    from .model import Region

#: Characters whose place-name reading pypinyin does not give when no phrase of its dictionary holds
#: them (a phrase it knows, such as 村长 cūnzhǎng or 曾经 céngjīng, keeps its reading).
SINGLE: dict[str, str] = {
    "长": "chang",  # 长塘村, 长冲村, 长坪村: pypinyin reads zhang (311 official Hunan place names)
    "曾": "zeng",  # the surname in 曾家湾, 曾家冲; pypinyin reads ceng (曾经 keeps ceng)
}

#: Words read differently in place names than pypinyin's phrase dictionary (or its single reading) says.
PHRASES: dict[str, str] = {
    "长沙": "chang sha",  # also after 省, 市 or 县: 湖南省长沙市 is not 省长 (governor) + 沙
    "朝阳": "chao yang",  # 朝阳村, 朝阳街道 (the dictionary's zhao yang is the morning sun)
    "单家": "shan jia",  # the surname 单 (Shàn) in 单家村
    "解家": "xie jia",  # the surname 解 (Xiè) in 解家湾
}

_PHRASE = re.compile("|".join(sorted(map(re.escape, PHRASES), key=len, reverse=True)))


@functools.cache
def _pypinyin() -> Callable[[str], list[str]]:
    """pypinyin's lazy_pinyin with `SINGLE` for characters outside a phrase it knows. Imported on first
    use: its dictionaries take a moment to load, and a check of data named in ASCII never needs them."""
    from pypinyin import Style
    from pypinyin.constants import PHRASES_DICT
    from pypinyin.converter import DefaultConverter
    from pypinyin.core import Pinyin

    class PlaceNames(DefaultConverter):
        def _phrase_pinyin(self, phrase, style, heteronym, errors, strict):
            if phrase in PHRASES_DICT or not any(char in SINGLE for char in phrase):
                return super()._phrase_pinyin(phrase, style, heteronym, errors, strict)
            result = []
            for char in phrase:
                result += (
                    [[SINGLE[char]]]
                    if char in SINGLE
                    else super()._phrase_pinyin(char, style, heteronym, errors, strict)
                )
            return result

    converter = Pinyin(PlaceNames())
    return lambda text: converter.lazy_pinyin(text, style=Style.NORMAL) if text else []


HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")


def pinyin(text: str) -> str:
    """The text with every Chinese character spelled in toneless pinyin and followed by a space; other
    text kept as it is (so 1栋 reads 1dong, as the addresses made before read it).

    >>> pinyin("长塘村1组")
    'chang tang cun 1zu '
    """
    out: list[str] = []
    start = 0
    for run in HAN.finditer(text):
        out.append(text[start : run.start()])
        out += [f"{syllable} " for syllable in _han(run.group())]
        start = run.end()
    out.append(text[start:])
    return "".join(out)


def _han(text: str) -> list[str]:
    """The syllables of a run of Chinese characters: `PHRASES` first, pypinyin for the rest."""
    syllables: list[str] = []
    start = 0
    for match in _PHRASE.finditer(text):
        syllables += _pypinyin()(text[start : match.start()])
        syllables += PHRASES[match.group()].split()
        start = match.end()
    return syllables + _pypinyin()(text[start:])


@functools.lru_cache(maxsize=65536)  # a province repeats names (新塘村, 东湖社区 …) and the pages ask again
def slug(text: str, fallback: str = "", max_length: int = 0, word_boundary: bool = False) -> str:
    """An ASCII address part: lower-case letters, digits and `-`; `fallback` when nothing is left.

    >>> slug("汉寿县"), slug("侗族"), slug("Zero .yaml"), slug("！！", "town")
    ('han-shou-xian', 'dong-zu', 'zero-yaml', 'town')
    """
    made = slugify(pinyin(text), max_length=max_length, word_boundary=word_boundary)
    return made or fallback


@functools.lru_cache(maxsize=65536)
def legacy_slug(text: str, fallback: str = "") -> str:
    """The address part the site made before (python-slugify alone: 宁 → zhu); for redirects only."""
    return slugify(text) or fallback


Key = TypeVar("Key", bound=Hashable)


@dataclass(frozen=True)
class Claim:
    """One page that wants an address: `base` (…/gao-yuan-zhen/), and what it is known by for good:
    `code` (its region code, or None), `name` (its name as written: the file name, the place name),
    `exact` (that name already is its address part, as a file named gao-yuan-zhen.yaml is) and `since`
    (when it was first published, where the data says: a notice's date)."""

    base: str
    code: str | None
    name: str
    exact: bool = False
    since: str | None = None


def suffix(claim: Claim) -> str:
    """What tells one homophone from the others, made from the claim alone: the digits of its region
    code below its parent's (a town 430424104000 → 104, a village 430424104201 → 201, a county
    430424 → 24, a city 430400 → 04), or four hexadecimal digits of its name's SHA-256 when it has no code.

    >>> suffix(Claim("x/", "430424104000", "高园镇")), suffix(Claim("x/", None, "高园镇"))
    ('104', 'e12d')
    """
    if claim.code and claim.code.isdigit():
        code = claim.code
        code = code[:-3] if len(code) == 12 and code.endswith("000") else code  # a town's 12-digit statistics code
        code = code[:-2] if len(code) == 6 and code.endswith("00") else code  # a city's 6-digit GB/T 2260 code
        return code[-3:] if len(code) > 6 else code[-2:]
    return hashlib.sha256(claim.name.encode("utf-8")).hexdigest()[:4]


def owner_key(claim: Claim) -> tuple[bool, bool, str, str]:
    """Who keeps the bare address among homophones: a name that already is its address (a file named
    in pinyin), then the earliest: the earliest publication date, or the smallest region code (codes
    are issued in order, so a place set up later has a larger one); then by name."""
    first = claim.since or claim.code
    return (not claim.exact, first is None, first or "", claim.name)


def distinct(claims: dict[Key, Claim]) -> dict[Key, str]:
    """The address of every claim: its base when no other claim has the same one; otherwise the owner
    (`owner_key`) keeps the base and every other one gets `<base>-<suffix>/`, its suffix made from
    itself alone, so a homophone added later never moves an address already given.

    >>> distinct({1: Claim("t/gao-yuan-zhen/", "430424104000", "高园镇"),
    ...           2: Claim("t/gao-yuan-zhen/", "430424102000", "高源镇")})
    {2: 't/gao-yuan-zhen/', 1: 't/gao-yuan-zhen-104/'}
    """
    groups: dict[str, list[Key]] = defaultdict(list)
    for key, claim in claims.items():
        groups[claim.base].append(key)
    taken = set(groups)
    urls: dict[Key, str] = {}
    for base, keys in groups.items():
        ordered = sorted(keys, key=lambda k: owner_key(claims[k]))
        urls[ordered[0]] = base
        for key in ordered[1:]:
            url, name = f"{base.rstrip('/')}-{suffix(claims[key])}/", claims[key].name
            while url in taken:  # a code written twice, or another page's own address: extremely rare
                name += "-"
                url = f"{base.rstrip('/')}-{suffix(Claim(base, None, name))}/"
            taken.add(url)
            urls[key] = url
    return urls


def place_urls(regions: list[Region], prefix: str) -> dict[str, str]:
    """The address of every place in regions.yaml (by its 市/县/镇 path): its parent's address and its
    name's slug (`prefix` for the top), homophone siblings (乌塘村 and 吴塘村) told apart by `distinct`."""
    urls: dict[str, str] = {}

    def walk(siblings: list[Region], base: str) -> None:
        given = distinct({r.path: Claim(f"{base}{slug(r.name, 'region')}/", r.code, r.name) for r in siblings})
        urls.update(given)
        for region in siblings:
            walk(region.children, given[region.path])

    walk(regions, prefix)
    return urls
