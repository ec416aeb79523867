"""The path a commit takes in CI, step by step (issue 14, item 3), on the benchmark's data set.

The deploy job of the generator's workflow (.github/workflows/portal.yml; the workflows `portal init` writes
for a county's data repository have the same clone, build and publish steps, but restore no cache yet) runs
on a fresh runner, one step after the other:

1. **git clone**: actions/checkout with `fetch-depth: 0`, the whole history, into the runner's workspace
   (always the same path). Here: `git clone file://<repository> <workspace>` (a file:// URL makes git
   pack and transfer the objects as it does over the network, instead of hard-linking them).
2. **restore cache**: actions/cache restores `site` and `.portal-cache` that the last deploy saved, as it
   does: `tar --use-compress-program 'zstd -d --long=30' -xf <archive> -P -C <workspace>` (gzip when zstd is
   not installed). Not on the first commit: there is nothing to restore.
3. **portal build**: `portal build --notices notices --site-dir site` (`make site`) in the workspace, with
   $PORTAL_CACHE_KEY set (the workflow gives it the secret; without it the restored records would not be
   trusted and the build would do everything).
4. **publish**: `portal publish dir <published>` (scripts/publish.sh) into a local folder that holds what
   the last deploy published, as the county's web server does (rsync in two passes, `--checksum`).
5. **save cache**: actions/cache's post step: `tar --posix --use-compress-program 'zstd -T0 --long=30' -cf
   <archive> -P -C <workspace> site .portal-cache`, without `.portal-cache/site.trash`. `portal build`
   removes the old site from there in a detached process that outlives it (build.py `discard`), so
   archiving the trash races with that removal: tar fails with "file changed as we read it" (seen at scale
   0.03), and actions/cache then saves nothing, with only a warning, and the next commit builds everything.
   The workflow should leave the trash out too; this benchmark measures the path with the trash left out.
   Between two jobs the benchmark waits for that removal to end (a runner would be gone; not timed).

Two commits are measured (bench/run.py): the first (nothing restored: a full build, everything published)
and the next one, which adds one notice (`scenarios.ADDED_NOTICE`) and restores what the first saved. Each
step is a process measured by `measure.run`; a total adds up the wall and CPU seconds and takes the largest
peaks (the steps run one after the other).
Not measured: the runner's start, installing Python and the generator, uploading and downloading the
cache archive (network), and the upload to GitHub Pages (the generator's own workflow publishes there;
counties publish with scripts/publish.sh, measured here).
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from measure import Run, run, tree_bytes
from scenarios import ADDED_NOTICE, NOTICE, SITE_URL, BenchError, Dataset, checked

CACHE_KEY = "bench-ci-path-" + "k" * 32  # stands for the PORTAL_CACHE_KEY secret of the workflow
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00+08:00",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00+08:00",
}
CACHED = ("site", ".portal-cache")  # the paths the workflow's actions/cache step keeps
TRASH = "*.trash"  # in .portal-cache: the old site, which a process `portal build` leaves behind removes
SETTLE_TIMEOUT = 1800  # seconds: longer means that background removal is stuck
STEPS = ("git clone", "restore cache", "portal build", "publish", "save cache")
FIRST = "CI, first commit (nothing restored)"
NEXT = "CI, next commit: one notice added (cache restored)"


def compressor(decompress: bool) -> list[str]:
    """The compression options actions/cache gives tar: zstd when installed, else gzip."""
    if shutil.which("zstd"):
        return ["--use-compress-program", "zstd -d --long=30" if decompress else "zstd -T0 --long=30"]
    return ["-z"]


@dataclass
class Step:
    """One measured step of a commit's path through CI."""

    name: str
    done: Run


