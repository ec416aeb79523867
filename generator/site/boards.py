"""公示牌: the printed notice boards of one town, for stairwells and village squares, on one page per town.

A county has thousands of grids, so there is no page per grid: each town has one boards page,
`towns/<county>/<town>/boards/`, holding every board of the town, each an A4 sheet of its own when printed
(portal.css, `@media print`: a page break after each board) with an anchor of its own:

    board-<village anchor>     a village's board: its grids, their 网格长 and 网格员, the village's own legal services
    board-<grid anchor>        a grid's board: 网格长, 网格员 with phones and duties
    judge-card                 the town's 驻镇法官 contact card (A4, large type)

Every board also shows the town's judges, its legal services, the complaints line (`complaints_line`) and a
QR code to the village, grid or judges on the town page (anchors.py), made from the site's address
(`Portal.site_url`); without one the board prints the way to the page in words and no code.

The page is for staff to print: it is not in the search index (it carries no data-pagefind-body:
searchindex.is_indexed) and not in the navigation; the town page links to it as 打印公示牌（工作人员用）.
"""

from __future__ import annotations

from dataclasses import dataclass

import jinja2
from markupsafe import Markup

from ..checking.model import Hotline, Portal, Town
from . import qr

PATH = "boards/"  # below the town page's URL
JUDGE_CARD = "judge-card"

#: The complaints line on a board: the 12345 政务服务便民热线 (legal.py's default name; a place's own number
#: replaces it under the same name in legal.yaml). Grid work is the township government's, and 12345 is where
#: complaints about a government service go; 12348 is legal advice and 12368 the courts.
COMPLAINTS_NAME = "政务服务便民热线"

#: The boards' QR codes use one mask pattern rather than the best of eight (qr.svg): a town of 50 grids and
#: 15 villages makes 66 codes, a province about 125,000, and choosing the mask is most of a code's cost.
#: tests/test_print.py reads every sample board's code back from the printed pixels.
MASK = 2


@dataclass(frozen=True)
class Boards:
    """The boards page of one town (a shell page's job target)."""

    town: Town

    @property
    def url(self) -> str:
        return url(self.town)


def url(town: Town) -> str:
    return town.url + PATH


def board_anchor(target_anchor: str) -> str:
    """The id of the board for a village or grid (its anchor on the town page)."""
    return f"board-{target_anchor}"


def complaints_line(hotlines: list[Hotline]) -> Hotline | None:
    """The hotline a board shows for complaints: the one named COMPLAINTS_NAME, else one whose note says
    投诉; None when the place's hotlines have neither (a board then shows none rather than a made-up number)."""
    for hotline in hotlines:
        if hotline.name == COMPLAINTS_NAME:
            return hotline
    return next((hotline for hotline in hotlines if hotline.note and "投诉" in hotline.note), None)


def address(portal: Portal, town: Town, anchor: str) -> str | None:
    """The live address of the town page at `anchor`, which a board's QR code holds and prints under it;
    None without a site address."""
    return qr.absolute(portal.site_url, f"{town.url}#{anchor}")


def qr_code(portal: Portal, town: Town, anchor: str, title: str) -> Markup:
    """The QR code of a board (see `address`); empty without a site address."""
    live = address(portal, town, anchor)
    return qr.svg(live, title, mask=MASK) if live else Markup("")


def add_globals(env: jinja2.Environment) -> None:
    env.globals.update(
        complaints_line=complaints_line,
        board_anchor=board_anchor,
        board_qr=qr_code,
        board_address=address,
        boards_url=url,
        judge_card=JUDGE_CARD,
    )
