"""`portal verify FILE|URL`: whether a published notice page is what its data says (dev/proof.md).

- Given a notice's YAML file, the fingerprint of its data (fingerprint.py) is recomputed and compared with
  the page published for it: in the site folder (`--site-dir`) or on the live site (`--site-url`).
- Given a page (an address, a saved file, or a folder holding index.html), the fields the page shows are
  read back from their marks (`data-field`), the fingerprint is recomputed from them and compared with the
  one the page shows; with the notice's data (`--data`, or found below `--notices` from the page's address)
  it is compared with the data as well.

Either way the page itself must agree with itself: a field shown twice shows one value, a date's or label's
words match the value marked on it, the title and claim deadline follow from the fields, a phone link calls
the number shown. So editing any published field in the page's HTML makes the check fail.
Exit status: 0 the page matches, 1 it does not (or no page was found for the data), 2 the check could not be
made (a bad file, an address that cannot be read): every case a message, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.error
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from ..checking import fingerprint, validate
from ..checking.identifiers import check_phone, tel_uri
from ..checking.limits import MAX_FILE_BYTES
from ..checking.load import display_path, load_file, load_tree, read_input
from ..checking.model import Deregistration, LostDocumentNotice
from ..checking.schema import FOLDER_KIND
from ..checking.validate import check_source

EXIT_MATCH, EXIT_MISMATCH, EXIT_USAGE = 0, 1, 2
MAX_PAGE_BYTES = 8 * 1024 * 1024  # a notice page is about 30 KB; anything this big is not one
FETCH_TIMEOUT = 30  # seconds
VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)
NOTICE_PATH = re.compile(r"(?:^|/)notices/(" + "|".join(FOLDER_KIND) + r")/(\d{4})/([^/]+)(?:/index\.html|/)?$")


class CannotVerify(Exception):
    """The check could not be made (exit 2): the message says why, in Chinese and English."""


class PageMissing(Exception):
    """No page where the data's page should be (exit 1)."""


@dataclass
class VerifyOptions:
    target: str
    site_dir: Path = Path("site")
    site_url: str | None = None
    data: Path | None = None
    notices: Path = Path("notices")
    today: dt.date = dt.date(1970, 1, 1)  # for the date rules of the data file's check (the CLI: today in China)


@dataclass
class Mark:
    """One place a page shows a field: its value (marked, or the text itself) and its words."""

    value: str
    text: str
    marked: bool  # the value is in data-value or datetime, the text is its wording


@dataclass
class PageFields:
    marks: dict[str, list[Mark]] = field(default_factory=lambda: defaultdict(list))
    shown: list[str] = field(default_factory=list)  # fingerprints the page shows (data-fingerprint)
    calls: list[tuple[str, str, str]] = field(default_factory=list)  # (tel: link, field in it, its value)


