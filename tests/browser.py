"""A small reusable helper for tests that open a built site in a real headless Chromium.

    with serve(site_dir) as base_url, Browser(base_url) as browser:
        tab = browser.open("search/?q=甘溪镇")
        ...
        browser.assert_clean()     # nothing left 127.0.0.1, no console errors

The site is served by Python's own static HTTP server in a thread on a free port of
127.0.0.1. Chromium is Debian's (`/usr/bin/chromium`, or $CHROMIUM), driven by Playwright
without Playwright's own browser download. Every request is recorded; a request to any
other host is aborted and reported, so a page that quietly needs the Internet (a CDN font,
an analytics script) fails the test instead of working only on the developer's machine.
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
    """Serve `site` on 127.0.0.1 at a free port; yields the base URL (ending in /)."""
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
    """One request the browser made, with the size of its response body once it finished."""

    url: str
    method: str
    status: int | None = None
    size: int | None = None


@dataclass
class Browser:
    """One Chromium for many pages: each `open()` gets a fresh context (no cache, cookies or storage)."""

    base_url: str
    viewport: dict = field(default_factory=lambda: dict(PHONE))
    requests: list[Record] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def __enter__(self) -> "Browser":
        from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only tests that use a browser need it

        self._playwright = sync_playwright().start()
        try:
            # launch() starts Chromium on a fresh temporary profile, removed when it closes.
            self._browser = self._playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                                             headless=True, chromium_sandbox=False)
        except Exception:
            self._playwright.stop()
            raise
        self._contexts = []
        self._records = {}
        self._host = urlsplit(self.base_url).netloc
        return self

    def __exit__(self, *exc) -> None:
        for context in self._contexts:
            with contextlib.suppress(Exception):
                context.close()
        with contextlib.suppress(Exception):
            self._browser.close()
        self._playwright.stop()

    # ------------------------------------------------------------------ pages

    def new_page(self):
        """A tab in a new, empty browser context, watched for foreign requests and console errors."""
        context = self._browser.new_context(viewport=self.viewport, locale="zh-CN", service_workers="block")
        self._contexts.append(context)
        context.route("**/*", self._route)
        page = context.new_page()
        page.on("console", lambda message: message.type == "error" and self.console_errors.append(
            f"{page.url}: {message.text} ({message.location.get('url', '')}:{message.location.get('lineNumber', '')})"))
        page.on("pageerror", lambda error: self.console_errors.append(f"{page.url}: uncaught {error}"))
        page.on("requestfinished", self._finished)
        page.on("requestfailed", lambda request: self._record(request).__setattr__("status", -1))
        return page

    def open(self, url: str, wait_until: str = "load"):
        """A new tab showing `url` (relative to the site root)."""
        page = self.new_page()
        page.goto(self.base_url + url.lstrip("/"), wait_until=wait_until)
        return page

    def close(self, page) -> None:
        context = page.context
        context.close()
        if context in self._contexts:
            self._contexts.remove(context)

    # -------------------------------------------------------------- recording

    def _route(self, route, request) -> None:
        self._record(request)
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob", "about") or parts.netloc == self._host:
            route.continue_()
        else:
            self.foreign.append(request.url)
            route.abort("blockedbyclient")

    def _record(self, request) -> Record:
        record = self._records.get(request)
        if record is None:
            record = self._records[request] = Record(request.url, request.method)
            self.requests.append(record)
        return record

    def _finished(self, request) -> None:
        record = self._record(request)
        response = request.response()
        record.status = response.status if response else None
        with contextlib.suppress(Exception):
            record.size = request.sizes()["responseBodySize"]

    def mark(self) -> int:
        """A position in the request log; `since(mark)` gives the requests made after it."""
        return len(self.requests)

    def since(self, mark: int) -> list[Record]:
        return self.requests[mark:]

    def assert_clean(self) -> None:
        """No request left the local server, and no page logged an error."""
        assert not self.foreign, "requests to other hosts:\n" + "\n".join(self.foreign)
        assert not self.console_errors, "console errors:\n" + "\n".join(self.console_errors)
