"""A small reusable helper for tests that open a built site in a real headless Chromium.

    with serve(site_dir) as base_url, Browser(base_url) as browser:
        page = browser.open("search/?q=甘溪镇")          # a fresh context: empty cache and storage
        tab = browser.open("search/?q=甘溪镇", fresh=False)  # the shared context: cache kept, faster
        ...
        browser.assert_clean()     # nothing left 127.0.0.1, no console errors

    with browse(site_dir, DESKTOP) as browser:            # serve + Browser in one
        page = browser.open("towns/x/", java_script_enabled=False)   # context options per page
        violations = axe(page)                            # axe-core's serious and critical findings
        save_screenshot(page, "town-phone")               # test-artifacts/town-phone.png

The site is served by Python's own static HTTP server in a thread on a free port of 127.0.0.1.
Chromium is Debian's (`/usr/bin/chromium`, or $CHROMIUM), driven by Playwright without
Playwright's own browser download. Every request is recorded, and a request to any other host
is a failure: Chromium resolves no host name but 127.0.0.1 (so nothing can leave the machine),
and `assert_clean()` lists what was tried, so a page that quietly needs the Internet (a CDN
font, an analytics script) fails the test instead of working only on a developer's machine.
Requests are watched, not intercepted, so Chromium's cache works as it does for a resident.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import os
import shutil
import threading
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Resolve no host but the local server: whatever a page asks of the Internet fails at once.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None


def require_chromium(what: str) -> None:
    """Skip the calling test module when Chromium is missing, except in CI, where that is an error."""
    import pytest

    if chromium_available():
        return
    if os.environ.get("CI"):
        raise RuntimeError(f"Chromium is required for {what} in CI (see .ci/run)")
    pytest.skip(f"Chromium is not installed (/usr/bin/chromium or $CHROMIUM): {what} skipped", allow_module_level=True)


class _QuietHandler(SimpleHTTPRequestHandler):
    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".wasm": "application/wasm",
        ".json": "application/json",
    }

    def log_message(self, format, *args):
        pass


@contextlib.contextmanager
def serve(site: Path):
    """Serve `site` on 127.0.0.1 at a free port, in a thread; yields the base URL (ending in /)."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextlib.contextmanager
def browse(site: Path, viewport: dict | None = None):
    """Serve `site` and open one Chromium on it (at `viewport`, a phone's by default); yields the Browser."""
    with serve(site) as base_url, Browser(base_url, dict(viewport or PHONE)) as browser:
        yield browser


@dataclass
class Record:
    """One request the browser made."""

    url: str
    method: str
    status: int | None = None  # None until the response came; -1 if the request failed
    failure: str | None = None
    request: object = field(default=None, repr=False)