class _Reader(HTMLParser):
    """Collects the marked fields, the fingerprint shown and the phone links around fields."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found = PageFields()
        self.open: list[dict] = []  # elements still open: tag, what it is, text collected

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID_ELEMENTS:
            return
        values = dict(attrs)
        href = values.get("href") or ""
        self.open.append(
            {
                "tag": tag,
                "field": values.get("data-field"),
                "value": values.get("data-value", values.get("datetime")),
                "fingerprint": "data-fingerprint" in values,
                "tel": href if tag == "a" and href.lower().startswith("tel:") else None,
                "text": [],
            }
        )

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass  # <wbr/>, <br/>: no text

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element["text"].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_ELEMENTS or not any(element["tag"] == tag for element in self.open):
            return
        while self.open:
            element = self.open.pop()
            self._close(element)
            if element["tag"] == tag:
                return

    def close(self) -> None:
        super().close()
        while self.open:
            self._close(self.open.pop())

    def _close(self, element: dict) -> None:
        text = fingerprint.value("".join(element["text"])) or ""
        if element["fingerprint"]:
            self.found.shown.append(re.sub(r"\s+", "", text).lower())
        name = element["field"]
        if not name:
            return
        marked = element["value"] is not None
        value = (fingerprint.value(element["value"]) or "") if marked else text
        self.found.marks[name].append(Mark(value, text, marked))
        for outer in self.open:
            if outer["tel"]:
                self.found.calls.append((outer["tel"], name, value))


def read_fields(html: str) -> PageFields:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.found


@dataclass
class PageCheck:
    """What a page says about itself: the record read from it, its fingerprint recomputed, what disagrees."""

    record: dict[str, str]
    computed: str
    shown: str | None
    problems: list[str]


def check_page(html: str) -> PageCheck:
    """Read the record back from a notice page and check the page against itself."""
    found = read_fields(html)
    if not found.marks:
        raise CannotVerify("这不是公告页面：页面上没有标注的公告字段 (not a notice page: no marked notice fields)")
    problems = []
    record: dict[str, str] = {}
    kinds = sorted({mark.value for mark in found.marks.get("kind", [])})
    for name, marks in found.marks.items():
        for mark in marks:
            if mark.marked and not fingerprint.words_match(name, mark.value, mark.text, kinds[0] if kinds else None):
                problems.append(
                    f"{name}：页面显示“{mark.text}”，与标注的值 {mark.value} 不符 "
                    f"(the words shown do not match the value marked on them)"
                )
        values = sorted({mark.value for mark in marks})
        if len(values) > 1:
            problems.append(f"{name}：页面上出现了不同的值 {' / '.join(values)} (the page shows two different values)")
        if name not in fingerprint.DERIVED_FIELDS and values[0]:
            record[name] = values[0]
    kind = record.get("kind")
    if kind not in fingerprint.FIELDS:
        raise CannotVerify(
            f"这不是公告页面：页面上没有可认的公告类别 {kind or ''}（刊登证明请核对它所指的公告页面）"
            f"(not a notice page: no known kind; for a proof, check the notice page it names)"
        )
    problems += [
        f"{name}：不是{fingerprint.KIND_LABELS[kind]}的字段 (not a field of this kind of notice)"
        for name in record
        if not fingerprint.is_field(kind, name)
    ]
    expected = fingerprint.derived(record)
    for name in fingerprint.DERIVED_FIELDS:
        for mark in found.marks.get(name, []):
            if mark.value != expected.get(name):
                problems.append(
                    f"{name}：页面显示 {mark.value}，按公告字段应为 {expected.get(name, '（无）')} "
                    f"(does not follow from the notice's fields)"
                )
    for href, name, number in found.calls:
        checked = check_phone(number)
        if not checked.ok or tel_uri(checked.value) != href:
            problems.append(f"{name}：拨号链接 {href} 与显示的号码 {number} 不符 (the phone link calls another number)")
    shown = sorted(set(found.shown))
    if len(shown) > 1:
        problems.append(f"页面上有 {len(shown)} 个不同的内容指纹 (the page shows more than one fingerprint)")
    return PageCheck(record, fingerprint.fingerprint_of(record), shown[0] if shown else None, problems)


# ------------------------------------------------------------------ reading pages and data


def is_address(target: str) -> bool:
    return urlsplit(target).scheme in ("http", "https")


def fetch(url: str) -> str:
    """A page from the web (urllib only), at most MAX_PAGE_BYTES, read as UTF-8."""
    request = urllib.request.Request(url, headers={"User-Agent": "portal-verify"})
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:
            data = response.read(MAX_PAGE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        if exc.code in (404, 410):
            raise PageMissing(f"网页不存在（HTTP {exc.code}）：{url} (no page at this address)") from exc
        raise CannotVerify(f"无法读取网页（HTTP {exc.code}）：{url} (cannot read the page)") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise CannotVerify(f"无法连接：{url}：{reason} (cannot reach the address)") from exc
    if len(data) > MAX_PAGE_BYTES:
        raise CannotVerify(f"网页太大，不是公告页面：{url} (page too large)")
    return data.decode("utf-8", errors="replace")


def read_local(path: Path) -> str:
    """A saved page: a file, or a folder holding index.html (as in a built site)."""
    if path.is_dir():
        path = path / "index.html"
    if not path.exists():
        raise PageMissing(f"找不到页面文件 {path} (no page file there)")
    data, refused = read_input(path)
    if refused:
        raise CannotVerify(refused.format())
    if len(data) > MAX_PAGE_BYTES:
        raise CannotVerify(f"{path}：文件太大，不是公告页面 (file too large)")
    return data.decode("utf-8", errors="replace")


def checked_notices(notices: Path, today: dt.date) -> list[LostDocumentNotice | Deregistration]:
    """Every notice below the `notices` folder, checked as `portal check` and `portal build` do (validate.check):
    so each has the address and reference number the build gives it (homophones get suffixes, slugs.distinct;
    a derived reference needs regions.yaml). Files with errors have no notice; their problems are reported by
    `load_notice` when one of them is the file asked about."""
    checked = validate.check(load_tree(notices.resolve()), display_path(notices.resolve()), today)
    return [*checked.portal.lost, *checked.portal.deregistrations]


def load_notice(file: Path, today: dt.date) -> LostDocumentNotice | Deregistration:
    """One notice file, read and checked as `portal check` does, with the other files of its notices folder
    (its page address and reference number depend on them)."""
    if not file.is_file():
        raise CannotVerify(f"找不到数据文件 {file} (no such data file)")
    resolved = file.resolve()
    if (
        len(resolved.parents) < 3
        or resolved.parents[1].name not in FOLDER_KIND
        or not re.fullmatch(r"\d{4}", resolved.parent.name)
    ):
        raise CannotVerify(
            f"{file}：公告文件应在 notices/lost/<年>/ 或 notices/deregistration/<年>/ 下 "
            f"(a notice file belongs in notices/lost/<year>/ or notices/deregistration/<year>/)"
        )
    if file.stat().st_size > MAX_FILE_BYTES:
        raise CannotVerify(f"{file}：文件太大 (file too large)")
    source, problems = load_file(resolved, resolved.parents[2])
    result = check_source(source, today) if source is not None else None
    errors = [p for p in problems + (result.problems if result else []) if p.level == "error"]
    if errors or result is None or result.notice is None:
        lines = "\n".join(p.format() for p in errors) or f"{display_path(file)}: 不是一条公告 (not a notice)"
        raise CannotVerify(f"{lines}\n数据文件有错误，无法核对；请先用 portal check 检查 (the data file has errors)")
    found = [
        notice
        for notice in checked_notices(resolved.parents[2], today)
        if Path(notice.source.path).resolve() == resolved
    ]
    if len(found) != 1:
        raise CannotVerify(
            f"{display_path(file)}: 与同一文件夹的其他文件一起检查时出错，请先用 portal check 检查 "
            f"(checked with the other files of its folder, it is not a notice: run portal check)"
        )
    return found[0]


def find_data(page_address: str, notices: Path, today: dt.date) -> LostDocumentNotice | Deregistration | None:
    """The notice whose page is at `page_address` (…/notices/lost/2022/<slug>/), if `notices` holds its file:
    the address each notice gets from the build's own check, never a slug recomputed here."""
    match = NOTICE_PATH.search(
        urlsplit(page_address).path if is_address(page_address) else Path(page_address).as_posix()
    )
    if not match or not notices.is_dir():
        return None
    url = "notices/{}/{}/{}/".format(*match.groups())
    found = [notice for notice in checked_notices(notices, today) if notice.url == url]
    return found[0] if len(found) == 1 else None


