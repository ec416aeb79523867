"""Stage 6: scan every file the build wrote, in the staging folder, before it is published.

The stages before this one are written to never publish a whole ID number, a script or a link
that leaves the site; this stage checks that they did, on the output itself, so that a mistake
in between (a template, a masking rule, a county's template override) fails the build instead of
being published. `scan()` reads every file below the staged site and returns what it found:

- an ID number (the one definition: `identifiers.find_id_numbers`) anywhere: the text and every
  attribute value of HTML and SVG (URLs also percent-decoded), Pagefind's index files (gzip,
  then its `pagefind_dcd` header, then JSON or CBOR), feeds, sitemaps and data files;
- a `<script>` the theme did not bring: an inline script must be one of the theme's own
  (`Trusted.scripts`: the `<script>` elements of the theme's templates, whose `{{ }}` can only
  produce a base URL such as `../..`), a script file must be byte for byte a file the project
  ships at that place (`Trusted.shipped`); an `on…` event attribute; a `javascript:`, `vbscript:` or `data:` URL;
  an element that loads another document (`<iframe>`, `<object>`, `<embed>`, `<base>`);
- a link or asset on another host (`https://…`, `//host/…`), apart from `ALLOWED_HOSTS`;
- an internal link or `#anchor` that does not resolve to a file, or an id, in the staged site;
- a notice or town whose page is missing, a town's 公示牌 page (boards.py), or a notice's 刊登证明 page
  beside it (`Expected`: one page per YAML entry).

A full scan reads every file (40,000 at province scale) in worker processes; a rebuild reads only the files whose
bytes the last successful scan did not read, and checks what depends on other files over all of them
(`scan_site`, `cross_file`); see dev/builds.md ("The output scan").
"""

from __future__ import annotations

import dataclasses
import functools
import gzip
import hashlib
import json
import os
import posixpath
import re
import sys
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .. import resources
from ..checking import fingerprint, identifiers, model, privacy
from ..checking.problems import BuildError
from ..checking.rules import GOOD_ID
from ..site import boards
from ..site.page import site_files
from ..site.shell import TITLE_MARK, URL_MARK
from ..staff import cms
from .cache import BuildCache, ScanRecord, code_digest
from .workers import worker_pool

#: Hosts a page may link to or load from. Empty: every page, script, style, font and image is
#: served by the site itself (mainland China), and no link sends a resident elsewhere.
ALLOWED_HOSTS: frozenset[str] = frozenset()

#: The only links to another host a page may carry, each matched whole, and only as `<a href>` (a link a
#: resident follows, never an asset a page loads): the footer's ICP number links to the MIIT's record
#: system, as the MIIT requires, and its 公安备案号 to that number's record at the MPS (identity.py).
ALLOWED_LINKS: tuple[re.Pattern, ...] = (
    re.compile(re.escape(model.ICP_LINK)),
    re.compile(re.escape(model.POLICE_LINK).replace(r"\{code\}", "[0-9]{14}")),
)

#: Fictitious ID numbers the project's own documentation shows as valid input (the staff guide and the
#: rules reference, from rules.GOOD_ID): allowed on the documentation pages below guide/, nowhere else.
EXAMPLE_ID_NUMBERS: dict[str, frozenset[str]] = {"guide/": frozenset({GOOD_ID})}

#: URL schemes that open something on the resident's phone rather than a document.
HARMLESS_SCHEMES = frozenset({"tel", "mailto", "sms"})
SCRIPT_SCHEMES = frozenset({"javascript", "vbscript", "data"})
WEB_SCHEMES = frozenset({"http", "https", "ftp", "ws", "wss"})

#: Attributes holding one URL; `srcset` holds several.
URL_ATTRIBUTES = frozenset(
    {
        "href",
        "src",
        "action",
        "formaction",
        "poster",
        "cite",
        "data",
        "background",
        "manifest",
        "icon",
        "longdesc",
        "xlink:href",
        "ping",
    }
)
#: SVG attributes that hold lists of numbers (geometry): each number is checked on its own.
GEOMETRY_ATTRIBUTES = frozenset(
    {
        "d",
        "points",
        "viewbox",
        "transform",
        "x",
        "y",
        "x1",
        "y1",
        "x2",
        "y2",
        "cx",
        "cy",
        "r",
        "rx",
        "ry",
        "width",
        "height",
        "stroke-width",
        "stroke-dasharray",
    }
)
#: Elements that load another document into the page; the theme brings none.
FOREIGN_ELEMENTS = frozenset({"iframe", "frame", "object", "embed", "applet", "base"})
#: `<script type>` values a browser does not run (data for the theme, such as Material's __config).
DATA_SCRIPT_TYPES = frozenset({"application/json", "application/ld+json"})
#: Elements whose boundary does not separate words on screen: text on either side reads as one.
INLINE_ELEMENTS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "cite",
        "code",
        "data",
        "dfn",
        "em",
        "i",
        "kbd",
        "mark",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "time",
        "u",
        "var",
        "wbr",
    }
)
#: Pagefind's index files: gzip, then this header, then JSON (fragments) or CBOR (index, meta).
PAGEFIND_HEADER = b"pagefind_dcd"
PAGEFIND_SUFFIXES = frozenset({".pf_fragment", ".pf_index", ".pf_meta", ".pagefind"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".svg", ".xhtml"})
CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))|@import\s+(?:"([^"]*)"|'([^']*)')""", re.I)
SHA256 = re.compile(r"[0-9a-f]{64}")
#: A whole SHA-256 in text: 64 lowercase hex digits, nothing alphanumeric around them. A notice's fingerprint's
#: digits can pass an ID number's check digit by chance (one did in the 0.07 province); the scan passes over
#: exactly the fingerprints the build made (Trusted.digests), whose data was checked for ID numbers at every
#: offset before they were made — any other hex text is read like any text.
HEX_DIGEST = re.compile(r"(?<![0-9A-Za-z])[0-9a-f]{64}(?![0-9A-Za-z])")
BREAK = "\x00"  # joins separate texts: ends any run of digits, so two texts never read as one number
PARALLEL_MIN_FILES = 400


