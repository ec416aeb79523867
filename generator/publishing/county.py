"""`portal init DIR`: a county's own data repository, ready to check, build and publish with the released generator.

It holds the notices (a skeleton whose example files pass `portal check --strict`), the site's identity
(mkdocs.yml, from the generator's own), the generator it uses, pinned (requirements.txt), the pre-commit
hook, and workflows for GitHub Actions and for Gitea/Forgejo Actions that install that generator, check,
build and publish with `portal publish` (scripts/publish.sh) to the county's server over rsync/SSH, to
S3-compatible storage, or (GitHub) to GitHub Pages. Nothing that exists is ever replaced.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from .. import resources
from ..checking import identity
from ..checking.rules import BASE_REGIONS, BASE_TOWN

PACKAGE = "hunan-notice-portal"
GENERATOR_REPO = "https://github.com/your-org/hunan-notice-portal"  # placeholder: the repository releases come from
HOOK_ID = "portal-check"  # .pre-commit-hooks.yaml of the generator's repository

#: Actions pinned by commit, as the generator's own workflow pins them (tests/test_county.py keeps them equal).
CHECKOUT = "actions/checkout@34e114876b0b11c390a56381ad16ebd13914f8d5 # v4.3.1"
SETUP_PYTHON = "actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065 # v5.6.0"
CONFIGURE_PAGES = "actions/configure-pages@983d7736d9b0ae728b81ab479565c72886d7745b # v5.0.0"
UPLOAD_PAGES = "actions/upload-pages-artifact@56afc609e74202658d3ffba0e8f6dda462b719fa # v3.0.1"
DEPLOY_PAGES = "actions/deploy-pages@d6db90164ac5ed86f2b6aed7e0febac5b3c0c03e # v4.0.5"
CACHE = "actions/cache@5a3ec84eff668545956fd18022155c47e93e2684 # v4.2.3"
#: What decides whether the last build's records can be used: the pinned generator and the site's own configuration,
#: pages and templates (a county's overrides). A change to any of them restores nothing and builds everything.
CACHE_INPUTS = "hashFiles('requirements.txt', 'mkdocs.yml', 'docs/**', 'overrides/**', 'templates/**')"

#: The daily rebuild, in UTC as cron is read by GitHub, Gitea and Forgejo: 16:05 UTC is 00:05 the next day in
#: China (Asia/Shanghai is UTC+8 all year, no summer time), so a claim period that ended yesterday reads 公告期满
#: on the published pages from just after midnight (claim.js corrects older pages in the browser meanwhile).
#: The generator's own .github/workflows/portal.yml has the same line (tests/test_county.py keeps them equal).
REBUILD_CRON = "5 16 * * *"
#: The daily scheduled build folds the search index (a full Pagefind run: see dev/search.md, "Segments").
FOLD_DAILY = "${{ github.event_name == 'schedule' && '--fold' || '' }}"
SCHEDULE = f"""  schedule:  # rebuild daily at 00:05 China time (16:05 UTC): claim states follow the calendar
    - cron: "{REBUILD_CRON}"
"""


@dataclass
class InitOptions:
    folder: Path
    name: str = "某某县"  # the county, in the site's name
    generator: str = GENERATOR_REPO
    today: dt.date | None = None


#: The examples are the ones every rule's example on the 检查规则一览 page is checked with (rules.BASE).
REGIONS = (
    "# 行政区划：本县的镇（街道）和村（社区）。下面是示例，请换成本县的真实名称和代码。\n"
    "# Places are referred to by their path, e.g. 衡阳市/衡东县/甘溪镇 (see the 字段说明 page).\n" + BASE_REGIONS
)
TOWN = (
    "# 示例（虚构）：一个镇的网格名单。照着改成真实内容，或删除这个文件后再发布。\n"
    "# An example town file (fictional): edit it into a real one, or delete it before publishing.\n" + BASE_TOWN
)

NOTICE = """\
# 示例（虚构）：一条遗失声明。新公告请用 portal new lost-document 生成；发布前删除这个示例。
# An example notice (fictional): create real ones with `portal new`; delete this one before publishing.
kind: lost-document
published: {today}
holder: 某某县示例有限公司
publisher: {{name: 某某县示例镇人民政府, phone: "0734-5261234"}}
document:
  type: 公章
  number: "示例-0001"
