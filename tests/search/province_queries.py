"""The search-quality set on a generated province: what residents type, and which pages answer it.

    .venv/bin/python -m tests.search.province_queries      # rewrites tests/search/province.yaml

The data is `bench/province.py --scale 0.07 --seed 1` (~2,300 notices, 133 towns), which is
deterministic, so the list is written once, committed and reviewed like any other test data;
tests/test_search_province.py generates the same data, derives the list again and fails if it
differs from the file (then rerun this command and review the diff).

Which entries: every list of candidates (notices, towns, people) is in URL order, and
`spread()` takes evenly spaced ones from it, so nothing is hand-picked. Each entry names the
`page` it was made from and, in `also`, every other page that truly holds the query as well
(a name that several people share, seven digits that start several phone numbers, a town name
used twice): at this scale such a query is ambiguous, and any of those pages is a right answer.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from generator.checking import privacy
from generator.checking.model import LostDocumentNotice, Portal, Town
from generator.checking.schema import PhoneNumber
from generator.publishing.build import Options, run_check
from generator.site.searchindex import search_group
from generator.site.searchwords import town_values

ROOT = Path(__file__).resolve().parents[2]
QUERIES = Path(__file__).with_name("province.yaml")
SCALE, SEED, TODAY = "0.07", "1", dt.date(2026, 11, 23)
GROUP = re.compile(r"^\w+?村\d+组$")
PERSON = re.compile(r"^\w{2,4}$")  # a person's name: 2–4 characters, no 公司/协会 (those are longer)


@dataclass
class Case:
    query: str
    page: str
    kind: str
    why: str
    also: list[str] = field(default_factory=list)
    every: str = ""  # a generic word: every page under this URL prefix holds it,
    documents: int = 0  # and this many Pagefind documents under `indexed` (a notice's is its day or week group)
    indexed: str = ""

    def as_dict(self) -> dict:
        out = {"query": self.query, "page": self.page, "kind": self.kind, "why": self.why}
        if self.also:
            out["also"] = self.also
        if self.every:
            out["every"] = self.every
            out["documents"] = self.documents
            out["indexed"] = self.indexed
        return out


def generate(out: Path) -> Path:
    """Write the province data into `out`; returns its notices/ folder."""
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "province.py"),
            "--scale",
            SCALE,
            "--seed",
            SEED,
            "--today",
            TODAY.isoformat(),
            "--out",
            str(out),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return out / "notices"


def load(notices: Path) -> Portal:
    checked = run_check(Options(notices=notices, today=TODAY))
    assert not checked.problems, "\n".join(p.format() for p in checked.problems[:10])
    return checked.portal


def spread(items: list, count: int) -> list:
    """`count` evenly spaced items of `items` (the first, then every len/count-th)."""
    return [items[i * len(items) // count] for i in range(count)] if items else []


def fold(text: str) -> str:
    return re.sub(r"[\s\-]", "", text).lower()


def digits(phone: PhoneNumber) -> str:
    return phone.href[4:].split(",")[0]


def page_values(item) -> list[str]:
    """What a page shows that a resident may type: names, places, phones, public numbers (folded)."""
    if isinstance(item, Town):
        values = town_values(item)
    elif isinstance(item, LostDocumentNotice):
        doc = item.document
        values = [item.holder, doc.issuer, item.region, privacy.public_number(doc)]
    else:
        values = [item.organization, item.contact.name, item.contact.phone, item.credit_code, item.region]
    return [fold(digits(v) if isinstance(v, PhoneNumber) else str(v)) for v in values if v]


def url(item) -> str:
    return item.url.strip("/") + "/"


class Pages:
    """Every town and notice page, and which of them hold a query."""

    def __init__(self, portal: Portal):
        self.portal = portal
        self.items = sorted([*portal.towns, *portal.lost, *portal.deregistrations], key=url)
        self.values = {url(item): page_values(item) for item in self.items}

    def holding(self, query: str, exclude: str) -> list[str]:
        want = fold(query)
        return [
            page for page, values in self.values.items() if page != exclude and any(want in value for value in values)
        ]

    def case(self, query: str, item, kind: str, why: str, also: list[str] | None = None) -> Case:
        page = url(item)
        return Case(query, page, kind, why, self.holding(query, page) if also is None else also)


def people(town: Town):
    """(role, person) on a town page, judges first, then each grid's leader and workers."""
    for judge in town.judges:
        yield "驻镇法官", judge
    for grid in town.grids:
        yield "网格长", grid.leader
        for worker in grid.workers:
            yield "网格员", worker