@dataclass(frozen=True)
class Finding:
    """One thing in a built file that must not be published."""

    file: str  # below the site folder, e.g. notices/lost/2022/x/index.html (or a data file below notices/)
    what: str  # 中文 (English gloss)
    excerpt: str = ""  # the text around it, any ID number masked

    @property
    def url(self) -> str:
        """The page address, for an HTML page."""
        if self.file.endswith("index.html"):
            return "/" + self.file[: -len("index.html")]
        return "/" + self.file if self.file.endswith(".html") else ""

    def format(self) -> str:
        where = f"{self.file} ({self.url})" if self.url else self.file
        return f"{where}: {self.what}" + (f": {self.excerpt}" if self.excerpt else "")


@dataclass(frozen=True)
class Expected:
    """The pages the data asks for: kind label (遗失声明, 注销公告, 镇) → [(data file, page URL)]."""

    pages: dict[str, list[tuple[str, str]]]
    unclaimed: list[str] = field(default_factory=list)  # data files that no entry came from

    def counts(self) -> str:
        return "，".join(f"{kind} {len(entries)} 页" for kind, entries in self.pages.items())


@dataclass(frozen=True)
class Trusted:
    """What the theme and the project legitimately put on pages."""

    scripts: tuple[re.Pattern, ...]  # inline scripts of the theme's templates
    shipped: tuple[tuple[str, Path], ...]  # (folder in the site, folder it is copied from as it is)
    hosts: frozenset[str] = ALLOWED_HOSTS
    site_url: str | None = None  # the site's own address: a link under it is a link within the site
    digests: frozenset[str] = frozenset()  # the notices' fingerprints (fingerprint.py): not read for ID numbers
    # ID-shaped numbers the build publishes whole by the privacy rule's one exception: valid credit codes
    # (privacy.whole_ids). Exactly these: the same digits anywhere else in a file are still a finding.
    public_ids: frozenset[str] = frozenset()

    @functools.cached_property
    def exempt(self) -> frozenset[str]:
        """What `id_scan` passes over: the build's fingerprints and its public credit codes (made once: every
        file asks, and a province has 33,000 fingerprints)."""
        return self.digests | self.public_ids

    def is_shipped(self, file: str, data: bytes) -> bool:
        """Whether a built file is, byte for byte, the file the theme or the project ships at that place:
        a script file a page may load, and a file that carries no data."""
        for prefix, folder in self.shipped:
            if file.startswith(prefix):
                source = folder / file[len(prefix) :]
                try:
                    if source.stat().st_size == len(data) and source.read_bytes() == data:
                        return True
                except OSError:
                    continue
        return False


# --------------------------------------------------------------------------- what is trusted

SCRIPT_ELEMENT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
JINJA_EXPRESSION = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
#: What a `{{ }}` in a theme script may produce: a base URL (".", "..", "../..", "/"), nothing else.
BASE_URL_CHARACTERS = r"[./]*"


def template_scripts(text: str) -> list[re.Pattern]:
    """The inline scripts of one template, each as a pattern where every Jinja expression stands for a base URL."""
    patterns = []
    for attributes, body in SCRIPT_ELEMENT.findall(text):
        if re.search(r"\bsrc\s*=", attributes) or "{%" in body:
            continue  # a script file (checked by its bytes), or one whose text depends on logic: not trusted
        parts = JINJA_EXPRESSION.split(body)
        patterns.append(re.compile(BASE_URL_CHARACTERS.join(re.escape(part) for part in parts), re.S))
    return patterns


def trusted(theme_dirs: list[Path], shipped: list[tuple[str, Path]], pages: Sequence[str] = ()) -> Trusted:
    """The theme's inline scripts (from the templates in `theme_dirs`, and from whole pages the project
    writes, `pages`), and where the files copied into the site as they are come from."""
    scripts: list[re.Pattern] = []
    for folder in theme_dirs:
        for root, dirs, names in os.walk(folder):
            dirs[:] = sorted(
                d for d in dirs if not d.startswith(".")
            )  # Material's .icons: 10,000 SVG files, no scripts
            for name in sorted(names):
                if name.endswith(".html"):
                    scripts += template_scripts(Path(root, name).read_text(encoding="utf-8"))
    for text in pages:
        scripts += [
            re.compile(re.escape(body), re.S)
            for attributes, body in SCRIPT_ELEMENT.findall(text)
            if not re.search(r"\bsrc\s*=", attributes)
        ]
    return Trusted(tuple(scripts), tuple(shipped))


# --------------------------------------------------------------------------- ID numbers, fast

_CANDIDATES: re.Pattern | None = None
#: What ends a run of an ID number's characters, by category, for a character NFKC leaves as it is.
_RUN_CATEGORIES = frozenset({"Nd", "Zs", "Pd", "Cf"})


def run_breakers() -> list[tuple[int, int]]:
    """Ranges of the Basic Multilingual Plane whose characters always end a run of an ID number's digits:
    a character without a decomposition (NFKC leaves it as it is) that is no decimal digit, no X, no
    space, dash or format character. Everything else may belong to a number (tests/test_scan.py checks
    this against `identifiers`)."""
    ranges: list[tuple[int, int]] = []
    for code in range(0x10000):
        char = chr(code)
        if (
            0xD800 <= code <= 0xDFFF
            or unicodedata.decomposition(char)
            or char in "Xx"
            or char.isspace()
            or unicodedata.category(char) in _RUN_CATEGORIES
        ):
            continue
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    return ranges


