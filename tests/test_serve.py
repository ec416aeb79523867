"""`portal serve`: a live preview that rebuilds on save and shows problems in the terminal and the page."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.sitebuild import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "small" / "notices"
PORTAL = str(Path(sys.executable).with_name("portal"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read()


def wait_for(condition, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = condition()
            if value:
                return value
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError("timed out waiting for the preview")


@pytest.fixture
def preview(tmp_path):
    notices = tmp_path / "notices"
    shutil.copytree(FIXTURE, notices)
    port = free_port()
    process = subprocess.Popen([PORTAL, "serve", "--notices", str(notices), "--site-dir", str(tmp_path / "site"),
                                "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: json.loads(get(base + "/__portal/status"))["build"] >= 1)
        yield base, notices, process
    finally:
        process.terminate()
        process.wait(timeout=10)


def status(base):
    return json.loads(get(base + "/__portal/status"))


def test_rebuilds_on_save_and_reports_problems(preview):
    base, notices, process = preview
    page_url = base + "/notices/lost/2022/zero/"
    html = get(page_url).decode("utf-8")
    assert "王某某" in html and "__portal/status" in html  # the live script, preview only
    zero = notices / "lost" / "2022" / "zero.yaml"
    good = zero.read_text(encoding="utf-8")

    zero.write_text(good.replace("published: 2022-07-01", "published: 2022-02-30"), encoding="utf-8")
    problems = wait_for(lambda: status(base)["problems"])
    assert any("zero.yaml" in p and "(date-format)" in p for p in problems)
    assert "王某某" in get(page_url).decode("utf-8")  # the last good site stays up

    built = status(base)["build"]
    zero.write_text(good.replace("王某某", "王某改"), encoding="utf-8")
    wait_for(lambda: status(base)["build"] > built and not status(base)["problems"])
    assert "王某改" in get(page_url).decode("utf-8")

    process.terminate()
    output = process.communicate(timeout=10)[0]
    assert "(date-format)" in output  # the terminal saw the problem too
    assert "Traceback" not in output


def test_published_site_has_no_live_script(preview, tmp_path):
    base, notices, process = preview
    built = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "__portal/status" not in built
