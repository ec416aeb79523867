"""QR codes drawn from segno's modules by our own writer, and kept from build to build by what they encode
(generator/site/qr.py, the `qr.pickle` record of generator/publishing/cache.py).

The writer must give segno's SVG byte for byte; a full build after a change to the generator's code encodes
no code the last build made (counted by the codes the build reports it encoded, never by time); the record
keeps only the codes a full build used; a tampered record is ignored; `--no-cache` ignores it. That the codes
decode is tested on the built pages (tests/test_proof.py, tests/test_print.py).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from generator.publishing import build as pipeline
from generator.publishing import cache
from generator.publishing.build import Options, build
from generator.site import qr
from tests.sitebuild import ROOT, TODAY
from tests.test_incremental import tree

SMALL = ROOT / "tests" / "fixtures" / "small" / "notices"
SITE_URL = "https://gonggao.example.gov.cn/"


def addresses(count: int) -> list[str]:
    """Addresses of every length a board or proof prints (codes of versions 2 to 10)."""
    rng = random.Random(14)
    return [SITE_URL + "towns/" + "x" * rng.randint(0, 200) + f"/#grid-{i}" for i in range(count)] + [
        "a",
        "https://x.cn/<&>\"'",
    ]


def test_the_writer_draws_what_segnos_writer_draws():
    qr.BOOK.load({})
    for i, data in enumerate(addresses(120)):
        for mask in (2, None) if i < 10 else (2,):
            assert qr.svg(data, '标题 <&> "t"', mask) == qr.segno_svg(data, '标题 <&> "t"', mask), data


def test_a_kept_code_draws_the_same_svg_as_a_fresh_encode():
    qr.BOOK.load({})
    fresh = {data: qr.svg(data, "t", 2) for data in addresses(40)}
    record = dict(qr.BOOK.made)
    assert len(record) == len(fresh)
    qr.BOOK.load(record)
    assert {data: qr.svg(data, "t", 2) for data in fresh} == fresh
    assert qr.BOOK.made == {}  # drawn from the record, none encoded
    assert {data: qr.segno_svg(data, "t", 2) for data in fresh} == fresh


def run(site: Path, **options) -> pipeline.Result:
    result = build(Options(notices=SMALL, site_dir=site, today=TODAY, **{"site_url": SITE_URL, **options}))
    assert not result.failed, "\n".join(p.format() for p in result.problems)
    return result


def record(site: Path) -> dict[bytes, bytes]:
    folder = cache.default_dir(site.resolve())
    return cache.BuildCache(folder).qr_codes(qr.SCOPE).codes


def new_code(monkeypatch, value: str) -> None:
    """A change to the generator's code, as the page cache sees it: every page is rendered again."""
    monkeypatch.setattr(pipeline, "code_digest", lambda: value)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_full_build_after_a_code_change_encodes_no_code_again(tmp_path, monkeypatch, workers):
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_FILES", 1)  # workers=2: the codes come back from forked workers
    site = tmp_path / "site"
    first = run(site, workers=workers)
    made = dict(qr.BOOK.made)
    assert len(made) > 5  # the boards' and proofs' codes
    assert record(site) == made
    before = tree(site)
    new_code(monkeypatch, "another generator")
    second = run(site, workers=workers)
    assert second.rendered == first.rendered  # every page rendered again ...
    assert qr.BOOK.made == {}  # ... and no code encoded: all came from the record
    assert tree(site) == before
    assert record(site) == made


def test_the_record_keeps_only_the_codes_a_full_build_used(tmp_path, monkeypatch):
    site = tmp_path / "site"
    run(site)
    old = set(record(site))
    run(site)  # nothing changed: nothing rendered, nothing encoded, the record kept whole
    assert qr.BOOK.made == {} and set(record(site)) == old
    run(site, site_url="https://gonggao.example.gov.cn/county/")  # every address changes
    new = set(record(site))
    assert new == set(qr.BOOK.made) and not new & old


def test_a_tampered_record_is_ignored(tmp_path, monkeypatch, capsys):
    site = tmp_path / "site"
    run(site)
    made = dict(qr.BOOK.made)
    path = cache.default_dir(site.resolve()) / "qr.pickle"
    data = bytearray(path.read_bytes())
    data[-20] ^= 1
    path.write_bytes(bytes(data))
    capsys.readouterr()
    new_code(monkeypatch, "another generator")
    run(site)
    assert "qr.pickle" in capsys.readouterr().err
    assert qr.BOOK.made == made  # everything encoded again
    assert record(site) == made  # and recorded again, signed


def test_no_cache_encodes_every_code(tmp_path):
    site = tmp_path / "site"
    run(site)
    made = dict(qr.BOOK.made)
    run(site, cache=False)
    assert qr.BOOK.made == made