"""

REQUIREMENTS = """\
# The generator this repository is built with, pinned to a release. To upgrade: change the tag here and
# the rev in .pre-commit-config.yaml, then run `portal check --strict` and `portal build`.
{package} @ git+{generator}@v{version}
"""

PRE_COMMIT = """\
# pre-commit install: checks the changed files under notices/ before every commit, with the same generator.
repos:
  - repo: {generator}
    rev: v{version}
    hooks:
      - id: {hook}
"""

GITIGNORE = ".venv/\nsite/\n.portal-cache/\n"

README = """\
# {name}基层公告与法律服务：数据

公告、网格名单和法律服务的数据在 `notices/` 里；网站由 `{package}`（版本见 requirements.txt）生成。

    python3 -m venv .venv && .venv/bin/pip install -r requirements.txt
    .venv/bin/portal new lost-document       # 新建一条遗失声明（逐项提问）
    .venv/bin/portal check --strict          # 检查全部数据
    .venv/bin/portal build --config mkdocs.yml && .venv/bin/portal serve --config mkdocs.yml   # 生成并预览

示例文件（注释里写着“示例”）发布前请改成真实内容或删除。网站名称、主办单位、备案号和网址在 notices/site.yaml（优先于 mkdocs.yml）。

发布：每次推送到 main，工作流（.github/workflows/ 或 .gitea/、.forgejo/workflows/）检查、生成并发布。
在仓库设置里加变量 PORTAL_PUBLISH：
- rsync：变量 PORTAL_TARGET（如 deploy@web.example.gov.cn:/var/www/portal/）、PORTAL_SSH_KNOWN_HOSTS，密钥 PORTAL_SSH_KEY；
- s3：变量 PORTAL_TARGET（如 s3://bucket/portal/）、PORTAL_S3_ENDPOINT，密钥 AWS_ACCESS_KEY_ID、AWS_SECRET_ACCESS_KEY；
- pages：GitHub Pages（仅 GitHub）。
没有设置时只检查和生成，不发布。
"""


def site_config(name: str) -> str:
    """The generator's mkdocs.yml with this county's name, and without custom_dir: the theme frame stays the
    generator's (portal build adds it), so upgrading the generator upgrades it."""
    text = resources.CONFIG.read_text(encoding="utf-8")
    changes = [
        (r"(?m)^site_name: .*$", f"site_name: {name}基层公告与法律服务  # notices/site.yaml 的 name 优先"),
        (r"(?m)^site_description: .*$", f"site_description: {name}网格员联系方式、驻镇法官、遗失声明与注销公告查询"),
        (r"(?m)^  custom_dir: .*\n", ""),
    ]
    for pattern, replacement in changes:
        text, count = re.subn(pattern, replacement.replace("\\", "\\\\"), text)
        if count != 1:
            raise ValueError(f"mkdocs.yml of the generator has no single line matching {pattern!r}")
    return (
        "# 网站配置 (the site configuration): portal build --config mkdocs.yml. The hand-written pages are the\n"
        "# generator's own (portal build --docs DIR for the county's own).\n"
    ) + text


def install_steps(setup_python: bool) -> str:
    setup = (
        f"""      - uses: {SETUP_PYTHON}
        with:
          python-version: "3.11"
"""
        if setup_python
        else ""
    )
    return f"""      - uses: {CHECKOUT}
        with:
          fetch-depth: 0
          persist-credentials: false
{setup}      - name: Install the pinned generator (requirements.txt)
        run: |
          python3 -m venv .venv
          .venv/bin/pip install --quiet -r requirements.txt
"""