def cases(portal: Portal) -> list[Case]:
    pages = Pages(portal)
    lost = sorted(portal.lost, key=url)
    dereg = sorted(portal.deregistrations, key=url)
    towns = sorted(portal.towns, key=url)
    persons = [n for n in lost if PERSON.match(n.holder) and n.document.type != "营业执照"]
    three = [n for n in persons if len(n.holder) == 3]
    town_people = [(town, role, p) for town in spread(towns, 8) for role, p in list(people(town))[::37]]
    three_people = [(t, r, p) for t, r, p in town_people if len(p.name) == 3]
    out: list[Case] = []

    for n in spread(persons, 6):
        out.append(pages.case(n.holder, n, "全名", f"{n.document.type}遗失声明人"))
    for town, role, p in spread(town_people, 4):
        out.append(pages.case(p.name, town, "全名", f"{town.name}{role}"))
    for n in spread(three, 4)[:2] + spread(three[1:], 4)[2:]:
        out.append(pages.case(n.holder[:2], n, "姓+一字", f"声明人{n.holder}"))
    for n in spread(three[2:], 2):
        out.append(pages.case(n.holder[1:], n, "名（两字）", f"声明人{n.holder}"))
    for town, role, p in spread(three_people, 2):
        out.append(pages.case(p.name[1:], town, "名（两字）", f"{town.name}{role}{p.name}"))
    for town in spread(towns, 4):
        covers = [c for grid in town.grids for c in grid.covers if GROUP.match(c)]
        for cover in spread(covers, 2)[1:]:  # the middle one
            out.append(pages.case(cover, town, "村+组", f"{town.name}网格覆盖"))
    for town in spread([t for t in towns if any(grid.buildings for grid in t.grids)], 2):
        blocks = [building.name for grid in town.grids for building in grid.buildings]
        for block in spread(blocks, 2)[1:]:
            out.append(pages.case(block, town, "小区+栋", f"{town.name}楼栋长"))
    phones = [(town, p.phone, f"{town.name}{role}{p.name}") for town, role, p in spread(town_people, 2)]
    phones += [(n, n.contact.phone, f"注销公告清算联系人{n.contact.name}") for n in spread(dereg, 2)]
    for item, phone, why in phones:
        out.append(pages.case(digits(phone), item, "电话", why))
    for item, phone, why in phones:
        out.append(pages.case(digits(phone)[:7], item, "电话前7位", why))
    numbered = [
        n for n in lost if n.document.number and not privacy.is_masked(n.document) and n.document.type != "营业执照"
    ]
    for n in spread(numbered, 4):
        out.append(pages.case(n.document.number, n, "证件号码", f"{n.document.label}编号"))
    for n in spread(dereg, 2):
        out.append(pages.case(n.credit_code, n, "信用代码", "注销单位统一社会信用代码"))
    for n in spread([n for n in lost if n.document.type == "营业执照"], 2):
        out.append(pages.case(n.document.number, n, "信用代码", "遗失营业执照的统一社会信用代码"))
    ids = [n for n in lost if privacy.is_masked(n.document)]
    for n in spread(ids, 4):
        tail = privacy.visible_part(n.document)
        same = [url(m) for m in ids if m is not n and privacy.visible_part(m.document) == tail]
        out.append(
            pages.case(
                tail, n, "身份证尾号", f"{n.holder}的身份证（页面显示 {privacy.public_number(n.document)}）", same
            )
        )
    for town in spread(towns, 4):
        same = [url(t) for t in towns if t is not town and t.name == town.name]
        out.append(pages.case(town.name, town, "镇名", "镇（街道）页面", same))
    out += generic(towns, lost, dereg)
    return out


def generic(towns: list[Town], lost: list, dereg: list) -> list[Case]:
    """Generic words, printed on every page of a kind: a town page's roles, a notice's kind. Each must find
    every page holding it (`every`: the pages' URL prefix; `documents`: how many Pagefind documents hold it,
    a notice's being its day or week group, generator/site/searchindex.py)."""
    judged = [t for t in towns if t.judges]  # the page prints 驻镇法官 above its judges
    groups = lambda notices: len({search_group(n) for n in notices})  # noqa: E731
    rows = [
        ("网格", towns, len(towns), "镇（街道）页面的网格"),
        ("网格员", towns, len(towns), "镇页面的网格员"),
        ("网格长", towns, len(towns), "镇页面的网格长"),
        ("法官", judged, len(judged), "镇页面的驻镇法官"),
        ("注销", dereg, groups(dereg), "注销公告"),
        ("遗失", lost, groups(lost), "遗失声明"),
    ]
    return [
        Case(
            word,
            url(items[0]),
            "通用词",
            why,
            every=url(items[0]).split("/")[0]
            + "/"
            + ("" if isinstance(items[0], Town) else url(items[0]).split("/")[1] + "/"),
            documents=documents,
            indexed="towns/" if isinstance(items[0], Town) else search_group(items[0]).rsplit("/", 2)[0] + "/",
        )
        for word, items, documents, why in rows
        if items
    ]


HEADER = """\
# Search-quality set on the generated province (bench/province.py --scale {scale} --seed {seed}).
# Written by `.venv/bin/python -m tests.search.province_queries`; do not edit by hand.
# tests/test_search_province.py checks that this file is what the generated data gives, then runs each query.
#   query: exactly what is typed;  page: the page the entry was made from;  kind, why: what is looked for
#   also:  other pages that truly hold the query too (a shared name, a phone prefix): any of them is right
"""


def render(found: list[Case]) -> str:
    body = yaml.safe_dump([c.as_dict() for c in found], allow_unicode=True, sort_keys=False, width=200)
    return HEADER.format(scale=SCALE, seed=SEED) + body


def main() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        found = cases(load(generate(Path(tmp))))
    QUERIES.write_text(render(found), encoding="utf-8")
    print(f"{QUERIES.relative_to(ROOT)}: {len(found)} queries")


if __name__ == "__main__":
    main()
