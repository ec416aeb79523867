"""Run `portal ARGS...` and SIGKILL it at the K-th file-system or process event (tests/test_kill.py).

    python tests/killpoint.py K TRACE -- build --notices ... --site-dir ...
    python tests/killpoint.py exchange:1:+1 TRACE -- build ...   # the event after the first exchange

Every call that changes the disk or starts a process (open for writing, mkdir, rename, replace, link,
symlink, unlink, rmdir, copyfile, Popen, and the build's `exchange` of the site with its spare copy, which
goes through the C library's renameat2) is one event, counted in the order the build makes them.
At the K-th event (or the N-th event of a name, NAME:N, or the D-th event after that one, NAME:N:+D: the
swap is found by what it is, wherever the build's other events put it) the process kills itself with
SIGKILL before the call happens: no handler, `finally` or `atexit` runs, as when a machine loses power or
the OOM killer strikes. K = 0 never kills; then
one line per event (`index<TAB>function<TAB>N<TAB>path`, N: which event of that function it is, as NAME:N
counts) is written to TRACE at exit, for choosing kill points. The generator is not changed for this: the functions are wrapped in this process only.
Events in worker processes (forked pools, used only for hundreds of files) are not counted.
"""

from __future__ import annotations

import builtins
import functools
import io
import os
import shutil
import signal
import subprocess
import sys

MAIN_PID = os.getpid()


def main() -> int:
    point, trace_file = sys.argv[1], sys.argv[2]
    argv = sys.argv[sys.argv.index("--") + 1 :]
    events: list[str] = []
    counts: dict[str, int] = {}
    unwrapped_open = io.open
    # K: the K-th event; NAME:N: the N-th event of that name; NAME:N:+D: the D-th event after it.
    kill_at, name_at, nth, later = 0, "", 0, 0
    if ":" in point:
        name_at, nth_text, *after = point.split(":")
        nth, later = int(nth_text), int(after[0]) if after else 0
    else:
        kill_at = int(point)

    def event(name: str, target) -> None:
        nonlocal kill_at
        if os.getpid() != MAIN_PID:
            return
        counts[name] = counts.get(name, 0) + 1
        path = os.fsdecode(target) if isinstance(target, (str, bytes, os.PathLike)) else target
        events.append(f"{len(events) + 1}\t{name}\t{counts[name]}\t{path}")
        if name == name_at and counts[name] == nth:
            kill_at = len(events) + later
        if len(events) == kill_at:
            os.kill(MAIN_PID, signal.SIGKILL)

    def counted(module, name: str, writes=None) -> None:
        original = getattr(module, name)

        @functools.wraps(original)
        def wrapper(*args, **kwargs):
            if writes is None or writes(*args, **kwargs):
                event(name, args[0] if args else kwargs.get("file", kwargs.get("args")))
            return original(*args, **kwargs)

        setattr(module, name, wrapper)

    def opens_for_writing(file, mode="r", *args, **kwargs) -> bool:
        return isinstance(file, (str, bytes, os.PathLike)) and any(c in mode for c in "wax+")

    for name in ("mkdir", "rename", "replace", "link", "symlink", "unlink", "remove", "rmdir"):
        counted(os, name)
    for name in ("copyfile", "copystat"):
        counted(shutil, name)
    counted(io, "open", opens_for_writing)
    builtins.open = io.open
    original_popen_init = subprocess.Popen.__init__

    @functools.wraps(original_popen_init)
    def popen_init(self, args, *rest, **kwargs):
        event("Popen", args[0] if isinstance(args, (list, tuple)) else args)
        original_popen_init(self, args, *rest, **kwargs)

    subprocess.Popen.__init__ = popen_init

    from generator.cli import main as portal
    from generator.publishing import build

    counted(build, "exchange")  # the site's swap with the spare copy: one system call, made through the C library

    try:
        return portal(argv)
    finally:
        if kill_at == 0:
            with unwrapped_open(trace_file, "w", encoding="utf-8") as out:
                out.write("\n".join(events) + "\n")


if __name__ == "__main__":
    sys.exit(main())
