"""What a resident's searches cost on a built site of any size: bytes of Pagefind files and time to results.

    .venv/bin/python bench/search_bytes.py SITE_DIR --notices NOTICES_DIR [--queries 8]

Serves SITE_DIR on 127.0.0.1, opens Debian's Chromium with an empty cache, and searches, in one tab,
queries taken from the data in a fixed way (the first notice's holder, a credit code, a grid worker's
name and phone, a village group): the first query shows what an empty cache costs, the rest what
each later query costs. It reuses the search tests' browser driver (tests/searchpage.py) and prints a
Markdown table. This is a measurement, not a test: the budgets (first ≤ 300 KB, later ≤ 100 KB) are
asserted by tests/test_search*.py on the sample and a 2,300-notice set; here they are only compared.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.checking.model import Deregistration, LostDocumentNotice
from generator.publishing.build import Options, run_check
from tests.browser import Browser, serve
from tests.searchpage import FIRST_QUERY_BUDGET, LATER_QUERY_BUDGET, measured_search


def queries(notices: Path, today: dt.date) -> list[tuple[str, str]]:
    """(query, what it is) pairs picked from the data by fixed positions, so runs are comparable."""
    portal = run_check(Options(notices=notices, today=today)).portal
    lost = [n for n in portal.lost if isinstance(n, LostDocumentNotice)]
    deregs = [n for n in portal.deregistrations if isinstance(n, Deregistration)]
    town = portal.towns[len(portal.towns) // 2]
    grid = town.grids[len(town.grids) // 2]
    picked = [
        (lost[len(lost) // 3].holder, "holder's full name"),
        (deregs[len(deregs) // 2].credit_code, "credit code"),
        (grid.leader.name, "grid leader's name"),
        (str(grid.leader.phone), "grid leader's phone"),
        (grid.covers[0] if grid.covers else grid.village, "village group / street"),
        (town.name, "town name"),
        (deregs[len(deregs) // 3].organization, "organisation"),
        (lost[2 * len(lost) // 3].holder[:2], "surname + one character"),
    ]
    return picked


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--notices", type=Path, required=True)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2026, 11, 23))
    parser.add_argument("--queries", type=int, default=8)
    args = parser.parse_args(argv)
    picked = queries(args.notices, args.today)[: args.queries]
    print("| # | query | what | results | pagefind KB | files | time to results |")
    print("|--:|---|---|--:|--:|--:|--:|")
    worst_later = 0
    with serve(args.site) as base_url, Browser(base_url) as browser:
        tab = browser.new_page()
        for number, (query, what) in enumerate(picked, 1):
            pages, cost = measured_search(browser, query, tab)
            if number > 1:
                worst_later = max(worst_later, cost.pagefind_bytes)
            else:
                first = cost.pagefind_bytes
            print(
                f"| {number} | {query} | {what} | {len(pages)} | {cost.pagefind_bytes / 1000:,.1f} | "
                f"{cost.pagefind_files} | {cost.shown} |"
            )
    print(
        f"\nfirst query {first / 1000:,.1f} KB (budget {FIRST_QUERY_BUDGET / 1000:,.0f}); "
        f"largest later query {worst_later / 1000:,.1f} KB (budget {LATER_QUERY_BUDGET / 1000:,.0f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
