"""A small reusable helper for tests that open a built site in a real headless Chromium.

    with serve(site_dir) as base_url, Browser(base_url) as browser:
        page = browser.open("search/?q=甘溪镇")          # a fresh context: empty cache and storage
        tab = browser.open("search/?q=甘溪镇", fresh=False)  # the shared context: cache kept, faster
        ...
        browser.assert_clean()     # nothing left 127.0.0.1, no console errors

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
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
    # Resolve no host but the local server: whatever a page asks of the Internet fails at once.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
PHONE = {"width": 360, "height": 740}


def chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None


class _QuietHandler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript", ".mjs": "text/javascript",
                      ".wasm": "application/wasm", ".json": "application/json"}

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
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


@dataclass
class Record:
    """One request the browser made."""

    url: str
    method: str
    status: int | None = None      # None until the response came; -1 if the request failed
    failure: str | None = None
    request: object = field(default=None, repr=False)


@dataclass
class Browser:
    """One Chromium for many pages, at a phone's size unless told otherwise."""

    base_url: str
    viewport: dict = field(default_factory=lambda: dict(PHONE))
    requests: list[Record] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def __enter__(self) -> "Browser":
        from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only tests that use a browser need it

        self._playwright = sync_playwright().start()
        try:
            # launch() gives Chromium a fresh temporary profile (user-data dir), removed when it closes.
            self._browser = self._playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                                             headless=True, chromium_sandbox=False)
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

    def new_context(self):
        """A new, empty browser context (no cache, cookies or storage), watched like every other."""
        context = self._browser.new_context(viewport=self.viewport, locale="zh-CN", service_workers="block")
        context.on("request", self._request)
        context.on("response", self._response)
        context.on("requestfailed", self._failed)
        return context

    def new_page(self, fresh: bool = True):
        """A tab: in a new context, or (fresh=False) in one context shared by all such tabs."""
        if fresh:
            context = self.new_context()
        else:
            if self._shared is None:
                self._shared = self.new_context()
            context = self._shared
        page = context.new_page()
        page.on("console", lambda message: message.type == "error" and self.console_errors.append(
            f"{page.url}: {message.text} ({message.location.get('url', '')}:{message.location.get('lineNumber', '')})"))
        page.on("pageerror", lambda error: self.console_errors.append(f"{page.url}: uncaught {error}"))
        return page

    def open(self, url: str, fresh: bool = True, wait_until: str = "load"):
        """A new tab showing `url` (relative to the site root)."""
        page = self.new_page(fresh)
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
        return [r.url for r in self.requests
                if urlsplit(r.url).scheme in ("http", "https", "ws", "wss") and urlsplit(r.url).netloc != self._host]

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

    def assert_clean(self) -> None:
        """No request left the local server, and no page logged an error."""
        assert not self.foreign, "requests to other hosts:\n" + "\n".join(self.foreign)
        assert not self.console_errors, "console errors:\n" + "\n".join(self.console_errors)
