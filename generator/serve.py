"""`portal serve`: build, serve on 127.0.0.1, rebuild on every save, show problems in the terminal and the page.

Pages are served exactly as built, except that HTML responses get a small script
(this preview only, never the published site) that polls `/__portal/status`:
it reloads the page after a successful rebuild and shows the checker's problems
in a banner at the top of the page while the data has errors.
"""

from __future__ import annotations

import functools
import http.server
import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import build as pipeline
from . import lock
from .problems import Problem

STATUS_PATH = "/__portal/status"
POLL_SECONDS = 1.0

LIVE_SCRIPT = """<script>/* portal serve: live preview, not part of the published site */
(function(){var seen=null;function show(s){var box=document.getElementById("portal-problems");
if(!s.problems.length){if(box)box.remove();return}
if(!box){box=document.createElement("div");box.id="portal-problems";box.setAttribute("role","alert");
box.style.cssText="position:fixed;top:0;left:0;right:0;z-index:9999;max-height:50vh;overflow:auto;background:#8a1c14;color:#fff;font:14px/1.5 monospace;padding:12px;white-space:pre-wrap";
document.body.prepend(box)}
box.textContent="数据有问题，网站没有更新 (not rebuilt):\\n"+s.problems.join("\\n")}
function poll(){fetch("%s",{cache:"no-store"}).then(function(r){return r.json()}).then(function(s){
if(seen!==null&&s.build!==seen&&!s.problems.length){location.reload();return}seen=s.build;show(s)})
.catch(function(){}).finally(function(){setTimeout(poll,1000)})}poll()})();</script>""" % STATUS_PATH


@dataclass
class State:
    """What the preview shows: the number of the last good build and the current problems."""

    build: int = 0
    problems: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def as_json(self) -> bytes:
        with self.lock:
            return json.dumps({"build": self.build, "problems": self.problems}, ensure_ascii=False).encode("utf-8")


def snapshot(folders: list[Path]) -> dict[Path, float]:
    """Modification times of every file below the watched folders."""
    times = {}
    for folder in folders:
        if folder.is_dir():
            for path in folder.rglob("*"):
                if path.is_file():
                    times[path] = path.stat().st_mtime_ns
    return times


def rebuild(options: pipeline.Options, state: State, report) -> None:
    """One build, holding the site's lock as every build does (a `make site` meanwhile waits, or this waits for it)."""
    try:
        result = pipeline.build(options)
        problems = result.problems
        failed = result.failed
    except (pipeline.BuildError, lock.Busy) as exc:
        problems, failed = [Problem("", 1, 1, "", str(exc), "build")], True
    report(problems)
    shown = [p.format() for p in problems if failed or p.level == "error"]
    with state.lock:
        state.problems = shown if failed else []
        if not failed:
            state.build += 1
    print(time.strftime("%H:%M:%S"), "有错误，网站未更新 (errors: not rebuilt)" if failed else "已重新生成 (rebuilt)", flush=True)


def watch(options: pipeline.Options, folders: list[Path], state: State, report, stop: threading.Event) -> None:
    before = snapshot(folders)
    while not stop.wait(POLL_SECONDS):
        now = snapshot(folders)
        if now != before:
            before = now
            rebuild(options, state, report)


class Handler(http.server.SimpleHTTPRequestHandler):
    state: State

    def log_message(self, format, *args):  # quiet: the terminal is for problems
        pass

    def do_GET(self):
        if self.path.split("?")[0] == STATUS_PATH:
            self.send_fresh(self.state.as_json(), "application/json; charset=utf-8")
            return
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            html = path.read_text(encoding="utf-8").replace("</body>", LIVE_SCRIPT + "</body>", 1).encode("utf-8")
            self.send_fresh(html, "text/html; charset=utf-8")
            return
        super().do_GET()

    def send_fresh(self, body: bytes, content_type: str) -> None:
        """A response made for this request, which the browser must not cache."""
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve(options: pipeline.Options, port: int, report, watched: list[Path]) -> int:
    """Build once, then serve and rebuild on change until Ctrl+C."""
    state = State()
    rebuild(options, state, report)
    site_dir = options.site_dir.resolve()
    site_dir.mkdir(parents=True, exist_ok=True)
    handler = functools.partial(type("BoundHandler", (Handler,), {"state": state}), directory=str(site_dir))
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(options, watched, state, report, stop), daemon=True)
    watcher.start()
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        print(f"预览地址 http://127.0.0.1:{port}/ ，保存文件后自动重新生成（按 Ctrl+C 停止）(serving, rebuilding on save)", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            stop.set()
    return 0
