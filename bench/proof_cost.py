"""CPU time to render notice pages and their 刊登证明 pages (dev/proof.md, "What it costs").

python bench/province.py --scale 0.1 --out /tmp/prov
.venv/bin/python bench/proof_cost.py /tmp/prov/notices [--count 300]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

from generator.publishing.build import Options, check
from generator.site.render import Job, Proof, renderer


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("notices", type=Path)
    p.add_argument("--count", type=int, default=300, help="notices to render (default 300)")
    p.add_argument("--site-url", default="https://gonggao.example.gov.cn/", help="'' for no QR codes")
    args = p.parse_args()
    portal = check(Options(notices=args.notices, today=dt.date(2026, 11, 23), cache=False)).portal
    portal.site_url = args.site_url or None
    pages = renderer(portal)
    notices = portal.notices[: args.count]
    for label, jobs in (
        ("notice", [Job("notice", n) for n in notices]),
        ("proof", [Job("proof", Proof(n)) for n in notices]),
    ):
        started, size = time.process_time(), 0
        for job in jobs:
            size += len(pages.render_job(job).body)
        spent = time.process_time() - started
        print(
            f"{label}: {len(jobs)} pages, {spent / len(jobs) * 1000:.2f} ms CPU a page, body {size / len(jobs):.0f} B"
        )


if __name__ == "__main__":
    main()
