"""bench/results.json (every run, one per scale and seed) and bench/results.md, its tables.

results.md is made anew from results.json on every run, so a run replaces the earlier one of the
same scale and seed and keeps the others.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil
from measure import INTERVAL

ROOT = Path(__file__).resolve().parent.parent
MB = 1e6
MIB = 2**20

HEADER = """\
# Benchmark results

Made by `bench/run.py` (see [README.md](README.md) for how to repeat a run and what each column
means) from `results.json`; a run replaces the earlier one of the same scale and seed. Do not
edit by hand. The machine is shared with other jobs, so wall times are noisy: the load average
before the run is given with each table.
"""


@dataclass
class Result:
    scale: float
    seed: int
    machine: dict
    data: dict  # province.json of the data set
    rows: list[dict]  # run.Row as dicts
    ci_rows: list[dict] = field(default_factory=list)  # the path of a commit through CI (ci_path.py), run.Row
    ci_sizes: dict[str, int] = field(default_factory=dict)  # bytes: CiPath.sizes()

    @property
    def key(self) -> str:
        return f"scale={self.scale:g} seed={self.seed}"


def machine(hugo_version: str | None) -> dict:
    """Where and when the run happened."""
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "cpu": cpu_model(),
        "ram_bytes": psutil.virtual_memory().total,
        "load_before": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "system": platform.platform(terse=True),
        "hugo": hugo_version,
        "commit": git("rev-parse", "--short", "HEAD"),
        "uncommitted_changes": bool(git("status", "--porcelain", "--untracked-files=no")),
    }


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else ""


def save(result: Result, folder: Path) -> tuple[Path, Path]:
    """Put `result` into folder/results.json (replacing the run of the same key), then rewrite results.md."""
    folder.mkdir(parents=True, exist_ok=True)
    js, md = folder / "results.json", folder / "results.md"
    runs = load(js)
    runs[result.key] = asdict(result)
    ordered = dict(sorted(runs.items(), key=lambda kv: (kv[1]["scale"], kv[1]["seed"])))
    js.write_text(json.dumps({"runs": ordered}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    md.write_text(HEADER + "".join("\n" + table(Result(**run)) for run in ordered.values()), encoding="utf-8")
    return md, js


def load(js: Path) -> dict[str, dict]:
    try:
        return json.loads(js.read_text(encoding="utf-8"))["runs"]
    except (OSError, ValueError, KeyError):
        return {}


def table(result: Result) -> str:
    """One run as a Markdown section: what and where, the table, the ratios to Hugo."""
    m, d = result.machine, result.data
    lines = [
        f"## Scale {result.scale:g}, seed {result.seed}",
        "",
        f"{m['date']} · {m['cores']} cores ({m['cpu']}), {m['ram_bytes'] / 2**30:.1f} GiB RAM, "
        f"load {m['load_before']} before the run · Python {m['python']} · {m['system']} · "
        f"{hugo_name(m['hugo'])} · commit {m['commit'] or '?'}"
        f"{' with uncommitted changes' if m['uncommitted_changes'] else ''}",
        "",
        f"Data: {d.get('towns', 0):,} towns, {d.get('grids', 0):,} grids, {d.get('lost', 0):,} lost-document and "
        f"{d.get('deregistration', 0):,} deregistration notices; {d.get('files', 0):,} files, "
        f"{d.get('bytes', 0) / MB:.1f} MB.",
        "",
        *rows_table(result.rows),
    ]
    ratios = hugo_ratios(result.rows)
    if ratios:
        lines += ["", ratios]
    if result.ci_rows:
        lines += [
            "",
            "The path of a commit through CI (bench/ci_path.py), step by step:",
            "",
            *rows_table(result.ci_rows),
        ]
        lines += ["", ci_sizes(result.ci_sizes)]
    lines += ["", sampling(result.rows + result.ci_rows)]
    return "\n".join(lines) + "\n"


COLUMNS = (
    "| scenario | wall s | CPU s | peak PSS MiB | peak RSS MiB | pages | rendered | pages/s | site MB | search index MB "
    "| stages (s) |"
)


def rows_table(rows: list[dict]) -> list[str]:
    return [COLUMNS, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|", *(row_line(row) for row in rows)]


def row_line(row: dict) -> str:
    pss = row.get("peak_pss")  # runs from before PSS was measured have none
    cells = [
        row["scenario"],
        f"{row['wall']:.1f}",
        f"{row['cpu']:.1f}",
        "" if pss is None else f"{pss / MIB:.0f}",
        f"{row['peak_rss'] / MIB:.0f}",
        number(row["pages"]),
        number(row["rendered"]),
        "" if row["pages_per_second"] is None else f"{row['pages_per_second']:.0f}",
        "" if row["site_bytes"] is None else f"{row['site_bytes'] / MB:.1f}",
        "" if row["search_bytes"] is None else f"{row['search_bytes'] / MB:.1f}",
        " · ".join(f"{stage} {seconds:g}" for stage, seconds in row["stages"].items()),
    ]
    return "| " + " | ".join(cells) + " |"


def ci_sizes(sizes: dict[str, int]) -> str:
    return (
        f"Cache archive (site and .portal-cache, as actions/cache makes it): {sizes.get('archive', 0) / MB:.1f} MB; "
        f"the records in .portal-cache {sizes.get('portal_cache', 0) / MB:.1f} MB before compression; "
        f"published site {sizes.get('published', 0) / MB:.1f} MB."
    )


def sampling(rows: list[dict]) -> str:
    """What measuring the memory cost: samples, PSS reads, and the benchmark's own CPU time for them."""
    if not rows or "samples" not in rows[0]:
        return "Memory: peak RSS summed over the process tree, sampled every 50 ms (measured before PSS was)."
    steps = [row for row in rows if not row["scenario"].endswith(": total")]  # a total repeats its steps
    cpu, wall = sum(row["sampler_cpu"] for row in steps), sum(row["wall"] for row in steps)
    return (
        f"Memory sampling (measure.py): {sum(row['samples'] for row in steps):,} samples of the process trees, "
        f"{INTERVAL * 1000:.0f} ms apart, PSS read in {sum(row['pss_reads'] for row in steps):,} of them; the "
        f"sampler used {cpu:.1f} s of CPU over {wall:.0f} s of commands ({100 * cpu / wall if wall else 0:.1f} % "
        "of one core)."
    )


def number(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def hugo_name(version: str | None) -> str:
    return version.split("+")[0].replace("hugo v", "Hugo ") if version else "Hugo not installed"


def hugo_ratios(rows: list[dict]) -> str:
    """'Ours / Hugo: …' for the full build, or '' without both rows."""
    full = next((r for r in rows if r["scenario"] == "full build"), None)
    hugo = next((r for r in rows if r["scenario"].startswith("Hugo")), None)
    if not full or not hugo or not hugo["wall"]:
        return ""
    render = full["stages"].get("render")
    text = f"Ours / Hugo, full build: {full['wall'] / hugo['wall']:.1f}× the wall time, "
    if full.get("peak_pss") and hugo.get("peak_pss"):
        text += f"{full['peak_pss'] / hugo['peak_pss']:.1f}× the peak PSS"
    else:
        text += f"{full['peak_rss'] / hugo['peak_rss']:.1f}× the peak RSS"
    if render is not None:
        text += f"; our render stage alone: {render / hugo['wall']:.1f}× Hugo's whole build"
    return text + "."
