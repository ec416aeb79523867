"""Smoke test of the benchmark harness (bench/run.py) at the smallest scale: it runs every scenario,
writes the table and the JSON, and leaves the data as it found it; the memory sampler (bench/measure.py)
sums PSS over a forked process tree; the path of a commit through CI (bench/ci_path.py) runs its steps on
a county's starter repository; bench/serve.py times each save through `portal serve`. No timing is asserted."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import measure  # noqa: E402  (bench/measure.py)
import report  # noqa: E402
import run  # noqa: E402
from ci_path import FIRST, NEXT, STEPS  # noqa: E402
from scenarios import ADDED_NOTICE, EDITING, Dataset  # noqa: E402

from generator.publishing import county  # noqa: E402

MIB = 2**20

SCENARIOS = ["full build", "no-change rebuild", "one notice added", "one town edited", run.COLD_CHECK, run.WARM_CHECK]


def test_timings_line_is_read_with_stage_names_of_several_words():
    output = "网站已生成 (site built: 417 pages, 3 rendered anew)\ncheck 1.0s  hub pages 0.1s  render 12.5s\n预览"
    assert run.stage_timings(output) == {"check": 1.0, "hub pages": 0.1, "render": 12.5}
    assert run.rendered_count(output) == 3
    assert run.stage_timings("no timings here\n") == {}


def test_harness_measures_every_scenario_and_restores_the_data(tmp_path):
    results = tmp_path / "results"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "run.py"),
            "--scale",
            "0.01",
            "--work",
            str(tmp_path / "work"),
            "--results",
            str(results),
            "--no-ci-path",  # test_ci_path_runs_every_step_on_a_starter_repository, on smaller data
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr

    runs = json.loads((results / "results.json").read_text(encoding="utf-8"))["runs"]
    rows = runs["scale=0.01 seed=1"]["rows"]
    names = [row["scenario"] for row in rows]
    assert names[:6] == SCENARIOS
    assert any(name.startswith("Hugo") for name in names) == (shutil.which("hugo") is not None)
    builds = rows[:4]
    for row in builds:
        assert row["wall"] > 0 and row["peak_rss"] > 0 and row["pages"] > 100
        assert 0 < row["peak_pss"] and row["samples"] >= row["pss_reads"] > 0
        assert 0 < row["search_bytes"] < row["site_bytes"]
        assert "check" in row["stages"]
    assert builds[2]["pages"] > builds[1]["pages"]  # the added notice has a page

    table = (results / "results.md").read_text(encoding="utf-8")
    assert "## Scale 0.01, seed 1" in table and "| peak PSS MiB | peak RSS MiB |" in table
    assert "Memory sampling (measure.py): " in table and "through CI" not in table
    assert table.count("\n| ") == 1 + len(rows)  # header and one line per row

    notices = tmp_path / "work" / "data-0.01-1" / "notices"
    assert not (notices / ADDED_NOTICE).exists() and not (notices / EDITING).exists()
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "province.py"), "--scale", "0.01", "--out", str(tmp_path / "fresh")],
        capture_output=True,
        check=True,
    )
    assert files(notices) == files(tmp_path / "fresh" / "notices")


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


HELD = 64  # MiB a parent touches before it forks three children that share them (copy-on-write)
FORKED_TREE = f"""
import os, sys
held = bytearray({HELD} * 2**20)
for i in range(0, len(held), 4096):
    held[i] = 1
children = []
for _ in range(3):
    pid = os.fork()
    if pid == 0:
        sys.stdin.read()  # until the test closes the pipe
        os._exit(0)
    children.append(pid)
print("ready", flush=True)
sys.stdin.read()
for pid in children:
    os.waitpid(pid, 0)