def _candidates() -> re.Pattern:
    """Stretches where an ID number may be: 17 or more characters none of which ends a run, the first not an
    ASCII space or dash. A fast, conservative sieve before `identifiers.find_id_numbers`, which decides."""
    global _CANDIDATES
    if _CANDIDATES is None:
        breakers = "".join(
            f"{re.escape(chr(a))}-{re.escape(chr(b))}" if b > a else re.escape(chr(a)) for a, b in run_breakers()
        )
        _CANDIDATES = re.compile(f"[^{breakers}\\s-][^{breakers}]{{16,}}")
    return _CANDIDATES


ASCII_SEPARATORS = re.compile(r"[\s-]+")


def id_numbers(text: str) -> list[tuple[int, int, str]]:
    """`identifiers.find_id_numbers(text)`, fast on long texts with few digits."""
    found = []
    for stretch in _candidates().finditer(text):
        if len(ASCII_SEPARATORS.sub("", stretch.group())) < 17:
            continue  # too few characters left to hold 17 digits and a check character
        found += [
            (start + stretch.start(), end + stretch.start(), number)
            for start, end, number in identifiers.find_id_numbers(stretch.group())
        ]
    return found


def masked(number: str) -> str:
    return identifiers.mask_id_number(number, privacy.ID_KEEP_START, privacy.ID_KEEP_END, privacy.ID_MASK_CHAR)


def shown(text: str, limit: int = 80, keep_end: bool = False) -> str:
    """Text for a terminal: controls and bidirectional marks escaped, runs of space and BREAK made one space."""
    text = re.sub(rf"[\s{BREAK}]+", " ", text)
    text = "".join(
        c
        if c.isprintable() and c not in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
        else f"\\u{ord(c):04x}"
        for c in text
    )
    if len(text) <= limit:
        return text
    return "…" + text[-limit:] if keep_end else text[:limit] + "…"


def id_findings(file: str, text: str, known: frozenset[str] = frozenset()) -> list[Finding]:
    """Every whole ID number in `text`; `known`: the fingerprints the build made and the credit codes it
    publishes whole (Trusted.exempt)."""
    return id_scan(file, text, known)[0]


def id_scan(file: str, text: str, known: frozenset[str]) -> tuple[list[Finding], frozenset[str]]:
    """`id_findings`, and the fingerprints and credit codes in `known` that it passed over digits in (a reused
    result holds only while each is still one of the build's)."""
    findings = []
    relied: set[str] = set()
    examples = frozenset().union(
        *(numbers for folder, numbers in EXAMPLE_ID_NUMBERS.items() if file.startswith(folder))
    )
    digests: list[tuple[int, int, str]] | None = None  # the build's fingerprints in the text: looked for only
    # when a number needs them (looking at every character was 9 % of the scan at province scale)
    for start, end, number in id_numbers(text):
        if number in examples:
            continue
        if number in known:  # a credit code the build publishes whole (privacy.whole_ids)
            relied.add(number)
            continue
        if digests is None:
            digests = [(*m.span(), m.group()) for m in HEX_DIGEST.finditer(text) if m.group() in known] if known else []
        covering = next((hex for a, b, hex in digests if a <= start and end <= b), None)
        if covering is not None:
            relied.add(covering)
            continue
        before, after = text[max(0, start - 24) : start].rsplit(BREAK, 1)[-1], text[end : end + 24].split(BREAK, 1)[0]
        findings.append(
            Finding(
                file,
                "完整的身份证号码 (whole ID number)",
                (shown(before, 30, keep_end=True) + masked(number) + shown(after, 30)).strip(),
            )
        )
    return findings, frozenset(relied)


# --------------------------------------------------------------------------- one file


#: An internal link as a page holds it: (the path it names below the site, or None when it leaves the site;
#: its fragment, "" for none; the link as written). Which file it reaches depends on the other files, so it is
#: resolved against the file set of each build (`settle`), never while the page is read.
Ref = tuple[str | None, str, str]


@dataclass
class FileReport:
    """What reading one file gave: everything here depends only on its bytes, its place and the scan's scope
    (`scope`), so a later build may reuse it for the same bytes at the same place (ScanRecord)."""

    findings: list[Finding] = field(default_factory=list)  # its own: ID numbers, scripts, hosts, event attributes…
    ids: frozenset[str] | None = None  # the ids (anchors) of an HTML page (without the shared frame's)
    refs: tuple[Ref, ...] = ()  # its internal links (without the shared frame's)
    scripts: tuple[tuple[str | None, str], ...] = ()  # (path below the site, as written): the script files it loads
    frame: int | None = None  # the depth of the shared frame the page was read with (its findings are reported once)
    relied: frozenset[str] = frozenset()  # the fingerprints (Trusted.digests) that exempted digits read as an ID number
    reusable: bool = True  # False: the result of a file shipped as it is (not read) or that could not be read


@dataclass(frozen=True)
class Context:
    """What every file's scan needs: the site, its file list, what is trusted, the shared frames."""

    site: Path
    files: frozenset[str]
    trusted: Trusted
    frames: dict[int, FrameScan] = field(default_factory=dict)


