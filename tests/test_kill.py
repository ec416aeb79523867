"""`portal build` killed at any point leaves the old site or the new one, and the next build equals a clean one.

A small site is built from version A of its data, then version B (one notice edited, one added, one
removed), then A again, and so on. Each of these builds is SIGKILLed at a chosen event (see
tests/killpoint.py: every file written, folder made, rename, removal or process started counts
as one), chosen without any clock: evenly over the events of an uninterrupted build in the same
direction, plus every exchange, rename, replace and symlink in the last quarter of those events (the swap
of the site with its spare copy and of the cache's records) and the event after each exchange. After each kill:

- the site folder holds exactly the old site or exactly the new one (file for file, byte for byte,
  compared with clean `--no-cache` builds of A and B);
- the next build, with the cache the killed build left, equals a clean build of its data;
- nothing the killed build began (a staging folder, a half-moved site) is left beside the site folder.

Every failure of every kill is collected and reported together. `PORTAL_KILL_POINTS` sets how many
evenly spread points per direction (default 2, which with the swap points makes 18 kills;
the swap points come on top): `PORTAL_KILL_POINTS=60 .venv/bin/python -m pytest tests/test_kill.py`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sitebuild import ROOT, TODAY

FIXTURE = ROOT / "tests" / "fixtures" / "small" / "notices"
KILLPOINT = ROOT / "tests" / "killpoint.py"
POINTS = int(os.environ.get("PORTAL_KILL_POINTS", "2"))
SWAP_CALLS = ("exchange", "rename", "replace", "symlink")
#: Where MkDocs' files are moved from into the spare copy (build.move_tree): renames, but not the swap; one kind
#: of event, which the evenly spread points cover (before this, they were 10 of each direction's 16 points).
MKDOCS_MOVES = "/mkdocs/"

EDITED = "lost/2022/zero.yaml"
ADDED = "lost/2022/added.yaml"
REMOVED = "deregistration/2022/association.yaml"
ADDED_TEXT = """kind: lost-document
published: 2022-07-01
holder: 衡东县新增有限公司
document: {type: 公章}
statement: 衡东县新增有限公司公章一枚遗失，声明作废。
"""


def version_b(notices: Path) -> None:
    edited = notices / EDITED
    edited.write_text(edited.read_text(encoding="utf-8").replace("第二十二条", "第二十三条"), encoding="utf-8")
    (notices / ADDED).write_text(ADDED_TEXT, encoding="utf-8")
    (notices / REMOVED).unlink()


def make_data(folder: Path, version: str) -> Path:
    notices = folder / "notices"
    if notices.exists():
        shutil.rmtree(notices)
    shutil.copytree(FIXTURE, notices)
    if version == "B":
        version_b(notices)
    return notices


ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1795392000"}  # MkDocs' sitemap dates: fixed, not today's


def portal(
    folder: Path, *args: str, kill_at: int | str | None = None, trace: Path | None = None
) -> subprocess.CompletedProcess:
    """`portal build` in `folder` (notices/ → site/), plainly or under tests/killpoint.py (`kill_at`: an event's
    number, or its name and count: `exchange:1`)."""
    command = ["build", "--notices", "notices", "--site-dir", "site", "--today", TODAY.isoformat(), *args]
    if kill_at is not None:
        command = [str(KILLPOINT), str(kill_at), str(trace or os.devnull), "--", *command]
    else:
        command = ["-m", "generator.cli", *command]
    return subprocess.run([sys.executable, *command], cwd=folder, env=ENV, capture_output=True, text=True)


#: The search bundles: a killed build may leave the next one a delta over the base where a clean build folds
#: (segments.py); both answer the same searches (tests/test_segments.py), so they are compared elsewhere.
SEARCH_BUNDLES = ("pagefind/", "pagefind-delta/", "pagefind-segments.json")


def tree(site: Path) -> dict[str, str]:
    """{path below the site folder: digest of its bytes} for every file outside the search bundles."""
    return {
        name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.rglob("*"))
        if p.is_file() and not (name := p.relative_to(site).as_posix()).startswith(SEARCH_BUNDLES)
    }


def differences(got: dict[str, str], want: dict[str, str]) -> str:
    missing, extra = sorted(want.keys() - got.keys()), sorted(got.keys() - want.keys())
    changed = sorted(k for k in want.keys() & got.keys() if want[k] != got[k])
    return f"missing {missing[:5]} ({len(missing)}), extra {extra[:5]} ({len(extra)}), changed {changed[:5]} ({len(changed)})"


def choose_points(trace: Path, count: int) -> list[str]:
    """`count` events spread evenly over an uninterrupted build, plus every exchange, rename, replace or
    symlink in its last quarter (the swap of the site and of the cache's records; not MkDocs' files moved
    into the spare copy) and the event just after each exchange (the swap done, nothing after it yet).
    The late ones are named by what they are (`replace:2`: the build's second replace, as the trace counts it),
    not by their place: a build with more or fewer pages to write makes the same swap at another place."""
    events = [line.split("\t", 3) for line in trace.read_text(encoding="utf-8").splitlines() if line]
    total = len(events)
    even = {round(total * (i + 1) / (count + 1)) for i in range(count)}
    swap = []
    for index, name, nth, path in events:
        if int(index) > 0.75 * total and name in SWAP_CALLS and MKDOCS_MOVES not in path:
            swap.append(f"{name}:{nth}")
            if name == "exchange":
                swap.append(f"{name}:{nth}:+1")
    return [str(p) for p in sorted(p for p in even if 1 <= p <= total)] + swap


@pytest.fixture(scope="module")
def references(tmp_path_factory):
    """Clean builds (`--no-cache`, each in its own folder) of data versions A and B."""
    trees = {}
    for version in "AB":
        folder = tmp_path_factory.mktemp(f"clean-{version}")
        make_data(folder, version)
        done = portal(folder, "--no-cache")
        assert done.returncode == 0, done.stderr
        trees[version] = tree(folder / "site")
    assert trees["A"] != trees["B"]
    return trees


def test_a_build_killed_at_any_point_leaves_the_old_or_the_new_site_and_the_next_build_is_clean(references, tmp_path):
    folder = tmp_path / "work"
    folder.mkdir()
    make_data(folder, "A")
    done = portal(folder)
    assert done.returncode == 0, done.stderr
    assert tree(folder / "site") == references["A"], differences(tree(folder / "site"), references["A"])
    beside = {p.name for p in folder.iterdir()}  # what a finished build leaves in the folder: notices, site, cache...

    # Uninterrupted builds A → B and B → A, traced, to choose the kill points of each direction.
    points, swaps = {}, set()
    for old, new in (("A", "B"), ("B", "A")):
        make_data(folder, new)
        done = portal(folder, kill_at=0, trace=tmp_path / f"trace-{new}")
        assert done.returncode == 0, done.stderr
        assert tree(folder / "site") == references[new]
        points[old, new] = choose_points(tmp_path / f"trace-{new}", POINTS)
        swaps |= {(old, new, point) for point in points[old, new] if point.startswith("exchange:")}
    assert {(old, new) for old, new, _ in swaps} == set(points), "the site's exchange with its spare copy is not traced"
    assert all(len(p) >= POINTS for p in points.values()), points

    kills, failures, state = [], [], "A"
    plan = [(old, new, k) for (old, new), ks in points.items() for k in ks]
    for old, new, k in plan:
        if state != old:  # bring the site to the old version with a plain build
            make_data(folder, old)
            assert portal(folder).returncode == 0
        make_data(folder, new)
        done = portal(folder, kill_at=k)
        where = f"build {old}→{new} killed at event {k}"
        if done.returncode != 0:  # 0: the build made fewer events this time and finished: nothing was killed
            assert done.returncode == -signal.SIGKILL, f"{where}: exit {done.returncode}\n{done.stderr}"
            kills.append((old, new, k))
            site = tree(folder / "site") if (folder / "site").is_dir() else {}
            if site not in (references[old], references[new]):
                failures.append(
                    f"{where}: the site is neither the old nor the new one: against old: "
                    f"{differences(site, references[old])}; against new: {differences(site, references[new])}"
                )
        done = portal(folder)
        assert done.returncode == 0, f"{where}: the next build failed:\n{done.stderr}"
        if tree(folder / "site") != references[new]:
            failures.append(
                f"{where}: the next build is not a clean build: {differences(tree(folder / 'site'), references[new])}"
            )
        if left := {p.name for p in folder.iterdir()} - beside:
            failures.append(f"{where}: the next build left {sorted(left)} beside the site")
            for name in left:  # so the next kill's report is its own
                shutil.rmtree(folder / name) if (folder / name).is_dir() else (folder / name).unlink()
        state = new
    print(f"\n{len(kills)} kills of {len(plan)} points planned; not reached: {sorted(set(plan) - set(kills))}")
    assert not failures, "\n".join(failures)
    assert len(kills) >= 2 * POINTS
    assert swaps <= set(kills), f"a build was not killed at its exchange: {sorted(swaps - set(kills))}"