"""


def test_pss_counts_pages_shared_by_forked_processes_once_where_rss_counts_them_in_each():
    process = subprocess.Popen(
        [sys.executable, "-c", FORKED_TREE], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None and process.stdout.readline() == "ready\n"
        root = psutil.Process(process.pid)
        processes = measure.tree(root)
        assert len(processes) == 4
        memory = measure.tree_memory(processes)
        assert memory.pss is not None
        assert memory.rss > 4 * HELD * MIB  # the held pages once per process
        assert HELD * MIB < memory.pss < (HELD + 4 * 16) * MIB  # once, plus four interpreters' own pages
        assert measure.tree_memory(processes, pss=False).pss is None

        sampler = measure.Sampler(root)
        sampler.sample()
        assert sampler.samples == sampler.pss_reads == 1
        assert sampler.peak_rss > 4 * HELD * MIB and HELD * MIB < sampler.peak_pss < (HELD + 4 * 16) * MIB
        assert sampler.cpu > 0
    finally:
        process.communicate("")
    assert process.returncode == 0
    assert measure.tree(root) == []  # gone: a sample of it is empty, not an error
    assert measure.tree_memory([root]) == measure.Memory(0, 0)


def test_ci_path_runs_every_step_on_a_starter_repository(tmp_path):
    """The steps of two commits through CI on `portal init`'s repository (one town, one notice): the next
    commit's build keeps what the restored cache holds, and the publish target gets the site built."""
    data = tmp_path / "data"
    assert county.run(county.InitOptions(data, today=dt.date(2026, 11, 23))) == 0
    bench = run.Bench(Dataset(data, 0.01, 1), tmp_path / "out", tmp_path / "hugo", tmp_path / "ci")
    rows, sizes = bench.ci_path()

    first_steps = [step for step in STEPS if step != "restore cache"]
    assert [row.scenario for row in rows] == [
        *(f"{FIRST}: {step}" for step in (*first_steps, "total")),
        *(f"{NEXT}: {step}" for step in (*STEPS, "total")),
    ]
    first, after = rows[: len(first_steps)], rows[len(first_steps) + 1 : -1]
    first_build, next_build = (
        next(r for r in steps if r.scenario.endswith("portal build")) for steps in (first, after)
    )
    assert next_build.pages > first_build.pages  # the added notice's page (and its day's)
    assert 0 < next_build.rendered < first_build.rendered  # the restored cache was used (an incremental build)
    assert next_build.peak_pss > 0 and next_build.peak_rss > 0 and "check" in next_build.stages
    for steps, total in ((first, rows[len(first_steps)]), (after, rows[-1])):
        assert total.wall == sum(step.wall for step in steps)
        assert total.peak_pss == max(step.peak_pss for step in steps)

    ci = tmp_path / "ci"
    assert files(ci / "published") == files(ci / "workspace" / "site")  # publish.sh's copy is the build
    assert (ci / "workspace" / "notices" / ADDED_NOTICE).is_file()  # cloned at the new commit
    assert sizes["archive"] > 0 and sizes["portal_cache"] > 0 and sizes["published"] > 0

    result = report.Result(0.01, 1, report.machine(None), {}, [], [run.row_dict(row) for row in rows], sizes)
    table = report.table(result)
    assert "through CI" in table and "Cache archive" in table
    assert table.count("\n| ") == 2 + len(rows)  # the two (empty and CI) headers and one line per row


def test_results_from_before_pss_still_make_a_table():
    old = {"scenario": "full build", "wall": 1.0, "cpu": 1.0, "peak_rss": MIB, "pages": 1, "rendered": 1}
    old |= {"pages_per_second": 1.0, "site_bytes": 1, "search_bytes": 1, "stages": {}}
    table = report.table(report.Result(0.01, 1, report.machine(None), {}, [old]))
    assert "| full build | 1.0 | 1.0 |  | 1 |" in table and "measured before PSS was" in table


def test_serve_benchmark_times_every_save_and_restores_the_data(tmp_path):
    """bench/serve.py on the sample: each save is shown by the quick look, then rebuilt; every file put back."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "notices", data / "notices")
    before = files(data / "notices")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "serve.py"), "--data", str(data), "--port", str(port)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    saves = [line.partition(":")[0] for line in lines if ": shown " in line and ", rebuilt " in line]
    assert saves == ["one town edited", "one notice added", "the town edited again"], done.stdout
    assert lines[0].startswith("first build: ") and lines[-1].startswith("every file put back, rebuilt")
    assert files(data / "notices") == before