class PageParser(HTMLParser):
    """Reads one HTML or SVG page (or part of one): its text and attributes for ID numbers, its scripts,
    links and ids."""

    def __init__(self, file: str, context: Context):
        super().__init__(convert_charrefs=True)
        self.file, self.context = file, context
        self.base = posixpath.dirname(file)
        self.findings: list[Finding] = []
        self.text: list[str] = []
        self.ids: set[str] = set()
        self.refs: list[Ref] = []  # internal links: resolved against the file set by `settle`
        self.scripts: list[tuple[str | None, str]] = []  # script files loaded: (path below the site, as written)
        self.internal_urls: list[tuple[str, str]] = []  # (URL, link as written): what resolves against the page
        self.script: list[str] | None = None  # text of the inline script being read
        self.script_is_data = False
        self.deferred = False  # a shared frame: its internal links are resolved from each page
        self.in_style = False

    @property
    def clean(self) -> bool:
        """Whether the parser ended between two tags, as at the start: what follows is read the same way."""
        return not self.rawdata and self.cdata_elem is None and self.script is None

    def problem(self, what: str, excerpt: str = "") -> None:
        self.findings.append(Finding(self.file, what, shown(excerpt).strip()))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in INLINE_ELEMENTS:
            self.text.append(BREAK)
        written = " ".join(f'{name}="{value}"' if value is not None else name for name, value in attrs)
        if tag in FOREIGN_ELEMENTS:
            self.problem(f"不允许的元素 <{tag}> (element not allowed)", f"<{tag} {written}>")
        attributes = {}
        for name, value in attrs:
            value = value or ""
            attributes[name] = value
            if name in GEOMETRY_ATTRIBUTES:  # SVG numbers: each one read on its own
                self.text += [BREAK, BREAK.join(re.split(r"[^0-9.]+", value)), BREAK]
            else:
                self.text += [BREAK, value, BREAK]
            if "%" in value:
                self.text += [unquote(value), BREAK]
            if name.startswith("on"):
                self.problem(f"事件属性 {name} (event-handler attribute)", f"<{tag} {written}>")
            if name in ("id", "xml:id") or (name == "name" and tag == "a"):
                self.ids.add(value)
            if name in URL_ATTRIBUTES:
                self.url(tag, name, value)
            elif name in ("srcset", "imagesrcset"):
                for candidate in value.split(","):
                    if candidate.strip():
                        self.url(tag, name, candidate.split()[0])
            elif name == "style":
                self.style(tag, value)
        if tag == "meta" and attributes.get("http-equiv", "").strip().lower() == "refresh":
            self.url(
                tag,
                "content",
                re.sub(r"^[^;]*;\s*(url\s*=\s*)?", "", attributes.get("content", ""), flags=re.I).strip("'\""),
            )
        self.in_style = tag == "style"
        if tag == "script":
            kind = attributes.get("type", "").strip().lower()
            self.script_is_data = kind in DATA_SCRIPT_TYPES
            if "src" in attributes:
                self.script_file(attributes["src"])
                self.script = None
            else:
                self.script = []

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag not in INLINE_ELEMENTS:
            self.text.append(BREAK)
        self.in_style = False
        if tag == "script" and self.script is not None:
            body = "".join(self.script)
            self.script = None
            if (
                not self.script_is_data
                and body.strip()
                and not any(p.fullmatch(body) for p in self.context.trusted.scripts)
            ):
                self.problem("不是主题带来的脚本 (inline script the theme did not bring)", body)
            for url in re.findall(r"""\b(?:src|href|action)\s*=\s*\\?["']([^"'\\]*)""", body):
                self.url("script", "src", url)  # markup the script writes (document.write) is checked as markup

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self.script is not None:
            self.script.append(data)
        elif self.in_style:
            self.style("style", data)

    def handle_comment(self, data: str) -> None:  # published too: in the page's source
        self.text += [BREAK, data, BREAK]

    def handle_decl(self, decl: str) -> None:
        self.handle_comment(decl)

    def handle_pi(self, data: str) -> None:
        self.handle_comment(data)

    def unknown_decl(self, data: str) -> None:
        self.handle_comment(data)

    def style(self, tag: str, css: str) -> None:
        """The addresses a style sheet loads (url(), @import) are checked as links."""
        for url in CSS_URL.findall(css):
            if any(url):
                self.url(tag, "style", next(part for part in url if part))

    # links

    def url(self, tag: str, attribute: str, value: str) -> None:
        """Check one URL: its scheme and host, and (for a link within the site) that its target exists."""
        cleaned = re.sub(r"[\x00-\x20\x7f]", "", value).replace("\\", "/")  # as a browser reads it
        written = f'<{tag} {attribute}="{value}">'
        scheme = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", cleaned)
        if scheme:
            name = scheme.group(1).lower()
            if name in SCRIPT_SCHEMES:
                self.problem(f"{name}: 地址 ({name}: URL)", written)
            elif name in WEB_SCHEMES:
                self.external(cleaned, written, tag == "a" and attribute == "href")
            elif name not in HARMLESS_SCHEMES:
                self.problem(f"不认识的地址协议 {name}: (unknown URL scheme)", written)
            return
        if cleaned.startswith("//"):
            self.external(cleaned, written)
            return
        self.internal_urls.append((cleaned, written))
        if not self.deferred:
            self.internal(cleaned, written)

    def external(self, url: str, written: str, followed: bool = False) -> None:
        """A URL with a scheme or host: the site's own address is a link within it; `followed` (an `<a href>`)
        may be one of ALLOWED_LINKS; anything else on another host is a finding."""
        site = self.context.trusted.site_url
        if site and url.startswith(site):
            local = "/" + url[len(site) :]
            self.internal_urls.append((local, written))
            if not self.deferred:
                self.internal(local, written)
            return
        if followed and any(link.fullmatch(url) for link in ALLOWED_LINKS):
            return
        host = (urlsplit(url).hostname or "").lower()
        if host not in self.context.trusted.hosts:
            self.problem(f"链接或资源在其他网站 {host or '（无主机名）'} (link or asset on another host)", written)

    def internal(self, url: str, written: str) -> None:
        self.refs.append(ref(self.file, url, written))

    def script_file(self, src: str) -> None:
        cleaned = re.sub(r"[\x00-\x20\x7f]", "", src).replace("\\", "/")
        if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:|//", cleaned):
            return  # url() reports it: another host, or a javascript:/data: script
        self.scripts.append((join(self.base, urlsplit(cleaned).path), f'<script src="{src}">'))


