"""Benchmark `portal build` at a given scale, side by side with Hugo; write bench/results.md and .json.

    .venv/bin/python bench/run.py --scale 0.1 [--seed 1] [--work /tmp/portal-bench] [--results bench]

Scenarios, each a separate process, in this order on one data set (see bench/README.md):
full build from nothing, no-change rebuild, one notice added, one town edited (the added notice
still there), then `portal check --strict` alone: every file (`--no-cache`), then again after the
two edits are undone, with the check results the last build cached; then Hugo on the same pages;
then the path of two commits through CI, step by step (bench/ci_path.py; `--no-ci-path` leaves it
out). The data is put back as it was at the end.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import hugo
import report
from ci_path import FIRST, NEXT, CiPath
from measure import Run, count_pages, run, tree_bytes
from scenarios import SITE_URL, BenchError, Dataset, Edits, checked

HERE = Path(__file__).resolve().parent
PORTAL = Path(sys.executable).with_name("portal")
TIMING = re.compile(r"(\S[^\d]*?) (\d+(?:\.\d+)?)s")
TIMINGS_LINE = re.compile(r"^(?:\S[^\d]*? \d+(?:\.\d+)?s\s*)+$")
COLD_CHECK = "portal check --strict, every file (--no-cache)"
WARM_CHECK = "portal check --strict, after the edits are undone (cache)"
BUILT = re.compile(r"site built: (\d+) pages(?:, (\d+) rendered anew)?")


@dataclass
class Row:
    """One measured scenario: a line of the results table."""

    scenario: str
    wall: float
    cpu: float
    peak_pss: int  # bytes: the largest PSS summed over the process tree (measure.py)
    peak_rss: int  # bytes: the largest RSS summed over the process tree (shared pages once per process)
    samples: int = 0  # samples of the process tree, and in how many of them PSS was read (measure.py)
    pss_reads: int = 0
    sampler_cpu: float = 0.0  # CPU seconds the benchmark spent sampling the tree's memory
    pages: int | None = None  # index.html files in the site made
    rendered: int | None = None  # pages the build says it rendered anew (not kept from its cache)
    site_bytes: int | None = None
    search_bytes: int | None = None  # the Pagefind index (site/pagefind)
    stages: dict[str, float] = field(default_factory=dict)  # `portal build --timings`

    @property
    def pages_per_second(self) -> float | None:
        return self.pages / self.wall if self.pages and self.wall else None

    @classmethod
    def measured(cls, scenario: str, done: Run, site: Path | None = None) -> Row:
        """The row of a finished command; with `site`, the build that made it (its pages, sizes, stages)."""
        row = cls(
            scenario, done.wall, done.cpu, done.peak_pss, done.peak_rss, done.samples, done.pss_reads, done.sampler_cpu
        )
        if site is not None:
            row.pages = count_pages(site)
            row.rendered = rendered_count(done.stdout)
            row.site_bytes = tree_bytes(site)
            row.search_bytes = tree_bytes(site / "pagefind") if (site / "pagefind").is_dir() else None
            row.stages = stage_timings(done.stdout)
        progress(row)
        return row

    @classmethod
    def total(cls, scenario: str, steps: list[Row]) -> Row:
        """Steps run one after the other, as one row: their seconds added up, the largest of their peaks, the
        pages of the build among them."""
        built = next((step for step in steps if step.pages is not None), None)
        row = cls(
            scenario,
            sum(step.wall for step in steps),
            sum(step.cpu for step in steps),
            max(step.peak_pss for step in steps),
            max(step.peak_rss for step in steps),
            sum(step.samples for step in steps),
            sum(step.pss_reads for step in steps),
            sum(step.sampler_cpu for step in steps),
        )
        if built is not None:
            row.pages, row.rendered = built.pages, built.rendered
        progress(row)
        return row


def stage_timings(output: str) -> dict[str, float]:
    """The `--timings` line (`check 1.2s  render 3.4s ...`) as {stage: seconds}; {} when there is none."""
    for line in output.splitlines():
        if TIMINGS_LINE.match(line.strip()):
            return {name.strip(): float(seconds) for name, seconds in TIMING.findall(line)}
    return {}


def rendered_count(output: str) -> int | None:
    found = BUILT.search(output)
    return int(found.group(2)) if found and found.group(2) else None


@dataclass
class Bench:
    data: Dataset
    out: Path  # our site and everything our build keeps beside it (its cache)
    hugo_dir: Path
    ci_dir: Path  # the CI path's repository, runner workspace, cache archive and publish target

    @property
    def site(self) -> Path:
        return self.out / "site"

    def today(self) -> list[str]:
        today = self.data.counts().get("today")
        return ["--today", today] if today else []

    def build(self, scenario: str) -> Row:
        command = [
            str(PORTAL),
            "build",
            "--notices",
            str(self.data.notices),
            "--site-dir",
            str(self.site),
            "--timings",
            "--site-url",
            SITE_URL,
            *self.today(),
        ]
        return Row.measured(scenario, checked(run(command), f"{scenario}: portal build"), self.site)

    def full_build(self) -> Row:
        """A build from nothing: no site, and no cache (the build keeps it beside the site, in `out`)."""
        if self.out.exists():
            shutil.rmtree(self.out)
        self.out.mkdir(parents=True)
        return self.build("full build")

    def check(self, scenario: str, *options: str) -> Row:
        command = [
            str(PORTAL),
            "check",
            "--strict",
            "--notices",
            str(self.data.notices),
            "--site-dir",
            str(self.site),
            *options,
            *self.today(),
        ]
        return Row.measured(scenario, checked(run(command), scenario))

    def hugo(self) -> Row:
        pages = hugo.export(self.site, self.hugo_dir / "project")
        site = self.hugo_dir / "site"
        done = checked(hugo.build(self.hugo_dir / "project", site), "hugo")
        return Row.measured(f"Hugo, same {pages:,} pages", done, site)

    def ci_path(self) -> tuple[list[Row], dict[str, int]]:
        """Two commits' paths through CI (bench/ci_path.py): each step, then the commit's total; and the
        sizes of the cache archive, the cached records and the published site after the second."""
        path = CiPath(self.data, self.ci_dir, PORTAL, self.today())
        path.prepare()
        rows: list[Row] = []
        for label, restore in ((FIRST, False), (NEXT, True)):
            if restore:
                path.add_notice()
            steps = [
                Row.measured(f"{label}: {step.name}", step.done, path.site if step.name == "portal build" else None)
                for step in path.commit(restore)
            ]
            rows += [*steps, Row.total(f"{label}: total", steps)]
        return rows, path.sizes()


def progress(row: Row) -> None:
    print(
        f"  {row.scenario}: {row.wall:.1f} s, {row.peak_pss / 2**20:.0f} MiB peak PSS "
        f"({row.peak_rss / 2**20:.0f} MiB RSS summed)",
        file=sys.stderr,
        flush=True,
    )


def measure_all(bench: Bench, with_hugo: bool) -> list[Row]:
    rows = [bench.full_build()]
    hugo_row = bench.hugo() if with_hugo else None  # from the full build's pages, before any edit
    rows.append(bench.build("no-change rebuild"))
    with Edits(bench.data.notices) as edits:
        edits.add_notice()
        rows.append(bench.build("one notice added"))
        edits.edit_town()
        rows.append(bench.build("one town edited"))
    rows.append(bench.check(COLD_CHECK, "--no-cache"))
    rows.append(bench.check(WARM_CHECK))  # the two edits undone: two files to check again
    if hugo_row:
        rows.append(hugo_row)
    return rows


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="Time portal build (full and incremental) and Hugo on province-scale data.")
    p.add_argument("--scale", type=float, default=0.1, help="data size, 0.01 … 1 (default 0.1)")
    p.add_argument("--seed", type=int, default=1, help="data seed (default 1)")
    p.add_argument(
        "--work",
        type=Path,
        default=Path("/tmp/portal-bench"),
        help="work folder: data, sites, Hugo project (default /tmp/portal-bench)",
    )
    p.add_argument("--results", type=Path, default=HERE, help="folder of results.md and results.json (default bench/)")
    p.add_argument(
        "--no-ci-path", dest="ci_path", action="store_false", help="leave out the path of a commit through CI"
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if not 0.01 <= args.scale <= 1:
        print("bench: --scale must be between 0.01 and 1", file=sys.stderr)
        return 2
    if not PORTAL.exists():
        print(f"bench: {PORTAL} not found; run this with the project's venv (.venv/bin/python)", file=sys.stderr)
        return 2
    hugo_version = hugo.installed()
    if hugo_version is None:
        print("bench: hugo is not installed (apt-get install hugo); measuring without it", file=sys.stderr)
    work = args.work.resolve()
    data = Dataset(work / f"data-{args.scale:g}-{args.seed}", args.scale, args.seed)
    machine = report.machine(hugo_version)  # before the run: the load average is the other users'
    try:
        print(f"bench: data at {data.root} ({'generated' if data.ensure() else 'reused'})", file=sys.stderr)
        bench = Bench(data, work / "out", work / "hugo", work / "ci")
        rows = measure_all(bench, hugo_version is not None)
        ci_rows, ci_sizes = bench.ci_path() if args.ci_path else ([], {})
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    result = report.Result(
        args.scale,
        args.seed,
        machine,
        data.counts(),
        [row_dict(row) for row in rows],
        [row_dict(row) for row in ci_rows],
        ci_sizes,
    )
    md, js = report.save(result, args.results)
    print(report.table(result))
    print(f"bench: written {md} and {js}", file=sys.stderr)
    return 0


def row_dict(row: Row) -> dict:
    return dict(asdict(row), pages_per_second=row.pages_per_second)


if __name__ == "__main__":
    sys.exit(main())
