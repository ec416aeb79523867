"""QR codes for printed pages (公示牌, 刊登证明): inline SVG made by segno, no image library and no other host.

A QR code is only made for an absolute address on the live site (`absolute`): the site's address comes from
`Portal.site_url` (the site identity, or `portal build --site-url`); without one there is no code to print.
"""

from __future__ import annotations

import io
from urllib.parse import urljoin

import segno
from markupsafe import Markup


def absolute(site_url: str | None, url: str) -> str | None:
    """The live address of a page given by its site-relative URL (`towns/x/y/`), or None without a site address."""
    if not site_url:
        return None
    return urljoin(site_url.rstrip("/") + "/", url.lstrip("/"))


def svg(data: str, title: str = "二维码", mask: int | None = None) -> Markup:
    """An inline SVG QR code for `data` (error correction M, 4-module quiet zone), scalable by CSS.
    `mask`: a fixed mask pattern (0-7) instead of the best of the eight, which segno finds by scoring each:
    three quarters of the time a code takes (the 公示牌 make tens of thousands of codes at province scale)."""
    code = segno.make(data, error="m", micro=False, mask=mask)
    out = io.BytesIO()
    code.save(
        out,
        kind="svg",
        xmldecl=False,
        svgns=True,
        nl=False,
        omitsize=True,
        title=title,
        border=4,
        svgclass="qr",
        lineclass=None,
        dark="#000",
    )
    return Markup(out.getvalue().decode("utf-8"))