def ref(file: str, url: str, written: str) -> Ref:
    """An internal link `url` on the page at `file`, as the page holds it (a link without a path: the page itself)."""
    parts = urlsplit(url)
    return join(posixpath.dirname(file), parts.path) if parts.path else file, unquote(parts.fragment), written


def join(base: str, path: str) -> str | None:
    """The path below the site that a link's path names from a page in folder `base` (or from the site's
    root, for a path starting with "/"); None when it leaves the site."""
    path = unquote(path)
    joined = posixpath.normpath(path.lstrip("/") if path.startswith("/") else posixpath.join(base, path))
    return None if joined == ".." or joined.startswith("../") else joined


def lookup(joined: str | None, files: frozenset[str]) -> str | None:
    """The file a joined path reaches in this build's site: the file itself, or the folder's index.html."""
    if joined is None:
        return None
    if joined in files:
        return joined
    index = "index.html" if joined == "." else joined + "/index.html"
    return index if index in files else None


def settle(
    file: str, refs: Sequence[Ref], ids: frozenset[str] | set[str], files: frozenset[str]
) -> tuple[list[Finding], list[tuple[str, str, str]]]:
    """Internal links against this build's files: a finding for each that reaches no file, or an anchor not
    among the page's own `ids`; and the (target file, fragment, link as written) of anchors on other pages."""
    findings, anchors = [], []
    for joined, fragment, written in refs:
        target = file if joined == file else lookup(joined, files)
        if target is None:
            findings.append(
                Finding(file, "链接指向的文件不存在 (link to a file the site does not have)", shown(written).strip())
            )
        elif not fragment or fragment == "top":  # "#top": the top of any page, as browsers read it
            continue
        elif target != file:
            anchors.append((target, fragment, written))
        elif fragment not in ids:
            findings.append(Finding(file, f"页内锚点 #{fragment} 不存在 (anchor not on the page)", shown(written)))
    return findings, anchors


def parse(file: str, text: str, context: Context) -> PageParser:
    parser = PageParser(file, context)
    parser.feed(text)
    return parser


@dataclass
class FrameScan:
    """The theme's frame shared by every shell page at one URL depth (shell.py): read once, not 40,000 times.

    A page is read with it only if it is exactly the frame, with one title (free of markup characters)
    in place of the mark, around a body that leaves the parser where it found it."""

    pattern: re.Pattern
    parser: PageParser  # its findings and ids hold for every page read with the frame
    links: list[
        tuple[str, str, str]
    ]  # (target file, fragment, as written): its anchors on other pages, from every page
    relative: list[tuple[str, str, str]]  # (path, fragment, as written): the frame's links that resolve from each page

    @classmethod
    def of(cls, file: str, head: str, tail: str, context: Context) -> FrameScan:
        groups = {TITLE_MARK: ("title", TITLE_CHARACTERS), URL_MARK: ("url", URL_CHARACTERS)}
        seen: set[str] = set()

        def pattern_of(text: str) -> str:
            """The frame's text as a pattern: each mark a group the first time, the same text after."""
            out = []
            for piece in re.split(f"({TITLE_MARK}|{URL_MARK})", text):
                if piece in groups:
                    name, characters = groups[piece]
                    out.append(f"(?P={name})" if name in seen else f"(?P<{name}>{characters})")
                    seen.add(name)
                else:
                    out.append(re.escape(piece))
            return "".join(out)

        pattern = pattern_of(head) + "(?P<body>.*)" + pattern_of(tail)
        for name, _characters in groups.values():
            if name not in seen:
                pattern += f"(?P<{name}>)"
        parser = PageParser(file, context)
        parser.deferred = True
        parser.feed((head + tail).replace(TITLE_MARK, "").replace(URL_MARK, ""))
        parser.close()
        parser.deferred = False
        up = "../" * file.count("/")  # the theme links from the site's root: the same target from every page
        relative = []
        for url, written in parser.internal_urls:
            path = urlsplit(url).path
            if path.startswith("/") or (up and (path.startswith(up) or path == up[:-1])):  # "../.." too
                parser.internal(url, written)
            else:
                parts = urlsplit(url)
                relative.append((parts.path, unquote(parts.fragment), written))
        findings, links = settle(file, parser.refs, parser.ids, context.files)
        parser.findings += findings
        return cls(re.compile(pattern, re.S), parser, links, relative)

    def refs(self, file: str) -> list[Ref]:
        """The frame's links that depend on where the page is, as the page at `file` holds them."""
        base = posixpath.dirname(file)
        return [(join(base, path) if path else file, fragment, written) for path, fragment, written in self.relative]


TITLE_CHARACTERS = r"[^<>&\"'{}]*"  # render.safe_title and html.escape leave none of these in a title
URL_CHARACTERS = r"[A-Za-z0-9._~/%-]*"  # a page's own address (slugs): shell.URL_MARK


def scan_html(file: str, text: str, context: Context) -> FileReport:
    frame = context.frames.get(file.count("/"))
    match = frame.pattern.fullmatch(text) if frame else None
    parser = parse(file, match.group("body") if match else text, context)
    if match and not parser.clean:
        match, parser = None, parse(file, text, context)  # the body changes how the frame reads: read it all
    parser.close()
    texts = ["".join(parser.text)]
    if match:
        texts += [match.group("title"), match.group("url")]
    findings, relied = id_scan(file, BREAK.join(texts), context.trusted.exempt)
    return FileReport(
        parser.findings + findings,
        frozenset(parser.ids),
        tuple(parser.refs),
        tuple(parser.scripts),
        file.count("/") if match else None,
        relied,
    )


