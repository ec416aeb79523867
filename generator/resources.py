"""The generator's own site files: templates/, overrides/, docs/, mkdocs.yml, scripts/publish.sh, the web editor.

They live at the repository's root (the layout names them there). A wheel carries a copy of them as
package data in `generator/bundled/` (setup.py puts it there when it builds the wheel), found here through
importlib.resources; a checkout, the editable install of `make venv`, has no such copy and reads the
root folders themselves. A county overrides them with `portal build --templates/--docs/--config`.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

#: What a wheel carries under generator/bundled/: paths or glob patterns relative to the repository root (setup.py
#: reads it). The web editor (admin/, cms.py) comes from the npm package, without its source maps and modules.
SITE_FILES = (
    "templates",
    "overrides",
    "docs",
    "mkdocs.yml",
    "scripts/publish.sh",
    "node_modules/@sveltia/cms/package.json",
    "node_modules/@sveltia/cms/LICENSE.txt",
    "node_modules/@sveltia/cms/dist/sveltia-cms.js",
    "node_modules/@sveltia/cms/locales",
    "node_modules/@sveltia/cms/npm/assets/*.woff2",
    "node_modules/@sveltia/cms/npm/assets/*.LICENSE.txt",
)
#: Not part of any site: docs/images/ holds the README's screenshots (mkdocs.yml excludes it too).
LEFT_OUT = ("docs/images",)


def _site() -> Path:
    packaged = files(__package__) / "bundled"
    if packaged.is_dir():  # an installed wheel: always a folder on disk (the wheel is unpacked, never zipped)
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent  # a checkout: the repository's root folders


SITE = _site()
TEMPLATES = SITE / "templates"
OVERRIDES = SITE / "overrides"
DOCS = SITE / "docs"
CONFIG = SITE / "mkdocs.yml"
PUBLISH_SCRIPT = SITE / "scripts" / "publish.sh"
SVELTIA = SITE / "node_modules" / "@sveltia" / "cms"  # npm ci in a checkout
