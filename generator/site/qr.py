"""QR codes for printed pages (公示牌, 刊登证明): inline SVG from segno's module matrix, no image library and no
other host.

A QR code is only made for an absolute address on the live site (`absolute`): the site's address comes from
`Portal.site_url` (the site identity, or `portal build --site-url`); without one there is no code to print.

Encoding is most of a code's cost (segno, about 3 ms with a fixed mask), so the modules of every code made are
kept in `BOOK`, keyed by what decides them (the data, error level and mask, under segno's version: `SCOPE`):
the build loads the last build's codes into it before rendering and saves them after (cache.py, `QrCodes`), so
a full build encodes only the addresses no build encoded before. The SVG is drawn here from the modules
(`draw`): byte for byte what segno's SVG writer gives, in a tenth of its time.
"""

from __future__ import annotations

import hashlib
import io
import re
from urllib.parse import urljoin
from xml.sax.saxutils import escape

import segno
from markupsafe import Markup

ERROR = "m"
BORDER = 4  # the quiet zone, in modules
#: What the kept modules depend on besides each code's data, error level and mask; bump FORMAT when the
#: packing (`pack`) changes.
FORMAT = 1
SCOPE = f"segno {segno.__version__}, modules v{FORMAT}"

_BITS = bytes.maketrans(b"\x00\x01", b"01")
_MODULES = bytes.maketrans(b"01", b"\x00\x01")


def absolute(site_url: str | None, url: str) -> str | None:
    """The live address of a page given by its site-relative URL (`towns/x/y/`), or None without a site address."""
    if not site_url:
        return None
    return urljoin(site_url.rstrip("/") + "/", url.lstrip("/"))


def key(data: str, mask: int | None) -> bytes:
    """What a code's modules are kept under: a digest of its data, error level and mask (16 bytes; the
    addresses themselves are longer than their codes' packed modules)."""
    return hashlib.blake2b(f"{ERROR}\0{mask}\0{data}".encode(), digest_size=16).digest()


