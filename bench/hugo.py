"""The same pages as a Hugo site, to time Debian's `hugo` side by side with `portal build`.

`export(site, out)` turns a site that `portal build` made into a Hugo project:

- every page of ours (an `index.html` holding MkDocs' `<article class="md-content__inner">`)
  becomes one Markdown content file at the same URL, with front matter (`title` from the page's
  `<title>`) and, as its body, the HTML of the page's article: what our templates rendered from
  the YAML. Lines are left-trimmed and blank lines dropped, so Goldmark keeps the whole body as
  raw HTML (an indented line after a blank one would otherwise become a code block). A folder
  with pages below it becomes a section (`_index.md`, rendered by `list.html`, which also lists
  the section's pages, as Hugo sites do); any other page is a leaf bundle (`index.md`, rendered
  by `single.html`);
- the page frame (MkDocs Material's header, navigation and footer around the article, taken
  from our home page) is site data (`data/frame.json`) that `layouts/_default/baseof.html` puts
  around every page, so Hugo writes pages of about the same size as ours;
- every other file (CSS, JavaScript, fonts, the admin page) goes to `static/` and is copied as
  it is; Pagefind's index is left out: Hugo makes no search index.

So Hugo is timed on the part of our work that a static-site generator does (read content files,
turn them into HTML, put each in a layout, write the site), without checking the YAML or
rendering it from the data contract and without a search index. Rendering Markdown from the YAML
instead would mean a second implementation of our templates, and a different page content.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

from measure import Run, run

ARTICLE = '<article class="md-content__inner md-typeset">'
ARTICLE_END = "</article>"
TITLE = re.compile(r"<title>(.*?)</title>", re.S)
SKIPPED = {"pagefind"}  # our search index: Hugo makes none

CONFIG = """\
baseURL = "/"
languageCode = "zh-CN"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]

[markup.goldmark.renderer]
unsafe = true
"""

# The frame is site data output as it is (safeHTML): written into the layout, Go's template engine would
# read the `{{` in MkDocs' inline scripts as actions.
BASEOF = (
    "{{ site.Data.frame.before_title | safeHTML }}<title>{{ .Title }}</title>"
    '{{ site.Data.frame.after_title | safeHTML }}{{ block "main" . }}{{ end }}{{ site.Data.frame.tail | safeHTML }}'
)
SINGLE = '{{ define "main" }}{{ .Content }}{{ end }}\n'
LIST = (
    '{{ define "main" }}{{ .Content }}\n'
    '<ul class="hugo-pages">{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>'
    "{{ end }}\n"
)


def installed() -> str | None:
    """`hugo version` of the hugo on PATH, or None when there is none."""
    if shutil.which("hugo") is None:
        return None
    return subprocess.run(["hugo", "version"], capture_output=True, text=True).stdout.strip() or None


def split_page(text: str) -> tuple[str, str, str] | None:
    """(frame head, article body, frame tail) of one of our pages, or None for a page without an article."""
    start = text.find(ARTICLE)
    end = text.rfind(ARTICLE_END)  # town pages nest <article> cards inside the page's article
    if start < 0 or end < start:
        return None
    start += len(ARTICLE)
    return text[:start], text[start:end], text[end:]


def page_title(text: str) -> str:
    found = TITLE.search(text)
    return html.unescape(found.group(1)).strip() if found else ""


def raw_html(body: str) -> str:
    """The body as one raw-HTML run for Goldmark: no blank lines, no indentation."""
    return "\n".join(line.strip() for line in body.splitlines() if line.strip()) + "\n"


def frame_data(head: str, tail: str) -> dict[str, str]:
    """The frame around the article, as Hugo site data; the page's <title> is left out, for `{{ .Title }}`."""
    before, _, after = TITLE.sub("\x00", head, count=1).partition("\x00")
    return {"before_title": before, "after_title": after, "tail": tail}


def content_path(url: str, sections: set[str]) -> str:
    """Where the page at `url` ('' for the home page, else 'a/b') goes below content/."""
    if url == "" or url in sections:
        return f"{url}/_index.md".lstrip("/")
    return f"{url}/index.md"


def export(site: Path, out: Path) -> int:
    """Write a Hugo project for the pages of `site` into `out` (replaced); return the number of content files."""
    if out.exists():
        shutil.rmtree(out)
    content, static, layouts = out / "content", out / "static", out / "layouts" / "_default"
    pages: dict[str, tuple[str, str]] = {}  # url → (title, body)
    frame: tuple[str, str] | None = None
    for path in sorted(site.rglob("*")):
        relative = path.relative_to(site)
        if path.is_dir() or relative.parts[0] in SKIPPED:
            continue
        if path.name == "index.html":
            text = path.read_text(encoding="utf-8")
            parts = split_page(text)
            if parts is not None:
                url = relative.parent.as_posix().removeprefix(".")
                pages[url] = (page_title(text), raw_html(parts[1]))
                if url == "":
                    frame = (parts[0], parts[2])
                continue
        target = static / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    if frame is None:
        raise ValueError(f"{site} has no home page with an article to take the page frame from")
    sections = {parent for url in pages for parent in parent_urls(url)}
    for url, (title, body) in pages.items():
        target = content / content_path(url, sections)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n---\n{body}", encoding="utf-8")
    layouts.mkdir(parents=True, exist_ok=True)
    (out / "data").mkdir()
    (out / "data" / "frame.json").write_text(json.dumps(frame_data(*frame), ensure_ascii=False), encoding="utf-8")
    (layouts / "baseof.html").write_text(BASEOF, encoding="utf-8")
    (layouts / "single.html").write_text(SINGLE, encoding="utf-8")
    (layouts / "list.html").write_text(LIST, encoding="utf-8")
    (out / "config.toml").write_text(CONFIG, encoding="utf-8")
    return len(pages)


def parent_urls(url: str) -> list[str]:
    """'a/b/c' → ['a', 'a/b']."""
    parts = url.split("/") if url else []
    return ["/".join(parts[:i]) for i in range(1, len(parts))]


def build(project: Path, site: Path) -> Run:
    """Time `hugo --quiet` building `project` into `site`, from nothing (site and Hugo's cache removed first)."""
    cache = project / ".hugo-cache"
    for folder in (site, cache):
        if folder.exists():
            shutil.rmtree(folder)
    return run(["hugo", "--quiet", "--source", str(project), "--destination", str(site), "--cacheDir", str(cache)])
