"""The search index as segments: a large base bundle rebuilt rarely, a small delta bundle of what changed.

Pagefind has no incremental mode: it indexes every search document each run (about 45 s at province
scale). So the index is kept the way search engines keep theirs, as segments:

- the **base** (`pagefind/`) is a full Pagefind run over every search document (town pages, day groups of
  notices: generator/site/searchindex.py), BASE_CHUNK word positions to an index file. Its record (`Base`, in the build cache, signed like the other
  records) holds its scope (this code, Pagefind's version, the options below), the digest of every
  search document it holds, their Pagefind page ids, the characters it contains, and when it was folded;
- the **delta** (`pagefind-delta/`) is a Pagefind run over the search documents that differ from the
  base's (added or edited since the fold), written with a chunk size of DELTA_CHUNK so the first search
  downloads one small index file of it; it has no scripts, styles or wasm (`mergeIndex` uses the
  base's);
- the **manifest** (`pagefind-segments.json`) tells the search page which bundles to merge, which base
  ids to drop (documents edited or deleted since the fold), the delta's own ids, and the characters only
  the delta holds (docs/assets/search.js: three rules that keep merged results close to a full build's).

A build folds (a full run: base replaced, delta emptied) when more than FOLD_AT documents differ from
the base, when the record is missing or out of scope or its base is not the site's, with
`--no-cache` and with `portal build --fold`. Pagefind 1.5.2's output is deterministic, so after a fold
the site is byte-identical to a `--no-cache` build's (tests/test_segments.py).

FOLD_AT, measured (dev/performance.md): with DELTA_CHUNK the first search grows by about 0.1 KB a
changed document (297 / 298 / 303 KB with 1 / 10 / 50 on the scale-1 province, 293.5 KB without a
delta); about 20 keeps it within the 300 KB budget with room, and a delta run of 20 documents takes
well under a second.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

from ..checking.problems import BuildError
from .cache import BuildCache, code_digest, digest, index_identity

BASE = "pagefind"
DELTA = "pagefind-delta"
MANIFEST = "pagefind-segments.json"
FOLD_AT = 20  # search documents differing from the base beyond which a build folds
DELTA_CHUNK = "1000"  # PAGEFIND_UNSTABLE_INDEX_CHUNK_SIZE for the delta: one small index file per search
#: PAGEFIND_UNSTABLE_INDEX_CHUNK_SIZE for the base: word positions per index file (Pagefind's default: 20,000).
#: A Chinese query is looked up one word per character, and each character costs the whole file holding it:
#: at the default a file is 20–37 KB gzipped whatever the character's own share (dev/search.md, "Index files").
BASE_CHUNK = "5000"
SEGMENT_FILES = (f"{BASE}/", f"{DELTA}/", MANIFEST)  # what of a site the index is
RECORD = "segments.pickle"
_UNNEEDED = (".js", ".css")  # the delta needs none of Pagefind's scripts, styles or wasm


def scope() -> str:
    return digest(code_digest(), version("pagefind"), str(FOLD_AT), DELTA_CHUNK, BASE_CHUNK)


@dataclass
class Base:
    """What the base bundle holds, and what the search documents are now."""

    scope: str = ""
    docs: dict[str, str] = field(default_factory=dict)  # document URL → digest of the file the base indexed
    ids: dict[str, str] = field(default_factory=dict)  # document URL → its Pagefind page id in the base
    chars: frozenset[str] = frozenset()  # every character other than ASCII in the base's documents
    folded: str = ""  # when (UTC, ISO 8601)
    identity: tuple[int, int, int] | None = None  # index_identity of the site holding this base
    current: dict[str, str] = field(default_factory=dict)  # document URL → digest of its file now


def load(cache: BuildCache) -> Base:
    return cache._read(RECORD, Base, scope())


def save(cache: BuildCache, base: Base) -> None:
    cache._write(RECORD, base)


def clear(cache: BuildCache) -> None:
    if cache.folder is not None:
        (cache.folder / RECORD).unlink(missing_ok=True)


def doc_path(search: Path, url: str) -> Path:
    return search / url / "index.html"


def file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def all_docs(search: Path) -> dict[str, str]:
    """Every search document under `search` and its digest."""
    out = {}
    for path in search.rglob("index.html"):
        out[path.parent.relative_to(search).as_posix() + "/"] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def characters(paths) -> frozenset[str]:
    chars: set[str] = set()
    for path in paths:
        chars.update(path.read_text(encoding="utf-8"))
    return frozenset(ch for ch in chars if not ch.isascii())


def page_ids(bundle: Path) -> dict[str, str]:
    """Document URL → Pagefind page id (its fragment's name), from a bundle's fragments."""
    out = {}
    for fragment in (bundle / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(fragment.read_bytes())
        url = json.loads(data[len(b"pagefind_dcd") :])["url"]
        out[url.lstrip("/")] = fragment.name.removesuffix(".pf_fragment")
    return out


def run_pagefind(search_docs: Path, output: Path, chunk: str) -> None:
    """Index the page bodies (marked data-pagefind-body) with Pagefind's extended build (Chinese segmentation),
    from the slim copies in `search_docs` (same URLs as the site), into `output`, `chunk` word positions to an
    index file."""
    search_docs.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pagefind", "--site", str(search_docs), "--output-path", str(output), "--silent"]
    env = {**os.environ, "PAGEFIND_UNSTABLE_INDEX_CHUNK_SIZE": chunk}
    completed = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if completed.returncode != 0:
        raise BuildError(f"Pagefind 建立索引失败 (search indexing failed):\n{completed.stdout}{completed.stderr}")


@dataclass
class Indexed:
    """What this build did to the index: the record to save once the site is published, and the folders
    of the old site to carry over unchanged."""

    base: Base
    carry: tuple[str, ...]
    delta: int  # search documents in the delta (0 after a fold)
    folded: bool


def index(
    cache: BuildCache,
    search: Path,
    staged: Path,
    site_dir: Path,
    changed: set[str],
    trusted: bool,
    fold: bool,
    scratch: Path,
) -> Indexed:
    """Index the search documents in `search` for the site staged in `staged`: a delta over the base
    recorded in `cache`, or a fold. `changed` are the documents this build rewrote or removed; `trusted`
    says whether the page record (and so `search`) is this site's last build's; `scratch` is a folder of
    the build's own for the delta's documents. `staged` holds no delta and no manifest (build.prune); the
    base it may hold is replaced by a fold, or made the site's by `build.publish`."""
    base = load(cache) if cache.enabled and trusted and not fold else Base()
    clear(cache)  # until this build is published: one killed after this must not leave a record behind the documents
    if not base.scope or base.identity is None or base.identity != index_identity(site_dir):
        return _fold(search, staged)
    for url in changed:
        now = file_digest(doc_path(search, url))
        if now is None:
            base.current.pop(url, None)
        else:
            base.current[url] = now
    differ = sorted(
        url for url in base.current.keys() | base.docs.keys() if base.current.get(url) != base.docs.get(url)
    )
    if len(differ) > FOLD_AT:
        return _fold(search, staged)
    added = [url for url in differ if url in base.current]
    delta: dict[str, str] = {}
    only = ""
    carry: tuple[str, ...] = (BASE,)
    if added:
        with tempfile.TemporaryDirectory(dir=scratch, prefix="delta-") as tmp:
            for url in added:
                target = doc_path(Path(tmp), url)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(doc_path(search, url), target)
            run_pagefind(Path(tmp), staged / DELTA, DELTA_CHUNK)
        for path in list((staged / DELTA).iterdir()):
            if path.name.endswith(_UNNEEDED) or path.name.startswith("wasm."):
                path.unlink()
        delta = page_ids(staged / DELTA)
        only = "".join(sorted(characters(doc_path(search, url) for url in added) - base.chars))
    drop = sorted(base.ids[url] for url in differ if url in base.ids)
    write_manifest(staged, [f"{DELTA}/"] if added else [], drop, sorted(delta.values()), only)
    return Indexed(base, carry, len(added), False)


def _fold(search: Path, staged: Path) -> Indexed:
    shutil.rmtree(staged / BASE, ignore_errors=True)  # an older base (in the spare copy): Pagefind adds to a folder
    run_pagefind(search, staged / BASE, BASE_CHUNK)
    docs = all_docs(search)
    base = Base(
        scope(),
        docs,
        page_ids(staged / BASE),
        characters(doc_path(search, url) for url in docs),
        dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        None,
        dict(docs),
    )
    write_manifest(staged, [], [], [], "")
    return Indexed(base, (), 0, True)


def write_manifest(staged: Path, bundles: list[str], drop: list[str], added: list[str], only: str) -> None:
    """What the search page merges (docs/assets/search.js): `bundles` beside the base, the base's page ids to
    `drop`, the delta's own page ids (`added`), and the characters `only` the delta holds."""
    manifest = {"bundles": bundles, "drop": drop, "added": added, "only": only}
    (staged / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )


def published(cache: BuildCache, indexed: Indexed, site_dir: Path) -> None:
    """After the site is published: record the base with the identity of the index the site now holds."""
    indexed.base.identity = index_identity(site_dir)
    save(cache, indexed.base)
