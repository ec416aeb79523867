"""The limits on what `notices/` may hold, in one place (README "Limits", SECURITY.md).

Beyond any of them a file is refused whole with one problem (`input-limit`, or `file-symlink`
for a link) and never reaches the rest of the pipeline, so a careless or hostile file costs
seconds and a bounded amount of memory, never a crash. Each limit is far above real data: at
province scale (bench/province.py) regions.yaml is 1.7 MB with 156,000 values, nested 8 deep,
and the largest town file is 87 KB with 8,600 values.
"""

from __future__ import annotations

MAX_FILE_BYTES = 4 * 1024 * 1024
"""Bytes in one YAML file (regions.yaml of a whole province: 1.7 MB). Checked before the file is read."""

MAX_DEPTH = 32
"""Lists and mappings inside each other (the data contract needs 8). Counted on libyaml's event
stream, which keeps no C stack per level, before any node is built: PyYAML's C composer recurses
once per level and overflows the stack (segmentation fault) near 30,000 levels."""

MAX_ITEMS = 10_000
"""Items in one list, or keys in one mapping (a town has about 50 grids, a town 15 villages)."""

MAX_VALUES = 400_000
"""Values (scalars, lists and mappings) in one file: keeps memory bounded (regions.yaml of a
province holds 156,000)."""

MAX_TEXT_CHARS = 10_000
"""Characters in one value, a statement included (a typical statement has about 100)."""

MAX_GUIDE_BYTES = 200_000
"""Bytes in one legal guide (notices/guides/*.md): a page a resident reads on a phone."""

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
"""The images `notices/images/` may hold and a QR-code field may name (what the CMS uploads)."""


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"
