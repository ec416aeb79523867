"""The data set of a benchmark and the one-file changes the rebuild scenarios make to it.

`Dataset.ensure()` runs bench/province.py unless the same scale and seed are already in the work
folder, untouched. `Edits` makes the changes a staff member would make (a new lost-document notice,
one name changed in one town's contacts) and puts every file back as it was when it closes, even
after a failure; a marker file says that data is being edited, so a run stopped half-way is noticed
by the next one, which then generates the data again.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from measure import Run, run

HERE = Path(__file__).resolve().parent
EDITING = ".bench-editing"  # present in the data folder while Edits is open
# Every benchmark build is given a site address, as a county's real build is (site.yaml's `url`): with it the
# build writes the 公示牌's and proofs' QR codes, the feeds' absolute links and the sitemap.
SITE_URL = "https://gonggao.example.gov.cn/"

ADDED_NOTICE = "lost/2025/2025-12-31-qita-99999.yaml"
NOTICE = """\
kind: lost-document
published: 2025-12-31
holder: 周基准
document:
  type: 其他
  name: 建筑施工特种作业操作资格证
  number: "湘BENCH20251231"
  issuer: 长沙市有关主管部门
statement: "周基准遗失建筑施工特种作业操作资格证一本（编号湘BENCH20251231），声明作废。"
"""
LEADER = re.compile(r"(leader: \{name: )([^,}]+)")


class BenchError(Exception):
    """A step of the benchmark could not be done; the message says which and why."""


def checked(done: Run, what: str) -> Run:
    """`done`, if it succeeded; else a BenchError with the end of its output."""
    if done.returncode != 0:
        raise BenchError(f"{what} failed (exit {done.returncode}):\n{done.tail()}")
    return done


@dataclass(frozen=True)
class Dataset:
    root: Path  # holds notices/ and province.json
    scale: float
    seed: int

    @property
    def notices(self) -> Path:
        return self.root / "notices"

    def counts(self) -> dict:
        """What bench/province.py wrote into province.json (counts, scale, seed, today)."""
        try:
            return json.loads((self.root / "province.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def reusable(self) -> bool:
        counts = self.counts()
        return (
            counts.get("scale") == self.scale
            and counts.get("seed") == self.seed
            and self.notices.is_dir()
            and not (self.notices / EDITING).exists()
        )

    def ensure(self) -> bool:
        """Generate the data unless it is already there; True when it was generated now."""
        if self.reusable():
            return False
        command = [
            sys.executable,
            str(HERE / "province.py"),
            "--scale",
            str(self.scale),
            "--seed",
            str(self.seed),
            "--out",
            str(self.root),
        ]
        checked(run(command), "bench/province.py")
        return True


@dataclass
class Edits:
    """Changes to a notices/ folder, all undone on close (a context manager)."""

    notices: Path
    originals: dict[Path, bytes | None] = field(default_factory=dict)  # None: the file did not exist

    def __enter__(self) -> Edits:
        (self.notices / EDITING).write_text("bench/run.py is changing files here; they are restored when it ends\n")
        return self

    def __exit__(self, *exc) -> None:
        self.restore()
        (self.notices / EDITING).unlink(missing_ok=True)

    def restore(self) -> None:
        """Every file changed put back as it was (a file added removed); the edits can go on from there."""
        for path, data in self.originals.items():
            if data is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(data)
        self.originals.clear()

    def write(self, path: Path, text: str) -> None:
        if path not in self.originals:
            self.originals[path] = path.read_bytes() if path.exists() else None
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def add_notice(self) -> Path:
        """A new, valid lost-document notice (type 其他, a number no generated notice has)."""
        path = self.notices / ADDED_NOTICE
        if path.exists():
            raise BenchError(f"{path} already exists: it should have been removed by the last run")
        self.write(path, NOTICE)
        return path

    def edit_town(self) -> Path:
        """The first grid leader of the first town (in file order) gets another name."""
        towns = sorted((self.notices / "contacts").rglob("*.yaml"))
        if not towns:
            raise BenchError(f"no town contacts under {self.notices / 'contacts'}")
        path = towns[0]
        text = path.read_text(encoding="utf-8")
        found = LEADER.search(text)
        if found is None:
            raise BenchError(f"{path}: no grid leader found to rename")
        name = found.group(2)
        renamed = name[0] + ("新华" if name[1:] != "新华" else "建国")
        self.write(path, text[: found.start(2)] + renamed + text[found.end(2) :])
        return path
