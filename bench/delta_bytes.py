#!/usr/bin/env python3
"""What a search delta costs (generator/publishing/segments.py): first-search bytes and the Pagefind stage, after a fold
and with deltas of growing size.

    .venv/bin/python bench/province.py --scale 0.03 --seed 1 --out /tmp/prov
    .venv/bin/python bench/delta_bytes.py /tmp/prov --changes 1 10 20 --query 网格 --query 注销

Builds <prov>/notices into <prov>/site with `--fold`, then for each count edits `holder:` in that many more
lost-document notices of different days (each one search document: its day group), rebuilds, and searches
each query in a fresh Chromium context (empty cache), counting every search bundle and the manifest
(tests/searchpage.py). The notices are edited in place: generate the province again to start over.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.publishing import segments
from tests.browser import browse
from tests.searchpage import measured_search

PORTAL = str(Path(sys.executable).with_name("portal"))


def build(province: Path, *extra: str) -> str:
    done = subprocess.run(
        [
            PORTAL,
            "build",
            "--notices",
            str(province / "notices"),
            "--site-dir",
            str(province / "site"),
            "--timings",
            *extra,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"pagefind ([\d.]+)s", done.stdout + done.stderr)
    return found.group(1) + " s" if found else "?"


def measure(province: Path, label: str, stage: str, queries: list[str]) -> None:
    manifest = json.loads((province / "site" / segments.MANIFEST).read_text(encoding="utf-8"))
    row = [label, f"{len(manifest['added'])} in the delta", f"Pagefind stage {stage}"]
    with browse(province / "site") as browser:
        for query in queries:
            _, cost = measured_search(browser, query, browser.new_page())
            row.append(f"{query} {cost.pagefind_bytes / 1000:.1f} KB")
    print(" | ".join(row), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("province", type=Path, help="the --out folder of bench/province.py")
    parser.add_argument("--changes", type=int, nargs="+", default=[1, 10, 20])
    parser.add_argument("--query", action="append", default=[])
    args = parser.parse_args()
    queries = args.query or ["网格", "注销"]
    days: dict[str, Path] = {}
    for path in sorted((args.province / "notices" / "lost").rglob("*.yaml")):
        days.setdefault(path.name[:10], path)
    files = list(days.values())[100:]
    measure(args.province, "fold", build(args.province, "--fold"), queries)
    done = 0
    for count in args.changes:
        for path in files[done:count]:
            text = path.read_text(encoding="utf-8")
            path.write_text(
                re.sub(r"^holder: (\S+)", r"holder: \1甲", text, count=1, flags=re.MULTILINE), encoding="utf-8"
            )
        done = count
        measure(args.province, f"{count} changed", build(args.province), queries)


if __name__ == "__main__":
    main()