def cbor_strings(data: bytes) -> list[str]:
    """Every text and byte string in CBOR data (Pagefind's index), in order; the structure is not needed."""
    strings, i, size = [], 0, len(data)
    while i < size:
        head = data[i]
        major, info = head >> 5, head & 31
        i += 1
        if info < 24:
            length = info
        elif info in (24, 25, 26, 27):
            width = 1 << (info - 24)
            length = int.from_bytes(data[i : i + width], "big")
            i += width
        elif info == 31:
            continue  # an indefinite length: its chunks or items follow
        else:
            raise ValueError(f"not CBOR at byte {i - 1}")
        if major in (2, 3):
            strings.append(data[i : i + length].decode("utf-8", "replace"))
            i += length
    return strings


def json_strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(
        value, dict
    ):  # a SHA-256 in hex (data/index.json) may hold 18 digits in a row: not a text anyone wrote
        return [
            s
            for key, item in value.items()
            if not (key == "sha256" and isinstance(item, str) and SHA256.fullmatch(item))
            for s in (key, *json_strings(item))
        ]
    if isinstance(value, list):
        return [s for item in value for s in json_strings(item)]
    return [str(value)]


def data_text(name: str, data: bytes) -> str:
    """The text of a non-HTML file, as the ID scan reads it: unpacked (gzip, Pagefind) and decoded."""
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
        name = name.removesuffix(".gz")
    suffix = posixpath.splitext(name)[1]
    if suffix in PAGEFIND_SUFFIXES and data.startswith(PAGEFIND_HEADER):
        data = data[len(PAGEFIND_HEADER) :]
        if suffix == ".pf_fragment":
            return BREAK.join(json_strings(json.loads(data)))
        if suffix in (".pf_index", ".pf_meta"):
            return BREAK.join(cbor_strings(data))
    if suffix == ".json":
        try:
            return BREAK.join(json_strings(json.loads(data)))
        except (ValueError, RecursionError):
            pass  # read as text
    return data.decode("utf-8", "replace")


def scan_file(file: str, context: Context) -> tuple[bytes, FileReport]:
    """The digest of a file's bytes (`content_digest`) and what reading them gave."""
    suffix = posixpath.splitext(file)[1].lower()
    data = b""
    try:
        data = (context.site / file).read_bytes()
        if suffix in HTML_SUFFIXES:
            return content_digest(data), scan_html(file, data.decode("utf-8", "replace"), context)
        if context.trusted.is_shipped(
            file, data
        ):  # shipped as it is (the theme's, ours, the editor's): carries no data
            return b"", FileReport(
                reusable=False
            )  # whether it still is depends on the shipped file: checked every time
        findings, relied = id_scan(file, data_text(file, data), context.trusted.exempt)
        return content_digest(data), FileReport(findings, relied=relied)
    except Exception as exc:
        return b"", FileReport(
            [Finding(file, f"无法读取生成的文件 (cannot read a built file): {type(exc).__name__}: {shown(str(exc))}")],
            reusable=False,
        )


def content_digest(data: bytes) -> bytes:
    """What a reused result is keyed on: SHA-256 of the file's bytes (the bytes read, never their size or time)."""
    return hashlib.sha256(data).digest()


_WORK: tuple = ()


def _scan_share(share: int, shares: int) -> list[tuple[str, bytes, FileReport]]:
    files, context = _WORK
    return [(files[i], *scan_file(files[i], context)) for i in range(share, len(files), shares)]


def _digest_share(share: int, shares: int) -> list[bytes | None]:
    """`content_digest` of every `shares`-th file from `share` on (None: it cannot be read)."""
    files, folder = _WORK
    digests: list[bytes | None] = []
    for file in files[share::shares]:
        try:
            digests.append(content_digest(read_all(folder + file)))
        except OSError:
            digests.append(None)
    return digests


