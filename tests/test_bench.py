"""Smoke test of the benchmark harness (bench/run.py) at the smallest scale: it runs every scenario,
writes the table and the JSON, and leaves the data as it found it. No timing is asserted."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import run  # noqa: E402  (bench/run.py)
from scenarios import ADDED_NOTICE, EDITING  # noqa: E402

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
        assert 0 < row["search_bytes"] < row["site_bytes"]
        assert "check" in row["stages"]
    assert builds[2]["pages"] > builds[1]["pages"]  # the added notice has a page

    table = (results / "results.md").read_text(encoding="utf-8")
    assert "## Scale 0.01, seed 1" in table
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
