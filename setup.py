"""Everything else is in pyproject.toml. This only copies the site files `portal build` needs (templates/,
overrides/, docs/, mkdocs.yml, scripts/publish.sh, the web editor: generator/resources.py names them) from the repository's
root into the wheel as package data under generator/bundled/. An editable install reads the root folders
themselves and copies nothing."""

import ast
import shutil
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
# The two lists of generator/resources.py, read without importing the package (its dependencies may be missing).
NAMES = {
    node.targets[0].id: ast.literal_eval(node.value)
    for node in ast.parse((HERE / "generator" / "resources.py").read_text(encoding="utf-8")).body
    if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") in ("SITE_FILES", "LEFT_OUT")
}


class BuildWithSiteFiles(build_py):
    def run(self):
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib) / "generator" / "bundled"
        shutil.rmtree(target, ignore_errors=True)
        left_out = {HERE / name for name in NAMES["LEFT_OUT"]}
        for pattern in NAMES["SITE_FILES"]:
            found = sorted(HERE.glob(pattern))
            if not found:  # the web editor before `npm ci`: the wheel's sites say admin/ is not installed
                print(f"warning: {pattern} not found: not in the wheel", file=sys.stderr)
            for source in found:
                name = source.relative_to(HERE)
                if source.is_dir():
                    shutil.copytree(
                        source,
                        target / name,
                        ignore=lambda folder, names: [
                            n for n in names if Path(folder, n) in left_out or n == "__pycache__"
                        ],
                    )
                else:
                    (target / name).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source, target / name)


setup(cmdclass={"build_py": BuildWithSiteFiles})