@dataclass
class CiPath:
    data: Dataset
    root: Path  # everything of this scenario: the repository, the runner's workspace, the cache, the target
    portal: Path  # the portal command
    today: list[str]  # --today DATE (from province.json), or []

    @property
    def repository(self) -> Path:
        return self.root / "repository"  # the data repository, as the forge holds it

    @property
    def workspace(self) -> Path:
        return self.root / "workspace"  # the runner's checkout: the same path on every run

    @property
    def site(self) -> Path:
        return self.workspace / "site"

    @property
    def archive(self) -> Path:
        return self.root / ("cache.tar.zst" if shutil.which("zstd") else "cache.tar.gz")

    @property
    def published(self) -> Path:
        return self.root / "published"  # the county's web server folder

    def git(self, *args: str) -> None:
        checked(run(["git", *args], cwd=self.repository, env=GIT_IDENTITY), f"git {args[0]}")

    def prepare(self) -> None:
        """A data repository holding the data set's notices/ in one commit; nothing else of an earlier run."""
        if self.root.exists():
            self.settle()  # a run that stopped half-way may have left a removal going
            shutil.rmtree(self.root)
        shutil.copytree(self.data.notices, self.repository / "notices", symlinks=True)
        (self.repository / ".gitignore").write_text("site/\n.portal-cache/\n", encoding="utf-8")
        self.git("init", "--quiet", "--initial-branch=main")
        self.git("add", "--all")
        self.git("commit", "--quiet", "--message", "the province's data")

    def add_notice(self) -> None:
        """The next commit: one new lost-document notice."""
        path = self.repository / "notices" / ADDED_NOTICE
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(NOTICE, encoding="utf-8")
        self.git("add", "--all")
        self.git("commit", "--quiet", "--message", "one notice added")

    def commit(self, restore: bool) -> list[Step]:
        """The deploy job for the repository's newest commit, on a fresh runner; its steps, measured."""
        if self.workspace.exists():
            self.settle()
            shutil.rmtree(self.workspace)  # a new runner: nothing left of the last job
        steps: list[Step] = []

        def step(name: str, command: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
            steps.append(Step(name, checked(run(command, cwd=cwd, env=env), f"CI path, {name}")))

        step(
            "git clone", ["git", "clone", "--quiet", self.repository.resolve().as_uri(), str(self.workspace)], self.root
        )
        if restore:
            step("restore cache", ["tar", *compressor(True), "-xf", str(self.archive), "-P", "-C", "."], self.workspace)
        build = [
            *[str(self.portal), "build", "--notices", "notices", "--site-dir", "site", "--timings"],
            *["--site-url", SITE_URL, *self.today],
        ]
        step("portal build", build, self.workspace, {"PORTAL_CACHE_KEY": CACHE_KEY})
        step(
            "publish", [str(self.portal), "publish", "--site-dir", "site", "dir", f"{self.published}/"], self.workspace
        )
        self.archive.unlink(missing_ok=True)
        save = ["tar", "--posix", *compressor(False), f"--exclude={TRASH}", "-cf", str(self.archive), "-P", "-C", "."]
        save += CACHED
        step("save cache", save, self.workspace)
        return steps

    def settle(self) -> None:
        """Wait until the old sites the last build left in the trash are removed (its detached process)."""
        deadline = time.monotonic() + SETTLE_TIMEOUT
        while self.trash_left():
            if time.monotonic() > deadline:
                raise BenchError(f"{self.workspace / '.portal-cache'}: the old site is still not removed")
            time.sleep(0.1)

    def trash_left(self) -> bool:
        try:
            return any(any(trash.iterdir()) for trash in (self.workspace / ".portal-cache").glob(TRASH))
        except OSError:  # a folder removed while looked at: look again
            return True

    def sizes(self) -> dict[str, int]:
        """Bytes of the cache archive, of the records in .portal-cache (once the trash is emptied) and of the
        published site."""
        self.settle()
        return {
            "archive": self.archive.stat().st_size if self.archive.exists() else 0,
            "portal_cache": tree_bytes(self.workspace / ".portal-cache"),
            "published": tree_bytes(self.published),
        }
