"""How soon `portal serve` shows a saved change, and what it holds in memory (dev/performance.md, "portal serve").

    python bench/province.py --scale 1 --out /tmp/p1
    .venv/bin/python bench/serve.py --data /tmp/p1 [--site-dir DIR] [--port 8765] [--today 2026-11-23] [--repeat N]

Starts `portal serve` on `<data>/notices` (site in `<data>/site` unless told), waits for its first build, then
saves the benchmark's edits one after another (scenarios.Edits: one town's grid leader renamed, one notice
added, the town renamed again, and N times more with `--repeat N`; then every file put back). For each it
reports the seconds from the save to the quick look (the preview's status counts a new build: the saved
file's own pages are shown) and to the end of the rebuild (counted again), and the serve process's RSS and PSS
(/proc) once the rebuild ended. Polls the status every 20 ms, so a figure is at most that much late.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from scenarios import Edits

ROOT = Path(__file__).resolve().parent.parent
POLL = 0.02


class Serve:
    def __init__(self, data: Path, site: Path, port: int, today: str):
        self.port = port
        command = [sys.executable, "-m", "generator.cli", "serve", "--notices", str(data / "notices")]
        command += ["--site-dir", str(site), "--port", str(port), "--today", today]
        self.log = open(data / "serve.log", "w", encoding="utf-8")  # closed in stop()
        self.process = subprocess.Popen(command, cwd=data, stdout=self.log, stderr=subprocess.STDOUT)

    def status(self) -> dict | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/__portal/status", timeout=10) as answer:
                return json.loads(answer.read())
        except OSError:
            if self.process.poll() is not None:
                raise SystemExit(f"portal serve exited ({self.process.returncode}): see {self.log.name}") from None
            return None

    def memory(self) -> str:
        def field(path: str, name: str) -> float:
            line = next(line for line in open(path, encoding="ascii") if line.startswith(name))
            return int(line.split()[1]) / 1024 / 1024

        pid = self.process.pid
        rss, pss = field(f"/proc/{pid}/status", "VmRSS:"), field(f"/proc/{pid}/smaps_rollup", "Pss:")
        return f"RSS {rss:.2f} GiB, PSS {pss:.2f} GiB"

    def wait(self, done) -> dict:
        while not (status := self.status()) or not done(status):
            time.sleep(POLL)
        return status

    def timed(self, name: str, save) -> None:
        before = self.wait(lambda status: not status["rebuilding"])["build"]
        started = time.perf_counter()
        save()
        shown = self.wait(lambda status: status["build"] > before or status["problems"])
        quick = time.perf_counter() - started
        if shown["problems"]:
            raise SystemExit(f"{name}: problems: {shown['problems'][:3]}")
        self.wait(lambda status: not status["rebuilding"])
        print(
            f"{name}: shown {quick:.2f} s, rebuilt {time.perf_counter() - started:.1f} s; {self.memory()}", flush=True
        )

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(60)
        self.log.close()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", type=Path, required=True, help="a folder holding notices/ (bench/province.py --out)")
    p.add_argument("--site-dir", type=Path, help="the site folder (default: <data>/site); its cache is beside it")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--today", default="2026-11-23", help="the date builds run as (default: the benchmark's)")
    p.add_argument("--repeat", type=int, default=0, help="save the town edit this many times more (memory over time)")
    args = p.parse_args(argv)
    os.environ["PYTHONPATH"] = str(ROOT)
    data = args.data.resolve()
    with Edits(data / "notices") as edits:  # its marker file is written before serve watches: not a save
        serve = Serve(data, (args.site_dir or data / "site").resolve(), args.port, args.today)
        try:
            started = time.perf_counter()
            serve.wait(lambda status: status["build"] > 0)
            print(f"first build: {time.perf_counter() - started:.1f} s; {serve.memory()}", flush=True)
            serve.timed("one town edited", edits.edit_town)
            serve.timed("one notice added", edits.add_notice)
            serve.timed("the town edited again", edits.edit_town)
            for number in range(args.repeat):
                serve.timed(f"the town edited again ({number + 2})", edits.edit_town)
            before = serve.wait(lambda status: not status["rebuilding"])["build"]
            edits.restore()
            serve.wait(lambda status: status["build"] > before and not status["rebuilding"])  # every file put back
            print(f"every file put back, rebuilt; {serve.memory()}", flush=True)
        finally:
            serve.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
