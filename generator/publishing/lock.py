"""One build at a time per site folder.

`portal build`, each rebuild of `portal serve`, and `portal check` when it uses the cache hold an
exclusive `flock(2)` on `.portal-cache/<site>.lock` beside the site folder; it covers the site folder,
its cache, and its staging and trash folders. A second command waits, printing one line, for up to
PORTAL_LOCK_TIMEOUT seconds (default 600: longer than a full province build), then gives up with
exit 1 and leaves everything as it was. `scripts/publish.sh` takes the same lock, shared, while it copies
the site.

The kernel drops the lock when its holder dies, however it dies (a SIGKILL included): no stale lock
file to remove by hand. Worker processes forked while the lock is held close their copy of it at once,
so a worker left behind by a killed build cannot keep the lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

TIMEOUT_ENV = "PORTAL_LOCK_TIMEOUT"
DEFAULT_TIMEOUT = 600.0  # seconds
POLL_SECONDS = 0.2
WAITING = "另一个生成正在进行，等待… (another build is running; waiting)"


class Busy(Exception):
    """Another build held the lock for longer than the timeout; nothing was done."""


_held: set[int] = set()  # lock file descriptors this process holds


def _close_in_child() -> None:
    # Closing (not unlocking: that would unlock the parent too) a forked child's copy of the descriptor
    # leaves the lock with the parent alone, and the lock ends when the parent does.
    for fd in _held:
        with contextlib.suppress(OSError):
            os.close(fd)
    _held.clear()


os.register_at_fork(after_in_child=_close_in_child)


def timeout() -> float:
    """Seconds to wait for another build: PORTAL_LOCK_TIMEOUT, or DEFAULT_TIMEOUT (0: do not wait)."""
    try:
        return max(0.0, float(os.environ.get(TIMEOUT_ENV, DEFAULT_TIMEOUT)))
    except ValueError:
        return DEFAULT_TIMEOUT


def _take(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextlib.contextmanager
def exclusive(path: Path, wait: float | None = None) -> Iterator[None]:
    """Hold the lock file `path` (created if missing) for the block; wait up to `wait` seconds
    (default: timeout()) for another holder, saying so once, then raise Busy."""
    wait = timeout() if wait is None else wait
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
    try:
        if not _take(fd):
            print(WAITING, file=sys.stderr, flush=True)
            deadline = time.monotonic() + wait
            while not _take(fd):
                if time.monotonic() >= deadline:
                    raise Busy(
                        f"另一个生成仍在进行（等待了 {wait:g} 秒），这次没有执行；网站未改动 "
                        f"(another build still holds {path} after {wait:g} s: nothing done, the site is unchanged)"
                    )
                time.sleep(POLL_SECONDS)
        _held.add(fd)
        yield
    finally:
        _held.discard(fd)
        os.close(fd)