def build_steps() -> str:
    """The last build's site and records restored, then the build: a commit's build renders only what it changed
    (dev/builds.md), the site's spare copy included (tar keeps the links it shares with site/). The trash
    (finished staging folders, removed by a process that outlives the build) is left out of the saved cache:
    archiving it races with its removal, and a failed save saves nothing."""
    return f"""      # The last build's site and cache (.portal-cache), so that a commit's build is the incremental one. The
      # records are signed with the secret PORTAL_CACHE_KEY (at least 32 characters): without it the build uses no
      # cache and does everything (correct, only slower). Each run saves its own entry; the newest is restored.
      - uses: {CACHE}
        with:
          path: |
            site
            .portal-cache
            !.portal-cache/*.trash
          key: site-${{{{ {CACHE_INPUTS} }}}}-${{{{ github.run_id }}}}
          restore-keys: site-${{{{ {CACHE_INPUTS} }}}}-
      - name: Build
        env:
          PORTAL_CACHE_KEY: ${{{{ secrets.PORTAL_CACHE_KEY }}}}
        run: .venv/bin/portal build --strict --config mkdocs.yml {FOLD_DAILY}
"""


def workflow(github: bool) -> str:
    """The workflow for GitHub Actions (github=True) or for Gitea and Forgejo Actions (self-hosted runners
    with python3, git, rsync and ssh; their label in runs-on)."""
    runner = "ubuntu-24.04" if github else "ubuntu-latest  # the label of your Gitea/Forgejo runner"
    annotations = " --format github" if github else ""
    install = install_steps(setup_python=github)
    pages = (
        f"""
  pages:  # GitHub Pages, when the variable PORTAL_PUBLISH is pages
    if: github.event_name != 'pull_request' && github.ref == 'refs/heads/main' && vars.PORTAL_PUBLISH == 'pages'
    needs: check
    runs-on: {runner}
    concurrency:
      group: publish
      cancel-in-progress: false
    permissions:
      contents: read
      pages: write
      id-token: write
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    steps:
{install}{build_steps()}      - uses: {CONFIGURE_PAGES}
      - uses: {UPLOAD_PAGES}
        with:
          path: site
      - id: deployment
        uses: {DEPLOY_PAGES}
"""
        if github
        else ""
    )
    return f"""# Check every push and pull request; on main, build the site and publish it where the repository
# variable PORTAL_PUBLISH says: rsync (the county's server, over SSH), s3 (S3-compatible storage){", or" if github else "."}
{"# pages (GitHub Pages)." if github else "# (GitHub Pages is the GitHub workflow's option.)"} Unset: nothing is published. Written by `portal init`.
#   rsync: variables PORTAL_TARGET (deploy@web.example.gov.cn:/var/www/portal/), PORTAL_SSH_KNOWN_HOSTS
#          (its line from ssh-keyscan), secret PORTAL_SSH_KEY (a deploy key allowed only that folder)
#   s3:    variables PORTAL_TARGET (s3://bucket/portal/), PORTAL_S3_ENDPOINT (https://…), secrets
#          AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
name: portal

on:
  pull_request:
  push:
    branches: [main]
{SCHEDULE}  workflow_dispatch:

permissions:
  contents: read

jobs:
  check:
    runs-on: {runner}
    steps:
{install}      - name: Check the notices
        run: .venv/bin/portal check --strict --no-cache{annotations}

  publish:  # the county's own server or storage
    if: github.event_name != 'pull_request' && github.ref == 'refs/heads/main' && (vars.PORTAL_PUBLISH == 'rsync' || vars.PORTAL_PUBLISH == 's3')
    needs: check
    runs-on: {runner}
    concurrency:  # one publication at a time, never cancelled halfway
      group: publish
      cancel-in-progress: false
    steps:
{install}{build_steps()}      - name: Publish
        env:
          PORTAL_PUBLISH: ${{{{ vars.PORTAL_PUBLISH }}}}
          PORTAL_TARGET: ${{{{ vars.PORTAL_TARGET }}}}
          PORTAL_S3_ENDPOINT: ${{{{ vars.PORTAL_S3_ENDPOINT }}}}
          PORTAL_SSH_KNOWN_HOSTS: ${{{{ vars.PORTAL_SSH_KNOWN_HOSTS }}}}
          PORTAL_SSH_KEY: ${{{{ secrets.PORTAL_SSH_KEY }}}}
          AWS_ACCESS_KEY_ID: ${{{{ secrets.AWS_ACCESS_KEY_ID }}}}
          AWS_SECRET_ACCESS_KEY: ${{{{ secrets.AWS_SECRET_ACCESS_KEY }}}}
        run: |
          if [ "$PORTAL_PUBLISH" = rsync ]; then
            install -m 700 -d ~/.ssh
            printf '%s\\n' "$PORTAL_SSH_KEY" > ~/.ssh/portal_key && chmod 600 ~/.ssh/portal_key
            printf '%s\\n' "$PORTAL_SSH_KNOWN_HOSTS" > ~/.ssh/known_hosts
            .venv/bin/portal publish rsync "$PORTAL_TARGET" -e "ssh -i $HOME/.ssh/portal_key -o StrictHostKeyChecking=yes"
          else
            command -v aws >/dev/null || .venv/bin/pip install --quiet awscli
            PATH="$PWD/.venv/bin:$PATH" .venv/bin/portal publish s3 "$PORTAL_TARGET" ${{PORTAL_S3_ENDPOINT:+--endpoint-url "$PORTAL_S3_ENDPOINT"}}
          fi
{pages}"""