def pack(rows: tuple[bytearray, ...] | list[bytes]) -> bytes:
    """The module matrix (rows of 0/1 bytes, as segno gives it) as bits: one byte of side length, then the
    rows' bits, most significant first (a version 4 code, 33 × 33: 138 bytes)."""
    side = len(rows)
    bits = b"".join(rows).translate(_BITS)
    return bytes([side]) + int(b"1" + bits, 2).to_bytes((side * side + 8) // 8, "big")


def unpack(packed: bytes) -> list[bytes]:
    """The rows of 0/1 bytes that `pack` packed."""
    side = packed[0]
    bits = bin(int.from_bytes(packed[1:], "big"))[3:].encode("ascii").translate(_MODULES)
    return [bits[row * side : (row + 1) * side] for row in range(side)]


class CodeBook:
    """The codes this process knows: `known` (from the last build's record, and those made since), and what
    this process encoded (`made`) and looked up (`used`) since its last `take()`. After a build, `made` holds
    every code the build encoded (none, when the record knew them all)."""

    def __init__(self) -> None:
        self.known: dict[bytes, bytes] = {}
        self.made: dict[bytes, bytes] = {}
        self.used: set[bytes] = set()

    def load(self, known: dict[bytes, bytes]) -> None:
        """Start a build with the record's codes (before worker processes are forked: they inherit them).
        `known` is taken as it is, not copied (a province's record holds 158,000 codes), and grows."""
        self.known, self.made, self.used = known, {}, set()

    def modules(self, data: str, mask: int | None) -> list[bytes]:
        found = key(data, mask)
        self.used.add(found)
        packed = self.known.get(found)
        if packed is None:
            packed = pack(segno.make(data, error=ERROR, micro=False, mask=mask).matrix)
            self.known[found] = self.made[found] = packed
        return unpack(packed)

    def take(self) -> tuple[dict[bytes, bytes], set[bytes]]:
        """What this process made and used since the last take (a worker returns it to the build)."""
        taken = self.made, self.used
        self.made, self.used = {}, set()
        return taken

    def absorb(self, made: dict[bytes, bytes], used: set[bytes]) -> None:
        """A worker's `take()`, back in the build's process."""
        self.known.update(made)
        self.made.update(made)
        self.used |= used

    def keep(self, everything_rendered: bool) -> dict[bytes, bytes]:
        """The codes to record: after a build that rendered every page, only those it used (so the record
        never grows with addresses no longer printed); otherwise also those the kept pages were made with."""
        if everything_rendered:
            return {found: self.known[found] for found in self.used if found in self.known}
        return dict(self.known)


BOOK = CodeBook()


class _Steps(dict[bytes, str]):
    """For codes of one side length: a run of dark modules with what precedes it since the last run (a gap
    on the same row, or the end of a row, the rows without a dark module and the start of the next row) →
    its step in the path, a move from where the last stroke ended and a stroke. Made once, then looked up."""

    def __init__(self, side: int) -> None:
        super().__init__()
        self.side = side

    def __missing__(self, token: bytes) -> str:
        *ends, last = token.split(_ROW)  # the rows it ends, and the row its run is on
        lead = len(last) - len(last.lstrip(b"\x00"))
        run = len(last) - lead
        if ends:  # from the end of the last row's last run: to the left, and rows down
            step = f"m{lead - (self.side - len(ends[0]))} {len(ends)}h{run}"
        else:
            step = f"m{lead} 0h{run}"
        self[token] = step
        return step


_ROW = b"\x02"  # between rows, when the matrix is read as one line
_TOKENS = re.compile(rb"[\x00\x02]*\x01+")  # a run, and everything since the last one
_STEPS: dict[int, _Steps] = {}


def draw(rows: list[bytes], title: str) -> str:
    """The SVG of a module matrix: one `<path>` drawing each row's runs of dark modules as horizontal strokes
    one module wide, with a quiet zone of BORDER modules, in a viewBox without width or height (CSS sizes it).
    The same bytes as segno's writer (`segno_svg`): each stroke moves from the end of the last one. The
    matrix is read as one line, so that finding the runs and writing their steps happen in C (`_Steps`)."""
    side = len(rows)
    steps = _STEPS.get(side) or _STEPS.setdefault(side, _Steps(side))
    tokens = _TOKENS.findall(_ROW.join(rows))
    path = list(map(steps.__getitem__, tokens))
    if tokens:  # the first stroke is drawn from the corner
        *above, first = tokens[0].split(_ROW)
        lead = len(first) - len(first.lstrip(b"\x00"))
        path[0] = f"M{lead + BORDER} {len(above) + BORDER + 0.5}h{len(first) - lead}"
    side += 2 * BORDER
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" class="qr">'
        f'<title>{escape(title)}</title><path stroke="#000" d="{"".join(path)}"/></svg>'
    )


def segno_svg(data: str, title: str = "二维码", mask: int | None = None) -> str:
    """The code as segno encodes and draws it, with no record: what `svg` gives, made the slow way (the tests
    compare them; bench/qr_cost.py --before builds with it)."""
    out = io.BytesIO()
    segno.make(data, error=ERROR, micro=False, mask=mask).save(
        out,
        kind="svg",
        xmldecl=False,
        svgns=True,
        nl=False,
        omitsize=True,
        title=title,
        border=BORDER,
        svgclass="qr",
        lineclass=None,
        dark="#000",
    )
    return out.getvalue().decode("utf-8")


def svg(data: str, title: str = "二维码", mask: int | None = None) -> Markup:
    """An inline SVG QR code for `data` (error correction M, 4-module quiet zone), scalable by CSS.
    `mask`: a fixed mask pattern (0-7) instead of the best of the eight, which segno finds by scoring each:
    three quarters of the time a code takes (the 公示牌 make tens of thousands of codes at province scale)."""
    return Markup(draw(BOOK.modules(data, mask), title))