# ------------------------------------------------------------------ the command


def compare(page: PageCheck, notice: LostDocumentNotice | Deregistration | None, where: str) -> tuple[int, list[str]]:
    """The verdict and its lines: the page against itself, and against the notice's data when there is one."""
    lines = [f"页面 (page): {where}"]
    bad = list(page.problems)
    if page.shown is None:
        bad.append("页面上没有内容指纹 (the page shows no fingerprint)")
    elif page.computed != page.shown:
        bad.append(
            f"页面显示的内容指纹 {page.shown} 与按页面内容重新计算的 {page.computed} 不一致 "
            f"(the page's fields do not give the fingerprint it shows)"
        )
    else:
        lines.append(f"页面内容与页面上的内容指纹一致 (the page matches its fingerprint): {page.shown}")
    if notice is not None:
        data = fingerprint.record(notice)
        expected = fingerprint.fingerprint_of(data)
        lines.append(f"数据 (data): {notice.source.path}，内容指纹 (fingerprint) {expected}")
        for name in sorted(set(data) | set(page.record)):
            if data.get(name) != page.record.get(name):
                bad.append(
                    f"{name}：数据为 {data.get(name, '（无）')}，页面为 {page.record.get(name, '（无）')} "
                    f"(the data and the page differ)"
                )
        if page.shown is not None and page.shown != expected:
            bad.append(
                f"页面显示的内容指纹与数据的不一致 (the fingerprint shown is not the data's): {page.shown} ≠ {expected}"
            )
    if bad:
        return EXIT_MISMATCH, lines + [f"不一致 (mismatch): {line}" for line in bad] + [
            "核对未通过：页面与内容指纹或数据不一致 (verification FAILED)"
        ]
    what = "页面与数据一致" if notice is not None else "页面与其内容指纹一致"
    return EXIT_MATCH, lines + [f"核对通过：{what} (verified: match)"]


def verify(options: VerifyOptions) -> tuple[int, list[str]]:
    """Run one verification; returns the exit status and the lines to print."""
    today = options.today
    target = options.target
    notice: LostDocumentNotice | Deregistration | None
    try:
        if not is_address(target) and target.lower().endswith((".yaml", ".yml")):
            notice = load_notice(Path(target), today)
            if options.site_url:
                where = urljoin(options.site_url, notice.url)
                html = fetch(where)
            else:
                where = str(options.site_dir / notice.url / "index.html")
                html = read_local(options.site_dir / notice.url)
        else:
            where = target
            html = fetch(target) if is_address(target) else read_local(Path(target))
            notice = load_notice(options.data, today) if options.data else find_data(target, options.notices, today)
        return compare(check_page(html), notice, where)
    except PageMissing as exc:
        return EXIT_MISMATCH, [f"{exc}", "核对未通过：没有找到发布的页面 (verification FAILED: page not found)"]
    except CannotVerify as exc:
        return EXIT_USAGE, [f"error: {exc}"]