@dataclass
class Browser:
    """One Chromium for many pages, at a phone's size unless told otherwise."""

    base_url: str
    viewport: dict = field(default_factory=lambda: dict(PHONE))
    requests: list[Record] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def __enter__(self) -> Browser:
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        try:
            # launch() gives Chromium a fresh temporary profile (user-data dir), removed when it closes.
            self._browser = self._playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, chromium_sandbox=False
            )
        except Exception:
            self._playwright.stop()
            raise
        self._host = urlsplit(self.base_url).netloc
        self._records: dict[object, Record] = {}
        self._shared = None
        return self

    def __exit__(self, *exc) -> None:
        with contextlib.suppress(Exception):
            self._browser.close()
        self._playwright.stop()

    # ------------------------------------------------------------------ pages

    def new_context(self, **options):
        """A new, empty browser context (no cache, cookies or storage), watched like every other.
        `options` go to Playwright's `new_context` (e.g. `java_script_enabled=False`)."""
        options = {"viewport": self.viewport, "locale": "zh-CN", "service_workers": "block", **options}
        context = self._browser.new_context(**options)
        context.on("request", self._request)
        context.on("response", self._response)
        context.on("requestfailed", self._failed)
        return context

    def new_page(self, fresh: bool = True, clock: datetime.datetime | None = None, **options):
        """A tab: in a new context, or (fresh=False) in one context shared by all such tabs.
        Context `options` always make a new context. `clock`: the page's Date.now() is that moment, always
        (Playwright's clock emulation; a page whose words depend on the day never reads the wall clock)."""
        if fresh or options:
            context = self.new_context(**options)
        else:
            if self._shared is None:
                self._shared = self.new_context()
            context = self._shared
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                message.type == "error"
                and self.console_errors.append(
                    f"{page.url}: {message.text} ({message.location.get('url', '')}:{message.location.get('lineNumber', '')})"
                )
            ),
        )
        page.on("pageerror", lambda error: self.console_errors.append(f"{page.url}: uncaught {error}"))
        if clock is not None:
            page.clock.set_fixed_time(clock)
        return page

    def open(
        self, url: str, fresh: bool = True, wait_until: str = "load", clock: datetime.datetime | None = None, **options
    ):
        """A new tab showing `url` (relative to the site root); `options` as for `new_context`."""
        page = self.new_page(fresh, clock, **options)
        page.goto(self.base_url + url.lstrip("/"), wait_until=wait_until)
        return page

    def close(self, page) -> None:
        """Close a tab, and its context unless that is the shared one."""
        context = page.context
        page.close()
        if context is not self._shared:
            context.close()

    # -------------------------------------------------------------- recording

    def _request(self, request) -> None:
        record = Record(request.url, request.method, request=request)
        self._records[request] = record
        self.requests.append(record)

    def _response(self, response) -> None:
        record = self._records.get(response.request)
        if record:
            record.status = response.status

    def _failed(self, request) -> None:
        record = self._records.get(request)
        if record:
            record.status, record.failure = -1, request.failure

    @property
    def foreign(self) -> list[str]:
        """Every URL asked of a host other than the local server."""
        return [
            r.url
            for r in self.requests
            if urlsplit(r.url).scheme in ("http", "https", "ws", "wss") and urlsplit(r.url).netloc != self._host
        ]

    def forget(self) -> None:
        """Drop what was recorded so far (requests, console errors): the next `assert_clean()` is about
        what comes after, e.g. one test of many sharing this browser."""
        self.requests.clear()
        self.console_errors.clear()
        self._records.clear()

    def mark(self) -> int:
        """A position in the request log; `since(mark)` gives the requests made after it."""
        return len(self.requests)

    def since(self, mark: int) -> list[Record]:
        return self.requests[mark:]

    @staticmethod
    def body_size(record: Record) -> int:
        """The size of a finished response's body, as received (ask before closing its tab)."""
        try:
            size = record.request.sizes()["responseBodySize"]
            if not size:  # a worker's own script reports no size: take the header the server sent
                response = record.request.response()
                size = int((response and response.header_value("content-length")) or 0)
            return size
        except Exception:
            return 0

    @classmethod
    def transferred(cls, records: list[Record]) -> int:
        """Bytes received for `records`: response headers and bodies as they came over the wire."""
        total = 0
        for record in records:
            try:
                total += record.request.sizes()["responseHeadersSize"]
            except Exception:
                pass
            total += cls.body_size(record)
        return total

    def assert_clean(self) -> None:
        """No request left the local server, and no page logged an error."""
        assert not self.foreign, "requests to other hosts:\n" + "\n".join(self.foreign)
        assert not self.console_errors, "console errors:\n" + "\n".join(self.console_errors)


def axe(page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """Run axe-core (node_modules/axe-core, pinned in package.json) in `page`; one line per violation
    of the given impacts, naming the rule, the elements and what is wrong."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['impact']} {v['id']}: {v['help']} at {[n['target'] for n in v['nodes'][:5]]}: "
        f"{v['nodes'][0].get('failureSummary', '')}"
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def save_screenshot(page, name: str, full_page: bool = False) -> Path:
    """Save what `page` shows as test-artifacts/<name>.png (the first screen, or the whole page)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
