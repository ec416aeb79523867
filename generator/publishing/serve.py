"""`portal serve`: build, serve on 127.0.0.1, rebuild on every save, show problems in the terminal and the page.

Pages are served exactly as built, except that HTML responses get a small script
(this preview only, never the published site) that polls `/__portal/status`:
it reloads the page after a successful rebuild and shows the checker's problems
in a banner at the top of the page while the data has errors.

The preview keeps the last published build's model in memory. When a data file is saved, it first
checks that file alone and shows its problems, or its town's or notice's own pages as the rebuild will
write them (preview.py), within a second at any scale; then it rebuilds the whole site, which brings
the lists, hub pages and search up to date and replaces what was shown.
"""

from __future__ import annotations

import functools
import gc
import http.server
import json
import os
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from ..checking.problems import Problem
from . import build as pipeline
from . import lock, preview

STATUS_PATH = "/__portal/status"
POLL_SECONDS = 1.0  # the browser's status poll; and the file check where file events are unavailable
SETTLE_SECONDS = 0.05  # after a file event, rebuild once no further event came for this long

LIVE_SCRIPT = """<script>/* portal serve: live preview, not part of the published site */
(function(){var seen=null;function show(s){var box=document.getElementById("portal-problems");
if(!s.problems.length){if(box)box.remove();return}
if(!box){box=document.createElement("div");box.id="portal-problems";box.setAttribute("role","alert");
box.style.cssText="position:fixed;top:0;left:0;right:0;z-index:9999;max-height:50vh;overflow:auto;background:#8a1c14;color:#fff;font:14px/1.5 monospace;padding:12px;white-space:pre-wrap";
document.body.prepend(box)}
box.textContent="数据有问题，网站没有更新 (not rebuilt):\\n"+s.problems.join("\\n")}
function busy(s){var note=document.getElementById("portal-rebuilding");if(!s.rebuilding||s.problems.length){if(note)note.remove();return}
if(!note){note=document.createElement("div");note.id="portal-rebuilding";note.setAttribute("role","status");
note.style.cssText="position:fixed;bottom:0;left:0;right:0;z-index:9999;background:#fff3cd;color:#333;font:14px/1.5 sans-serif;padding:6px 12px";
document.body.append(note)}var key=JSON.stringify(s.shown);if(note.dataset.shown===key)return;note.dataset.shown=key;
note.textContent="正在重新生成网站，列表和搜索稍后更新 (rebuilding: lists and search follow)"+(s.shown.length?"。已可查看：":"");
if(s.shown.length)note.append(document.createElement("br"));
s.shown.forEach(function(u){var a=document.createElement("a");a.href=u[0];a.textContent=u[1];a.style.cssText="display:inline-block;margin-right:1em";note.append(a)})}
function poll(){fetch("STATUS_PATH",{cache:"no-store"}).then(function(r){return r.json()}).then(function(s){
if(seen!==null&&s.build!==seen&&!s.problems.length){location.reload();return}seen=s.build;show(s);busy(s)})
.catch(function(){}).finally(function(){setTimeout(poll,1000)})}poll()})();</script>""".replace(
    "STATUS_PATH", STATUS_PATH
)


@dataclass
class State:
    """What the preview shows: the number of what it last showed (a build, or a saved file's pages shown before
    the rebuild: `overlay`), the current problems, whether a rebuild is running, and the model of the last
    published build (kept in memory for the next quick look)."""

    build: int = 0
    problems: list[str] = field(default_factory=list)
    rebuilding: bool = False
    overlay: dict[str, bytes] = field(default_factory=dict)  # a file in the site ("towns/…/index.html") → its HTML
    shown: list[tuple[str, str]] = field(default_factory=list)  # the overlay's pages: (address "/towns/…/", title)
    model: pipeline.Model | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def as_json(self) -> bytes:
        with self.lock:
            shown = {"build": self.build, "problems": self.problems, "rebuilding": self.rebuilding, "shown": self.shown}
            return json.dumps(shown, ensure_ascii=False).encode("utf-8")


