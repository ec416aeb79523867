"""What QR codes cost a build (dev/proof.md, "What it costs"; dev/builds.md, the QR record).

    python bench/province.py --scale 0.02 --out /tmp/prov && (cd /tmp/prov && git init -q && git add -A && git commit -qm data)
    cd /tmp/prov && taskset -c 0 /path/to/.venv/bin/python /path/to/bench/qr_cost.py [--before] [--codes 300]

Runs in one process (pin it to one core: the render stage then runs without worker processes, so its CPU
time is this process's): a first full build with no QR record, then a second full build with the record warm
and a changed generator code digest (so every page is rendered again, as after any code change). Prints for
each the CPU seconds of the render stage's shell pages (`write_shell_pages`), the codes encoded and drawn,
and the record's size. `--before`: codes made as before the QR record (segno encodes and writes every code).
`--codes N`: per-code CPU times over the first N board addresses.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

import segno
from scenarios import SITE_URL  # the benchmark's site address (bench/scenarios.py)

from generator.publishing import build as pipeline
from generator.publishing import cache
from generator.site import qr


def cpu(function, *args) -> tuple[float, object]:
    started = time.process_time()
    value = function(*args)
    return time.process_time() - started, value


def per_code(count: int, rounds: int = 5) -> None:
    """The least CPU time of `rounds` rounds of each, taken in turns (the machine's load only adds time)."""
    datas = [f"{SITE_URL}towns/county-{i // 50}/town-{i % 50}/#grid-{i}" for i in range(count)]
    times: dict[str, list[float]] = {"encode": [], "writer": [], "cold": [], "warm": []}
    for _ in range(rounds):
        seconds, codes = cpu(lambda: [segno.make(d, error="m", micro=False, mask=2) for d in datas])
        times["encode"].append(seconds)
        times["writer"].append(cpu(lambda: [qr.segno_svg(d, mask=2) for d in datas])[0])  # encode + segno's writer
        qr.BOOK.load({})
        times["cold"].append(cpu(lambda: [qr.svg(d, "二维码", 2) for d in datas])[0])
        times["warm"].append(cpu(lambda: [qr.svg(d, "二维码", 2) for d in datas])[0])
    encode, writer, cold, warm = (min(times[name]) for name in ("encode", "writer", "cold", "warm"))
    sizes = [len(qr.pack(c.matrix)) for c in codes]  # type: ignore[attr-defined]
    svg_sizes = [len(qr.svg(d, "", 2)) for d in datas]
    print(
        f"per code ({count} board addresses, CPU ms): segno encode {encode / count * 1e3:.2f}, "
        f"segno encode + writer {writer / count * 1e3:.2f}, qr.svg encoding {cold / count * 1e3:.2f}, "
        f"qr.svg from the record {warm / count * 1e3:.3f}; packed modules {sum(sizes) / count:.0f} B, "
        f"SVG {sum(svg_sizes) / count:.0f} B"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--notices", type=Path, default=Path("notices"))
    p.add_argument("--site-dir", type=Path, default=Path("site"))
    p.add_argument("--before", action="store_true", help="segno encodes and draws every code (no record)")
    p.add_argument("--codes", type=int, default=0, help="per-code times over N addresses")
    args = p.parse_args()
    if args.codes:
        per_code(args.codes)
        return
    if args.before:
        qr.svg = lambda data, title="二维码", mask=None: qr.Markup(qr.segno_svg(data, title, mask))  # type: ignore[assignment]
    spent: list[float] = []
    write = pipeline.write_shell_pages

    def timed(*a, **k):
        seconds, value = cpu(write, *a, **k)
        spent.append(seconds)
        return value

    pipeline.write_shell_pages = timed  # type: ignore[assignment]
    folder = cache.default_dir(args.site_dir.resolve())
    (folder / "qr.pickle").unlink(missing_ok=True)
    options = pipeline.Options(
        notices=args.notices, site_dir=args.site_dir, today=dt.date(2026, 11, 23), site_url=SITE_URL, workers=1
    )
    for label, code in (("first full build", "a"), ("second full build", "b")):
        pipeline.code_digest = lambda code=code: code  # type: ignore[assignment]  # every page rendered
        result = pipeline.build(options)
        assert not result.failed
        record = folder / "qr.pickle"
        print(
            f"{label}{' (before)' if args.before else ''}: {result.rendered} pages rendered, shell pages "
            f"{spent[-1]:.1f} s CPU, render stage {result.timings['render']:.1f} s wall; codes encoded "
            f"{len(qr.BOOK.made)}, used {len(qr.BOOK.used)}; "
            f"record {record.stat().st_size / 1e6 if record.exists() else 0:.2f} MB"
        )


if __name__ == "__main__":
    main()