def in_shares(share_of: Callable[[int, int], list], work: tuple, count: int, workers: int) -> list:
    """`share_of(share, shares)` over `count` items set out in `work`, in `workers` forked processes when
    there are enough items; the rows back in the items' order."""
    global _WORK
    _WORK = work
    try:
        workers = max(1, min(workers, count // PARALLEL_MIN_FILES))
        if workers == 1:
            return share_of(0, 1)
        with worker_pool(workers) as pool:
            shares = list(pool.map(share_of, range(workers), [workers] * workers))
    finally:
        _WORK = ()
    rows: list = [None] * count
    for share, got in enumerate(shares):
        rows[share::workers] = got
    return rows


# --------------------------------------------------------------------------- the whole site


@dataclass
class Scanned:
    findings: list[Finding]
    record: ScanRecord  # the results of this scan, to keep if it is published
    read: frozenset[str]  # files read in full (the others' results were reused from the record)
    again: frozenset[str]  # files whose result was reused, read again for the text of their findings
    files: int


def scan_scope(trusted: Trusted, frames: dict[int, tuple[str, str]], code: str) -> str:
    """What a file's own result depends on besides its bytes and place: the scan's code (`code`: the generator's,
    with the Python version, whose Unicode tables and HTML parser it uses), the theme's scripts, the hosts and
    links allowed, the site's address, and the shared frames. (The fingerprints are checked file by file: `relied`.)"""
    parts = [code, sys.version, trusted.site_url or "-", *sorted(trusted.hosts), *(p.pattern for p in trusted.scripts)]
    parts += [pattern.pattern for pattern in ALLOWED_LINKS]
    for depth in sorted(frames):
        parts += [str(depth), *frames[depth]]
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


#: A file's result as the scan record keeps it, small (a province has 75,000 pages): (SHA-256 of its bytes, its ids,
#: its links without how they were written — each once —, its script files, its frame, the fingerprints it relied
#: on). Every string is interned, so that one used by many pages is stored and loaded once.
Kept = tuple[
    bytes, tuple[str, ...] | None, tuple[Ref, ...], tuple[tuple[str | None, str], ...], int | None, tuple[str, ...]
]


def kept(content: bytes, report: FileReport) -> Kept:
    def i(text: str | None) -> str | None:
        return None if text is None else sys.intern(text)

    return (
        content,
        None if report.ids is None else tuple(sys.intern(id) for id in sorted(report.ids)),
        tuple(dict.fromkeys((i(joined), sys.intern(fragment), "") for joined, fragment, _ in report.refs)),
        tuple(dict.fromkeys((i(joined), "") for joined, _ in report.scripts)),
        report.frame,
        tuple(sorted(report.relied)),
    )


def reusable(content: bytes, before: object, digests: frozenset[str]) -> FileReport | None:
    """The recorded result of a file (a `Kept`), if its bytes are the ones recorded and every fingerprint it
    relied on is still one of this build's. `content`: the digest of the file's bytes now (`content_digest`). Its links come without how they were written: a file any of whose
    links fails is read again for the finding's text."""
    if not isinstance(before, tuple) or len(before) != 6 or before[0] != content:
        return None
    content, ids, refs, scripts, frame, relied = before
    if not digests.issuperset(relied):
        return None
    return FileReport([], None if ids is None else frozenset(ids), refs, scripts, frame, frozenset(relied))


def scan(
    site: Path, expected: Expected, trusted: Trusted, frames: dict[int, tuple[str, str]] | None = None, workers: int = 1
) -> list[Finding]:
    """Every finding in the built site at `site` (a staging folder), in file order, every file read. `frames`: the
    theme's frame of the shell pages at each URL depth (head, tail, with shell.TITLE_MARK where the title goes)."""
    return scan_site(site, expected, trusted, frames, workers).findings


def scan_site(
    site: Path,
    expected: Expected,
    trusted: Trusted,
    frames: dict[int, tuple[str, str]] | None = None,
    workers: int = 1,
    before: ScanRecord | None = None,
) -> Scanned:
    """`scan`, reusing from `before` (the record of the last successful scan, of this scan's scope) the result
    of each file whose bytes are the ones it read then: the file's own findings (none) and ids, links and scripts.
    What depends on other files — whether a link reaches a file, an anchor an id, a script file is one shipped,
    the frame's links, a page per entry — is worked out anew over every file."""
    files = site_files(site)
    context = Context(site, frozenset(files), trusted)
    first: dict[int, str] = {}  # depth → the first page at that depth: the frame is read as if it were that page
    for file in files:
        if file.endswith("index.html"):
            first.setdefault(file.count("/"), file)
    for depth, (head, tail) in (frames or {}).items():
        if depth in first:
            context.frames[depth] = FrameScan.of(first[depth], head, tail, context)
    reports: dict[str, FileReport] = {}
    record = ScanRecord(before.scope if before is not None else "")
    if before is not None and before.files:
        known = [file for file in files if file in before.files]
        for file, content in zip(known, in_shares(_digest_share, (known, str(site) + "/"), len(known), workers)):
            if content is not None:  # else read in full below, which reports it
                recorded = before.files[file]
                report = reusable(content, recorded, trusted.exempt)
                if report is not None and (report.frame is None or report.frame in context.frames):
                    reports[file] = report
                    record.files[file] = recorded
    reused = frozenset(reports)
    read = read_files([file for file in files if file not in reused], context, workers)
    findings = cross_file(files, reports | {file: report for file, (_, report) in read.items()}, context, expected)
    fresh = frozenset(read)
    if again := {finding.file for finding in findings} & reused:  # read again for the findings' text
        read |= read_files(sorted(again), context, 1)
        findings = cross_file(files, reports | {file: report for file, (_, report) in read.items()}, context, expected)
    for file, (content, report) in read.items():
        if report.reusable and not report.findings:
            record.files[file] = kept(content, report)
    if findings:
        record.files.clear()
    return Scanned(findings, record, fresh, frozenset(again), len(files))


def read_all(path: str) -> bytes:
    """A file's bytes, with as few system calls as can be (tens of thousands of files are hashed per build)."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        chunks = [os.read(fd, os.fstat(fd).st_size + 1)]  # the whole file in one read; more if it grew meanwhile
        while chunks[-1]:
            chunks.append(os.read(fd, 1 << 20))
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_files(files: list[str], context: Context, workers: int) -> dict[str, tuple[bytes, FileReport]]:
    """Read and scan each file on its own, in `workers` forked processes when there are enough files."""
    rows = in_shares(_scan_share, (files, context), len(files), workers)
    return {file: (content, report) for file, content, report in rows}


def cross_file(files: list[str], reports: dict[str, FileReport], context: Context, expected: Expected) -> list[Finding]:
    """Each file's own findings, and what depends on other files, worked out over the whole site every time:
    internal links and anchors against this build's files and their ids, script files against the files
    shipped, the shared frames' findings (once each), and the pages the data asks for."""
    findings: list[Finding] = []
    ids: dict[str, frozenset[str]] = {}
    for file in files:
        report = reports[file]
        if report.ids is not None:
            frame = context.frames[report.frame] if report.frame is not None else None
            ids[file] = report.ids | frame.parser.ids if frame else report.ids
    anchors: list[tuple[str, list[tuple[str, str, str]]]] = []
    shipped: dict[str, bool] = {}
    framed: dict[int, list[str]] = {}
    for file in files:
        report = reports[file]
        refs = [*report.refs]
        if report.frame is not None:
            framed.setdefault(report.frame, []).append(file)
            refs += context.frames[report.frame].refs(file)
        found, links = settle(file, refs, ids.get(file, frozenset()), context.files)
        for joined, written in report.scripts:
            target = lookup(joined, context.files)
            if target is None:
                continue  # the src itself is a link that reaches no file: reported with the links
            if target not in shipped:
                try:
                    shipped[target] = context.trusted.is_shipped(target, (context.site / target).read_bytes())
                except OSError:
                    shipped[target] = False
            if not shipped[target]:
                found.append(
                    Finding(
                        file,
                        "脚本文件不是本项目带来的文件 (script file not shipped with the project)",
                        shown(written).strip(),
                    )
                )
        findings += report.findings + found
        anchors.append((file, links))
    for depth, pages in sorted(framed.items()):  # what the shared frame holds, once for all its pages
        frame = context.frames[depth]
        found = frame.parser.findings + [
            Finding(pages[0], f"锚点 #{fragment} 在 {target} 中不存在 (anchor not on the linked page)", shown(written))
            for target, fragment, written in frame.links
            if fragment not in ids.get(target, ())
        ]
        findings += [
            Finding(pages[0], f"{finding.what}（页框，{len(pages)} 个页面共用 (in the shared frame)）", finding.excerpt)
            for finding in found
        ]
    for file, links in anchors:
        for target, fragment, written in links:
            if fragment not in ids.get(target, ()):
                findings.append(
                    Finding(
                        file, f"锚点 #{fragment} 在 {target} 中不存在 (anchor not on the linked page)", shown(written)
                    )
                )
    for kind, entries in expected.pages.items():
        for source, url in entries:
            if posixpath.join(url, "index.html") not in context.files:
                findings.append(Finding(source, f"{kind}没有生成页面 /{url} (no page for this entry)"))
    findings += [
        Finding(source, "这个数据文件没有生成任何页面 (no page came from this data file)")
        for source in expected.unclaimed
    ]
    return findings


def expected_pages(portal, data_files: dict[str, str]) -> Expected:
    """One page per YAML entry: every notice (and its 刊登证明) and town of the model, and every data file below
    lost/, deregistration/ and contacts/ the source of one of them. `data_files`: each data file's name
    as problems show it → its folder below notices/."""
    pages = {
        "遗失声明": [(notice.source.path, notice.url) for notice in portal.lost],
        "注销公告": [(notice.source.path, notice.url) for notice in portal.deregistrations],
        "镇": [(town.source.path, town.url) for town in portal.towns],
        "公示牌": [(town.source.path, boards.url(town)) for town in portal.towns],
        "刊登证明": [(notice.source.path, notice.proof_url) for notice in [*portal.lost, *portal.deregistrations]],
    }
    sources = {source for entries in pages.values() for source, _ in entries}
    unclaimed = [
        name
        for name, folder in data_files.items()
        if folder in ("lost", "deregistration", "contacts") and name not in sources
    ]
    return Expected(pages, unclaimed)


def check_site(
    staged: Path,
    checked,
    frames: dict,
    docs_dir: Path,
    workers: int,
    cache: BuildCache | None = None,
    reuse: bool = True,
) -> tuple[Expected, Scanned]:
    """The build's last step before publishing: scan the staged site, reusing what the last successful scan
    recorded in `cache` unless `reuse` is False (a fold); any finding stops the build (BuildError, one `error:`
    line each) and the published site stays as it was. The caller keeps the returned record once it has published."""

    expected = expected_pages(checked.portal, checked.data_files)
    portal = checked.portal
    digests = frozenset(fingerprint.fingerprint(notice) for notice in [*portal.lost, *portal.deregistrations])
    public_ids = frozenset().union(
        *(privacy.whole_ids(notice.credit_code) for notice in portal.deregistrations),
        *(privacy.whole_ids(privacy.public_number(notice.document)) for notice in portal.lost),
    )
    trust = dataclasses.replace(
        default_trusted(docs_dir), site_url=portal.site_url, digests=digests, public_ids=public_ids
    )
    shells = {depth: (frame.head, frame.tail) for depth, frame in frames.items()}
    scope = scan_scope(trust, shells, code_digest())
    before = cache.scans(scope) if cache is not None and reuse else ScanRecord(scope)
    scanned = scan_site(staged, expected, trust, shells, workers, before)
    findings = scanned.findings
    if findings:
        lines = [finding.format() for finding in findings]
        lines.append(
            f"生成的网站未通过发布前检查：{len(findings)} 个问题，网站没有更新 "
            f"(the built site failed the output scan: {len(findings)} findings; the published site is unchanged)"
        )
        raise BuildError("\nerror: ".join(lines))
    return expected, scanned


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - for measuring by hand
    import time

    site = Path((argv or sys.argv[1:])[0])
    started = time.perf_counter()
    found = scan(site, Expected({}), default_trusted(), workers=len(os.sched_getaffinity(0)))
    for finding in found:
        print(finding.format())
    print(f"{len(found)} findings in {time.perf_counter() - started:.2f} s")
    return 1 if found else 0


def default_trusted(docs_dir: Path | None = None) -> Trusted:
    """What this project's theme and tools bring: Material's templates and assets, overrides/,
    docs/ (our own scripts), and the web editor's page and bundle (cms.py)."""

    import material

    material_dir = Path(material.__file__).resolve().parent / "templates"
    overrides = resources.OVERRIDES
    pages = []
    if (cms.SVELTIA / "package.json").is_file():
        pages.append(cms.index_html("", "", cms.version()))
    shipped = [
        ("", material_dir),
        ("", docs_dir or resources.DOCS),
        ("admin/", cms.SVELTIA / "dist"),
        ("admin/locales/", cms.SVELTIA / "locales"),
    ]
    return trusted([material_dir, overrides], shipped, pages)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