def files(options: InitOptions) -> dict[str, str]:
    """Every file of the new repository, by its path inside it."""
    today = (options.today or dt.date.today()).isoformat()
    pinned = {"package": PACKAGE, "generator": options.generator, "version": version(PACKAGE), "hook": HOOK_ID}
    gitea = workflow(github=False)
    return {
        "notices/regions.yaml": REGIONS,
        "notices/site.yaml": identity.starter(options.name),
        # dated the day it is written: the example is not a stale list (town-stale) on the county's first check
        "notices/contacts/hengdong/ganxi.yaml": re.sub(r"(?m)^updated: .*$", f"updated: {today}", TOWN),
        f"notices/lost/{today[:4]}/example.yaml": NOTICE.format(today=today),
        "mkdocs.yml": site_config(options.name),
        "requirements.txt": REQUIREMENTS.format(**pinned),
        ".pre-commit-config.yaml": PRE_COMMIT.format(**pinned),
        ".github/workflows/portal.yml": workflow(github=True),
        ".gitea/workflows/portal.yml": gitea,
        ".forgejo/workflows/portal.yml": gitea,
        ".gitignore": GITIGNORE,
        "README.md": README.format(name=options.name, package=PACKAGE),
    }


def run(options: InitOptions) -> int:
    """Write the repository; refuse, writing nothing, when any of its files already exists."""
    planned = files(options)
    existing = [name for name in planned if (options.folder / name).exists()]
    if existing:
        for name in existing:
            print(
                f"{options.folder / name}:1:1: error: 文件已存在，没有改动任何文件 (exists: nothing written) (init-exists)",
                file=sys.stderr,
            )
        return 1
    for name, text in planned.items():
        path = options.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    print(
        f"已创建县里的数据仓库：{options.folder} (data repository created)\n"
        f"下一步：cd {options.folder} && git init && python3 -m venv .venv && .venv/bin/pip install -r requirements.txt\n"
        "然后改 notices/regions.yaml 和 notices/site.yaml（网站名称、主办单位、备案号、网址），删除或改写示例文件，"
        "运行 portal check --strict。"
    )
    return 0


def publish(mode: str, target: str, extra: list[str], site_dir: Path) -> int:
    """`portal publish`: scripts/publish.sh, shipped in the package, on the built site (see the script's header)."""
    return subprocess.run(
        ["bash", str(resources.PUBLISH_SCRIPT), mode, target, *extra], env={**os.environ, "SITE": str(site_dir)}
    ).returncode