def rebuild(options: pipeline.Options, state: State, report) -> None:
    """One build, holding the site's lock as every build does (a `make site` meanwhile waits, or this waits for it).
    What a quick look showed is dropped once it ends: the site now holds those pages, or the data has errors."""
    with state.lock:
        state.rebuilding = True
    try:
        result = pipeline.build(options)
        problems, failed, model = result.problems, result.failed, result.model
    except (pipeline.BuildError, lock.Busy) as exc:
        problems, failed, model = [Problem("", 1, 1, "", str(exc), "build")], True, None
    report(problems)
    shown = [p.format() for p in problems if failed or p.level == "error"]
    with state.lock:
        state.problems = shown if failed else []
        state.overlay, state.shown = {}, []
        state.rebuilding = False
        if not failed:
            state.build += 1
            state.model = model
    print(
        time.strftime("%H:%M:%S"),
        "有错误，网站未更新 (errors: not rebuilt)" if failed else "已重新生成 (rebuilt)",
        flush=True,
    )
    collect_garbage()


def collect_garbage() -> None:
    """A build freezes what it made (`build.no_gc`: later collections skip the model), so the reference cycles a
    build leaves (parse trees, MkDocs' and Jinja's objects; about 6,000 objects a build of the sample, growing
    with the data) would never be collected in a process that builds again and again. Collect them once the
    rebuild is shown, then freeze what is left (the model kept), as the build would."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def quick(options: pipeline.Options, state: State, changed: set[Path]) -> None:
    """Before a rebuild: the saved data files checked alone, and their problems or their towns' and notices'
    own pages shown at once (preview.py). Never stops the rebuild that follows: a failure here is a warning."""
    if state.model is None:
        return
    try:
        look = preview.quick_look(state.model, changed, options.notices, options.strict)
    except Exception as exc:  # the rebuild that follows shows the site and any problem in full
        print(f"warning: 预览失败，等待重新生成 (quick look failed: {type(exc).__name__}: {exc})", file=sys.stderr)
        return
    errors = [p.format() for p in look.problems if pipeline.failed([p], options.strict)]
    with state.lock:
        if errors:
            state.problems = errors
        elif look.pages:
            state.overlay = {**state.overlay, **{name: html.encode("utf-8") for name, html in look.pages.items()}}
            titles = {
                urllib.parse.quote("/" + name.removesuffix("index.html")): look.titles[name] for name in look.pages
            }
            state.shown = sorted({**dict(state.shown), **titles}.items())
            state.problems = []
            state.build += 1
        shown = list(state.shown)
    if look.pages and not errors:
        print(
            time.strftime("%H:%M:%S"),
            f"已预览 (shown, rebuilding): {' '.join(urllib.parse.unquote(url) for url, _ in shown)}",
            flush=True,
        )


class Changes(FileSystemEventHandler):
    """Notes a change to anything below the watched folders or to a watched file (the site configuration);
    reading a file (opened, closed without writing) and a change of its metadata alone are not changes."""

    IGNORED = ("opened", "closed_no_write", "attrib")

    def __init__(self, watched: list[Path]):
        self.folders = [path for path in watched if path.is_dir()]
        self.files = {path for path in watched if path.is_file()}
        self.seen = threading.Event()
        self.paths: set[Path] = set()  # what changed since the last rebuild started (for the quick look)

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in self.IGNORED:
            return
        for name in (event.src_path, getattr(event, "dest_path", "")):
            path = Path(os.fsdecode(name)) if name else None
            if path and (path in self.files or any(path.is_relative_to(folder) for folder in self.folders)):
                self.paths.add(path)
                self.seen.set()


def start_watching(changes: Changes) -> BaseObserver:
    """Watch the folders (recursively) and files with the system's file events (inotify on Linux): no cost
    while nothing changes. Returns once every watch is in place. Where the system refuses (more folders
    than its inotify limit), the files are compared once a second instead, with a warning."""
    try:
        return scheduled(Observer(), changes)
    except OSError as exc:
        print(
            f"warning: 系统不能监视这么多文件夹，改为每秒比较一次 (file events unavailable, polling: {exc})",
            file=sys.stderr,
            flush=True,
        )
        return scheduled(PollingObserver(timeout=POLL_SECONDS), changes)


def scheduled(observer: BaseObserver, changes: Changes) -> BaseObserver:
    try:
        for folder in changes.folders:
            observer.schedule(changes, str(folder), recursive=True)
        for parent in {path.parent for path in changes.files}:
            observer.schedule(changes, str(parent), recursive=False)  # the events of its other files are ignored
        observer.start()
    except OSError:
        observer.stop()
        raise
    return observer


def watch(
    options: pipeline.Options,
    watched: list[Path],
    state: State,
    report,
    stop: threading.Event,
    ready: threading.Event | None = None,
    go: threading.Event | None = None,
) -> None:
    """Rebuild on every save until `stop`. `ready` is set once every watch is in place (a province's 35,000
    folders take seconds); the saves seen from then on wait for `go` (the first build's end) to be acted on."""
    changes = Changes([path.resolve() for path in watched if path.exists()])
    try:
        observer = start_watching(changes)
    finally:
        if ready is not None:
            ready.set()  # serve() goes on, watched or not (it says which)
    if go is not None:
        go.wait()
    try:
        while not stop.is_set():
            if not changes.seen.wait(POLL_SECONDS):  # wakes only to notice stop; looks at no file
                continue
            while changes.seen.wait(SETTLE_SECONDS):  # an editor's save is several events: let them finish
                changes.seen.clear()
            changed, changes.paths = changes.paths, set()
            with state.lock:  # from the save on: what the quick look shows is followed by a rebuild
                state.rebuilding = True
            quick(options, state, changed)
            rebuild(options, state, report)
    finally:
        observer.stop()


ALLOWED_HOSTS = ("localhost", "127.0.0.1", "[::1]")  # DNS rebinding: another name that resolves here is refused


class Refused(Exception):
    """A request the preview answers with an error status and a short message, never a traceback."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the built site read-only: its files, a folder's index.html, the site's 404 page, nothing else.

    Refused with 400: a path that is not an absolute path, is not UTF-8 once decoded, holds a control
    character (NUL included), a backslash, an empty, `.` or `..` segment. Refused with 421: a Host header
    that does not name this machine (localhost, 127.0.0.1, [::1], with this server's port or none), so a
    page on another host cannot reach the preview through a name it rebinds to 127.0.0.1. A folder asked
    for without its slash is redirected (301) to the address with it; a folder without index.html, and
    anything outside the site folder, is "not found" with the site's own 404 page."""

    state: State

    def log_message(self, format, *args):  # quiet: the terminal is for problems
        pass

    def handle(self):
        try:
            super().handle()
        except ConnectionError:  # the browser went away in the middle of an answer
            pass

    def do_GET(self):
        self.answer(with_body=True)

    def do_HEAD(self):
        self.answer(with_body=False)

    def answer(self, with_body: bool) -> None:
        try:
            self.check_host()
            path, query = self.request_path()
            if path == STATUS_PATH:
                self.send_body(200, self.state.as_json(), "application/json; charset=utf-8", with_body)
                return
            self.send_file(path, query, with_body)
        except Refused as refused:
            self.send_error(refused.status, str(refused))

    def check_host(self) -> None:
        hosts = self.headers.get_all("Host") or []
        if len(hosts) != 1:
            raise Refused(400, "Host header missing or repeated")
        port = self.server.server_address[1]  # type: ignore[index]  # an (host, port) pair: the server is TCP
        if hosts[0].strip().lower() not in {form for name in ALLOWED_HOSTS for form in (name, f"{name}:{port}")}:
            raise Refused(421, "Host not served here (only localhost)")

    def request_path(self) -> tuple[str, str]:
        """The decoded path asked for (always "/" + clean segments) and the query string, as sent."""
        raw, _, query = self.path.partition("?")
        raw = raw.partition("#")[0]
        if not raw.startswith("/"):
            raise Refused(400, "Bad path")
        try:
            path = urllib.parse.unquote(raw, errors="strict")
        except UnicodeDecodeError:
            raise Refused(400, "Bad path") from None
        segments = path[1:].split("/")
        inner, last = segments[:-1], segments[-1]
        if (
            any(ord(c) < 0x20 or c == "\x7f" or c == "\\" for c in path)
            or any(s in ("", ".", "..") for s in inner)
            or last in (".", "..")
        ):
            raise Refused(400, "Bad path")
        return path, query

    def send_file(self, path: str, query: str, with_body: bool) -> None:
        overlay = self.state.overlay  # replaced whole, never changed in place: this is one consistent set
        if (shown := overlay.get(path[1:] + "index.html" if path.endswith("/") else path[1:])) is not None:
            self.send_body(200, self.with_script(shown.decode("utf-8")), "text/html; charset=utf-8", with_body)
            return
        if path[1:] + "/index.html" in overlay:
            self.redirect(path, query)
            return
        root = Path(self.directory).resolve()
        try:
            target = (root / path[1:]).resolve()
            inside = target == root or target.is_relative_to(root)
            if inside and target.is_dir():
                if not path.endswith("/"):
                    self.redirect(path, query)
                    return
                target = target / "index.html"
            found = inside and target.is_file()
        except OSError:  # a name too long for the file system
            found = False
        try:
            status, (body, content_type) = (200, self.read(target)) if found else (404, self.read(root / "404.html"))
        except OSError:  # removed by a rebuild meanwhile; no site built yet
            status, body, content_type = 404, "404 找不到这个页面 (not found)\n".encode(), "text/plain; charset=utf-8"
        self.send_body(status, body, content_type, with_body)

    def redirect(self, path: str, query: str) -> None:
        """A folder asked for without its slash: to the address with it."""
        self.send_response(301)
        self.send_header("Location", urllib.parse.quote(path + "/") + ("?" + query if query else ""))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def read(self, page: Path) -> tuple[bytes, str]:
        """A file's bytes and type; an HTML page with the live-preview script added."""
        if page.suffix == ".html":
            return self.with_script(page.read_text(encoding="utf-8", errors="replace")), "text/html; charset=utf-8"
        return page.read_bytes(), self.guess_type(str(page))

    @staticmethod
    def with_script(html: str) -> bytes:
        return html.replace("</body>", LIVE_SCRIPT + "</body>", 1).encode("utf-8")

    def send_body(self, status: int, body: bytes, content_type: str, with_body: bool = True) -> None:
        """A response made for this request, which the browser must not cache."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)


def serve(options: pipeline.Options, port: int, report, watched: list[Path]) -> int:
    """Watch, build once, then serve and rebuild on change until Ctrl+C. The files are watched before the first
    build starts, so a save made while it runs (minutes at province scale) is built right after it."""
    state = State()
    stop, ready, go = threading.Event(), threading.Event(), threading.Event()
    watcher = threading.Thread(target=watch, args=(options, watched, state, report, stop, ready, go), daemon=True)
    watcher.start()
    ready.wait()
    if not watcher.is_alive():
        print("error: 无法监视文件的改动 (cannot watch the files for changes)", file=sys.stderr, flush=True)
        return 1
    try:
        rebuild(options, state, report)
    finally:
        go.set()
    with server_for(state, options.site_dir, port) as server:
        print(
            f"预览地址 http://127.0.0.1:{port}/ ，保存文件后自动重新生成（按 Ctrl+C 停止）(serving, rebuilding on save)",
            flush=True,
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            stop.set()
    return 0


def server_for(state: State, site_dir: Path, port: int) -> http.server.ThreadingHTTPServer:
    """The preview's HTTP server on 127.0.0.1:`port` (0: any free port), serving `site_dir` and `state`."""
    site_dir = site_dir.resolve()
    site_dir.mkdir(parents=True, exist_ok=True)
    handler = functools.partial(type("BoundHandler", (Handler,), {"state": state}), directory=str(site_dir))
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
