"""`portal serve`: a live preview that rebuilds on save and shows problems in the terminal and the page."""

from __future__ import annotations

import json
import re
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
    process = subprocess.Popen(
        [PORTAL, "serve", "--notices", str(notices), "--site-dir", str(tmp_path / "site"), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
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


# Hardening: the preview answers only what a built site holds, to this machine only, and never crashes.


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One `portal serve` for the hardening tests, with a secret file next to its site folder."""
    tmp = tmp_path_factory.mktemp("serve")
    notices = tmp / "notices"
    shutil.copytree(FIXTURE, notices)
    (tmp / "secret.txt").write_text("SECRET-OUTSIDE-THE-SITE", encoding="utf-8")
    port = free_port()
    process = subprocess.Popen(
        [PORTAL, "serve", "--notices", str(notices), "--site-dir", str(tmp / "site"), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for(lambda: json.loads(get(f"http://127.0.0.1:{port}/__portal/status"))["build"] >= 1)
        (tmp / "site" / "leak.txt").symlink_to(tmp / "secret.txt")  # as if planted in the built site
        yield port, tmp / "site", process
    finally:
        process.terminate()
        output = process.communicate(timeout=10)[0]
    assert "Traceback" not in output, output


def raw(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send bytes as they are (no client library to clean them up) and read the whole answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    assert answer, "the server dropped the connection without an answer"
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("iso-8859-1").split("\r\n")
    headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def request(port: int, path: str, host: str | None = None, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    host_line = f"Host: {host if host is not None else f'127.0.0.1:{port}'}\r\n" if host != "" else ""
    return raw(port, f"{method} {path} HTTP/1.1\r\n{host_line}Connection: close\r\n\r\n".encode("latin-1"))


@pytest.mark.parametrize(
    "path",
    [
        "/%00",
        "/%00/index.html",
        "/index.html%00.png",
        "/a%0ab",
        "/%1b[31m",
        "/%ff",
        "/%c0%ae%c0%ae/",
        "/towns%5c..%5c",
        "/towns//hengdong/",
        "http://example.org/",
        "*",
    ],
)
def test_a_nul_or_malformed_path_is_a_400_not_a_dropped_connection(server, path):
    port, site, process = server
    status, _, _ = request(port, path)
    assert status == 400, path
    assert request(port, "/")[0] == 200  # still serving
    assert process.poll() is None


TRAVERSALS = [
    "/../secret.txt",
    "/%2e%2e/secret.txt",
    "/..%2fsecret.txt",
    "/%2e%2e%2fsecret.txt",
    "/.%2e/secret.txt",
    "/towns/../../secret.txt",
    "/towns/%2e%2e/%2E%2E/secret.txt",
    "/%252e%252e/secret.txt",
    "/..;/secret.txt",
    "/leak.txt",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_nothing_outside_the_site_folder_is_served(server, path):
    port, site, process = server
    status, _, body = request(port, path)
    assert status in (400, 404), path
    assert b"SECRET" not in body


def test_a_folder_without_its_slash_is_redirected(server):
    port, site, process = server
    assert (site / "towns" / "index.html").is_file()
    status, headers, _ = request(port, "/towns")
    assert (status, headers["location"]) == (301, "/towns/")
    status, headers, _ = request(port, "/towns/hengdong?q=%E7%94%B2")
    assert (status, headers["location"]) == (301, "/towns/hengdong/?q=%E7%94%B2")
    status, _, body = request(port, "/towns/")
    assert status == 200 and b"__portal/status" in body
    status, headers, _ = request(port, "//towns")  # never "//towns/": a browser reads that as another host
    assert (status, headers["location"]) == (301, "/towns/")


def test_unknown_addresses_and_folders_without_an_index_get_the_sites_404_page(server):
    port, site, process = server
    folder = next(p for p in sorted(site.rglob("*")) if p.is_dir() and not (p / "index.html").exists())
    listing = "/" + folder.relative_to(site).as_posix() + "/"
    own_page = (site / "404.html").read_text(encoding="utf-8")
    title = re.search(r"<title>(.*?)</title>", own_page).group(1)
    too_long = ["/" + "a" * 300, "/towns/" + "/".join(["b" * 250] * 20) + "/"]  # longer than a file name can be
    for path in [listing, "/no-such-page/", "/no-such-file.txt", "/towns/nowhere", *too_long]:
        status, headers, body = request(port, path)
        assert status == 404, path
        assert headers["content-type"] == "text/html; charset=utf-8"
        text = body.decode("utf-8")
        assert f"<title>{title}</title>" in text and "Directory listing" not in text, path
        assert not any(child.name in text for child in folder.iterdir()), path


@pytest.mark.parametrize(
    "host",
    ["localhost", "127.0.0.1", "[::1]", "LOCALHOST:{port}", "localhost:{port}", "127.0.0.1:{port}", "[::1]:{port}"],
)
def test_this_machine_by_name_is_served(server, host):
    port, site, process = server
    assert request(port, "/", host=host.format(port=port))[0] == 200


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:{port}",
        "127.0.0.1.nip.io:{port}",
        "localhost:1",
        "localhost.:{port}",
        "127.0.0.2:{port}",
        "0.0.0.0:{port}",
        "[::1]:1",
        "localhost:{port}x",
    ],
)
def test_another_host_name_is_refused_against_dns_rebinding(server, host):
    port, site, process = server
    status, _, body = request(port, "/__portal/status", host=host.format(port=port))
    assert status == 421, host
    assert b'"build"' not in body


def test_a_request_without_exactly_one_host_is_refused(server):
    port, site, process = server
    assert request(port, "/", host="")[0] == 400
    twice = f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nHost: evil.example\r\nConnection: close\r\n\r\n"
    assert raw(port, twice.encode())[0] == 400


def test_head_answers_like_get_without_a_body(server):
    port, site, process = server
    status, headers, body = request(port, "/towns/", method="HEAD")
    assert status == 200 and int(headers["content-length"]) > 0 and body == b""
    assert request(port, "/nowhere/", method="HEAD")[:1] == (404,)
