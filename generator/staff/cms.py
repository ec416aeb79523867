"""Web editing at admin/: a Sveltia CMS configuration generated from the same schema the checker uses.

A town clerk who never touches git opens `/admin/`, signs in (GitHub or the county's Gitea,
or "使用本地仓库" in Chrome/Edge) and edits a town's grids and people, or writes a new
notice, in a form. Every save is a commit like any other: CI runs `portal check --strict`
and only a clean commit replaces the published site.

`config()` maps the schema field by field (see `field_config()`); `write_admin()` writes
admin/index.html, admin/config.yml and the self-hosted CMS files into the staging docs tree.

Nothing on the admin page comes from another host before sign-in (mainland China: no CDNs).
The bundle is copied byte for byte from npm (`@sveltia/cms`, pinned in package.json); the
files it would otherwise fetch from a CDN are served from admin/ instead:

- its fonts (`@font-face` rules pointing at cdn.jsdelivr.net): index.html carries the same
  rules, pointing at admin/fonts/, in a `<style>` with the id Svelte checks before injecting
  its own, so the CDN rules are never added;
- its translations (fetched from unpkg.com for any language but English): a small `fetch`
  wrapper answers them from admin/locales/; the same wrapper answers the CMS's update check
  (unpkg.com) and GitHub/GitLab status checks with "404" instead of letting them out.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import yaml

from .. import resources
from ..checking.identity import SITE
from ..checking.problems import BuildError
from ..checking.schema import (
    DEREGISTRATION,
    LEGAL_SERVICE_KINDS,
    LOST,
    TOWN,
    Boolean,
    Choice,
    Date,
    Field,
    Integer,
    ListOf,
    Pattern,
    Phone,
    Struct,
    Text,
    Type,
)
from .editor import PHONE_PATTERN

SVELTIA = resources.SVELTIA
BUNDLE = "sveltia-cms.js"
INSTALL_HINT = "npm ci"

DATE_FORMAT = "YYYY-MM-DD"  # Day.js tokens: the contract's dates, never a time or a time zone
PHONE_MESSAGE = "电话格式不对：手机 11 位（如 13973400001），座机写成 区号-号码（如 0734-5261234）"
MEDIA_FOLDER = "notices/images"  # build.py copies it to media/images/ of the site
PUBLIC_FOLDER = "/images"  # value written: /images/x.png; pages link media/ + value
MAX_UPLOAD_BYTES = 1024 * 1024
PLACEHOLDER_REPO = "your-org/hunan-notice-portal"
BACKENDS = ("github", "gitea")

#: Labels shown for choice values that are English words in the data.
CHOICE_LABELS = {**LEGAL_SERVICE_KINDS, "active": "未撤回（正常公告）", "withdrawn": "已撤回"}
#: Text fields holding an image path below notices/ (the WeChat group's QR code): an upload, not typing.
IMAGE_FIELDS = {"qr"}
#: Values a new entry starts with, where the schema has none ({{now}}: today, in DATE_FORMAT).
NEW_ENTRY_DEFAULTS = {"published": "{{now}}"}

_COMMON = {"extension": "yaml", "format": "yaml", "delete": False}

#: One collection per kind of file under notices/ (the contract: ../shared/DESIGN.md).
COLLECTIONS: tuple[dict[str, Any], ...] = (
    {
        "name": "lost",
        "label": "遗失声明",
        "label_singular": "遗失声明",
        "kind": "lost-document",
        "struct": LOST,
        "description": "每条声明一个文件，保存后由 CI 检查（portal check --strict），通过后网站更新。撤回声明请把“状态”改为“已撤回”并写明原因。",
        "folder": "notices/lost",
        "create": True,
        # notices/lost/<year of publication>/<published>-<holder>-<type>.yaml
        "path": "{{published | date('YYYY')}}/{{slug}}",
        "slug": "{{published}}-{{holder}}-{{document.type}}",
        "identifier_field": "holder",
        "summary": "{{published}} · {{holder}} · {{document.type}}",
        "sortable_fields": {
            "fields": ["published", "holder"],
            "default": {"field": "published", "direction": "descending"},
        },
    },
    {
        "name": "deregistration",
        "label": "注销公告",
        "label_singular": "注销公告",
        "kind": "deregistration",
        "struct": DEREGISTRATION,
        "description": "每条公告一个文件，保存后由 CI 检查（portal check --strict），通过后网站更新。撤回公告请把“状态”改为“已撤回”并写明原因。",
        "folder": "notices/deregistration",
        "create": True,
        "path": "{{published | date('YYYY')}}/{{slug}}",
        "slug": "{{published}}-{{organization}}",
        "identifier_field": "organization",
        "summary": "{{published}} · {{organization}}",
        "sortable_fields": {
            "fields": ["published", "organization"],
            "default": {"field": "published", "direction": "descending"},
        },
    },
    {
        "name": "contacts",
        "label": "镇（街道）网格",
        "label_singular": "镇（街道）",
        "kind": None,
        "struct": TOWN,
        "description": "每个镇（街道）一个文件：网格、网格长、网格员、楼栋长、驻镇法官。改完请同时更新“更新日期”。新增镇（街道）请联系县级管理员。",
        # notices/contacts/<county>/<town>.yaml, shown as a tree of county folders. Towns are not
        # created here: a new town needs its county folder and an entry in regions.yaml, which the
        # county's administrator adds.
        "folder": "notices/contacts",
        "create": False,
        "nested": {"depth": 2, "subfolders": False},
        "identifier_field": "town",
        "summary": "{{town}}",
        "sortable_fields": {"fields": ["town", "updated"], "default": {"field": "town", "direction": "ascending"}},
    },
    {
        # One file, not a folder of entries: a Sveltia "file collection".
        "name": "site",
        "label": "网站信息",
        "kind": None,
        "struct": SITE,
        "file": "notices/site.yaml",
        "description": "网站名称、主办单位、联系方式、备案号、网站标识码和网址：显示在每页页脚。由县级管理员填写。",
    },
)


# ---------------------------------------------------------------- schema → fields


def widget(kind: Type) -> dict:
    """The widget options for one schema type (without name, label, hint, required)."""
    if isinstance(kind, Struct):
        return {"widget": "object", "fields": [field_config(spec) for spec in kind.fields.values()]}
    if isinstance(kind, ListOf):
        options: dict = {"widget": "list"}
        if isinstance(kind.item, Struct):
            options["fields"] = [field_config(spec) for spec in kind.item.fields.values()]
            summary = " ".join(f"{{{{fields.{key}}}}}" for key in ("id", "name") if key in kind.item.fields)
            if summary:
                options["summary"] = summary
            options["collapsed"] = "auto"
        else:
            options["field"] = {"name": "item", **widget(kind.item)}
        if kind.min_items:
            options["min"] = kind.min_items
        return options
    if isinstance(kind, Choice):
        return {
            "widget": "select",
            "options": [
                {"label": f"{CHOICE_LABELS[value]}（{value}）", "value": value} if value in CHOICE_LABELS else value
                for value in kind.values
            ],
        }
    if isinstance(kind, Integer):
        return {"widget": "number", "value_type": "int", "min": kind.minimum, "max": kind.maximum}
    if isinstance(kind, Boolean):
        return {"widget": "boolean"}
    if isinstance(kind, Date):
        return {"widget": "datetime", "type": "date", "format": DATE_FORMAT}
    if isinstance(kind, Phone):
        return {"widget": "string", "pattern": [PHONE_PATTERN, PHONE_MESSAGE]}
    if isinstance(kind, Pattern):
        return {"widget": "string", "pattern": [kind.pattern, f"格式不对：应为{kind.form}"]}
    if isinstance(kind, Text):
        return {"widget": "string"}
    raise TypeError(f"no CMS widget for {kind!r}")


#: The form refuses what looks like an ID number (17 digits then a digit or X, full-width too, with
#: spaces, dashes or zero-width characters between them) in every one-value text field but a document
#: number: the CMS commits straight to the repository and names the file from 声明人 or 注销单位, so
#: the checker's refusal (id-number-not-allowed) would come after the name is in the history. A
#: browser cannot compute the GB 11643 check digit in a pattern: a run of 18 digits is refused whole.
NO_ID_PATTERN = (
    r"^(?![\s\S]*(?:[0-9\uff10-\uff19][\s\u00ad\u2010-\u2015\u2212\ufe63\uff0d\u200b-\u200d\u2060\ufeff-]*){17}"
    r"[0-9\uff10-\uff19Xx\uff38\uff58])[\s\S]*$"
)
NO_ID_MESSAGE = "这里不能写身份证号码：身份证号码只能写在证件号码中 (no ID number here: only in the document number)"
#: Fields where a number is expected: the checker decides (document.number is masked, not refused).
NUMBER_FIELDS = {"number", "credit_code"}


def field_config(spec: Field) -> dict:
    """One schema field as a CMS field: label = its Chinese title, hint = its description."""
    config: dict[str, Any] = {"name": spec.key, "label": spec.title}
    if spec.description:
        config["hint"] = spec.description
    config["required"] = spec.required
    config.update(widget(spec.type))
    if spec.default is not None:
        config["default"] = spec.default
    elif spec.key in NEW_ENTRY_DEFAULTS:
        config["default"] = NEW_ENTRY_DEFAULTS[spec.key]
    if config["widget"] == "list" and "field" in config:
        config["field"]["label"] = spec.title
    if config["widget"] == "string" and "pattern" not in config and spec.key not in NUMBER_FIELDS:
        config["pattern"] = [NO_ID_PATTERN, NO_ID_MESSAGE]
    if spec.key in IMAGE_FIELDS and isinstance(spec.type, Text):
        config.update(widget="image", accept="image/png,image/jpeg,image/webp", choose_url=False)
    return config


def collection_fields(struct: Struct, kind: str | None) -> list[dict]:
    fields = []
    for spec in struct.fields.values():
        if spec.key == "kind" and kind:
            # Always written, never shown: the folder and the kind must agree (kind-folder).
            fields.append({"name": "kind", "label": spec.title, "widget": "hidden", "default": kind})
        else:
            fields.append(field_config(spec))
    return fields


# ---------------------------------------------------------------- the configuration


def backend(environ: dict | None = None) -> dict:
    """Where the CMS reads and commits: set at build time, from the environment.

    PORTAL_CMS_BACKEND (github | gitea, default github), PORTAL_CMS_REPO (owner/name; on GitHub
    Actions GITHUB_REPOSITORY by default), PORTAL_CMS_BRANCH, PORTAL_CMS_API_ROOT (a Gitea's
    https://host/api/v1), PORTAL_CMS_BASE_URL (the OAuth client's origin), PORTAL_CMS_APP_ID
    (a Gitea OAuth application's client ID).
    """
    env = os.environ if environ is None else environ
    name = env.get("PORTAL_CMS_BACKEND") or "github"
    if name not in BACKENDS:
        raise ValueError(f"PORTAL_CMS_BACKEND 应为 {' 或 '.join(BACKENDS)}，而不是 {name!r} (unknown CMS backend)")
    result = {"name": name, "repo": env.get("PORTAL_CMS_REPO") or env.get("GITHUB_REPOSITORY") or PLACEHOLDER_REPO}
    for key, variable in (
        ("branch", "PORTAL_CMS_BRANCH"),
        ("api_root", "PORTAL_CMS_API_ROOT"),
        ("base_url", "PORTAL_CMS_BASE_URL"),
        ("app_id", "PORTAL_CMS_APP_ID"),
    ):
        if env.get(variable):
            result[key] = env[variable]
    result["commit_messages"] = {
        "create": "新建{{collection}}：{{slug}}（网页编辑）",
        "update": "修改{{collection}}：{{slug}}（网页编辑）",
        "delete": "删除{{collection}}：{{slug}}（网页编辑）",
        "uploadMedia": "上传图片 {{path}}（网页编辑）",
        "deleteMedia": "删除图片 {{path}}（网页编辑）",
    }
    return result


def config(site_url: str | None = None, backend_options: dict | None = None) -> dict:
    """The Sveltia CMS configuration (admin/config.yml) for the contract in schema.py."""
    collections = []
    for spec in COLLECTIONS:
        collection = {key: value for key, value in spec.items() if key not in ("kind", "struct", "file")}
        fields = collection_fields(spec["struct"], spec["kind"])
        if "file" in spec:
            collection["files"] = [
                {
                    "name": spec["name"],
                    "label": spec["label"],
                    "file": spec["file"],
                    "fields": fields,
                    "format": _COMMON["format"],
                }
            ]
        else:
            collection.update(_COMMON)
            collection["fields"] = fields
        collections.append(collection)
    result = {
        "app_title": "湖南基层公告与法律服务 · 网页编辑",
        "backend": backend_options if backend_options is not None else backend(),
        "media_folder": MEDIA_FOLDER,
        "public_folder": PUBLIC_FOLDER,
        "media_libraries": {
            "default": {"config": {"max_file_size": MAX_UPLOAD_BYTES}},
            "stock_assets": False,  # stock photo search calls foreign APIs; QR codes are uploaded
        },
        "show_preview_links": False,
        "editor": {"preview": False},
        "output": {"omit_empty_optional_fields": True},
        "collections": collections,
    }
    if site_url:
        result["site_url"] = result["display_url"] = site_url.rstrip("/") + "/"
    return result


def config_yaml(cfg: dict) -> str:
    header = (
        "# 网页编辑（Sveltia CMS）的配置：由 portal build 根据 generator/checking/schema.py 生成，请勿手改。\n"
        "# Generated by `portal build` from generator/checking/schema.py (generator/staff/cms.py); do not edit.\n"
    )
    return header + yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False, width=1000)


# ---------------------------------------------------------------- the self-hosted files


def version(sveltia: Path = SVELTIA) -> str:
    return json.loads((sveltia / "package.json").read_text(encoding="utf-8"))["version"]


FONT_CSS = re.compile(r"\{hash:`(svelte-[a-z0-9]+)`,code:`([^`]*?cdn\.jsdelivr\.net/fontsource[^`]*)`\}")
FONT_URL = re.compile(
    r"url\((https://cdn\.jsdelivr\.net/fontsource/fonts/([a-z0-9-]+)(?::vf)?@[\d.]+/([a-z0-9-]+)\.woff2)\)"
)


def local_fonts(sveltia: Path = SVELTIA) -> tuple[str, str, dict[str, Path]]:
    """The bundle's font CSS with its CDN URLs pointed at fonts/: (style id, css, {file name: source}).

    The npm package ships the very same font files (npm/assets/, used by its ESM build)."""
    bundle = (sveltia / "dist" / BUNDLE).read_text(encoding="utf-8")
    found = FONT_CSS.findall(bundle)
    if len(found) != 1:
        raise ValueError(f"expected one font stylesheet in {BUNDLE}, found {len(found)}")
    style_id, css = found[0]
    files: dict[str, Path] = {}
    for url, family, subset in FONT_URL.findall(css):
        name = f"{family}-{subset}.woff2"
        matches = sorted((sveltia / "npm" / "assets").glob(f"{family}-{subset}-*.woff2"))
        if len(matches) != 1:
            raise ValueError(f"no local copy of {url} in @sveltia/cms/npm/assets")
        files[name] = matches[0]
        css = css.replace(url, f"fonts/{name}")
    if "https://" in css.replace("https://fontsource.org/", ""):
        raise ValueError(f"a font URL in {BUNDLE} was not replaced: {css}")
    return style_id, css, files


#: URL prefixes the CMS fetches from other hosts, answered "404 Not Found" on the spot: its update
#: check (unpkg.com, hourly) and the status pages of GitHub and GitLab (every 5 minutes, from the
#: sign-in page on). Without them the CMS simply shows no update or incident banner.
NOT_FETCHED = ("https://unpkg.com/", "https://www.githubstatus.com/", "https://status-api.hostedstatus.com/")

FETCH_SHIM = """\
(function () {
  /* Generated by generator/staff/cms.py. Sveltia CMS fetches its translations from a CDN: serve them
     from here instead. Its update and status checks never leave: they get "404" at once. */
  var cdn = "https://unpkg.com/@sveltia/cms@%(version)s/locales/";
  var here = new URL("locales/", document.baseURI).href;
  var off = %(not_fetched)s;
  var send = window.fetch.bind(window);
  window.fetch = function (input, init) {
    var url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (url.indexOf(cdn) === 0) return send(here + url.slice(cdn.length), init);
    for (var i = 0; i < off.length; i++) {
      if (url.indexOf(off[i]) === 0) return Promise.resolve(new Response("", {status: 404}));
    }
    return send(input, init);
  };
})();"""

ADMIN_HEAD = """\
<!doctype html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<link rel="icon" href="../assets/images/favicon.png">
"""

INDEX_HTML = (
    ADMIN_HEAD
    + """\
<title>网页编辑 · 湖南基层公告与法律服务</title>
<link href="config.yml" type="application/yaml" rel="cms-config-url">
<style id="%(style_id)s">%(font_css)s</style>
<script>
%(shim)s
</script>
</head>
<body>
<script src="%(bundle)s"></script>
</body>
</html>
"""
)

MISSING_HTML = (
    ADMIN_HEAD
    + """\
<title>网页编辑未安装 · 湖南基层公告与法律服务</title>
</head>
<body>
<h1>网页编辑暂不可用</h1>
<p>生成本站时没有找到网页编辑程序（Sveltia CMS）。请网站管理员在构建机上运行 <code>%(hint)s</code> 后重新生成网站（make site）。</p>
<p>The web editor was not installed when this site was built: run <code>%(hint)s</code>, then build again.</p>
</body>
</html>
"""
)


def index_html(style_id: str, font_css: str, cms_version: str) -> str:
    return INDEX_HTML % {
        "style_id": style_id,
        "font_css": font_css,
        "bundle": BUNDLE,
        "shim": FETCH_SHIM % {"version": cms_version, "not_fetched": json.dumps(list(NOT_FETCHED))},
    }


def write_admin(admin: Path, sveltia: Path | None = None, environ: dict | None = None) -> bool:
    """Write admin/ (config.yml, index.html, the bundle, its fonts and translations).

    Without the npm package (`npm ci` not run) the rest of the site still builds: one warning
    line goes to stderr and admin/index.html says the editor is not installed. Returns whether
    the editor was installed."""

    sveltia = sveltia or SVELTIA

    try:
        cfg = config(backend_options=backend(environ))
    except ValueError as exc:
        raise BuildError(str(exc)) from exc
    admin.mkdir(parents=True, exist_ok=True)
    (admin / "config.yml").write_text(config_yaml(cfg), encoding="utf-8")
    if not (sveltia / "dist" / BUNDLE).is_file():
        missing = sveltia / "dist" / BUNDLE
        shown = missing.relative_to(resources.SITE) if missing.is_relative_to(resources.SITE) else missing
        print(
            f"warning: 没有找到 {shown}，网站的网页编辑 admin/ 不可用；请运行 `{INSTALL_HINT}` 后重新生成 "
            f"(web editor not installed: run `{INSTALL_HINT}`)",
            file=sys.stderr,
        )
        (admin / "index.html").write_text(MISSING_HTML % {"hint": INSTALL_HINT}, encoding="utf-8")
        return False
    try:
        style_id, font_css, fonts = local_fonts(sveltia)
    except ValueError as exc:
        raise BuildError(
            f"Sveltia CMS {version(sveltia)} 的字体无法改为本地文件：{exc} (cannot self-host the CMS fonts)"
        ) from exc
    shutil.copyfile(sveltia / "dist" / BUNDLE, admin / BUNDLE)
    (admin / "fonts").mkdir(exist_ok=True)
    for name, source in fonts.items():
        shutil.copyfile(source, admin / "fonts" / name)
        licence = source.parent / f"{name.split('-latin-')[0]}.LICENSE.txt"
        if licence.is_file():
            shutil.copyfile(licence, admin / "fonts" / licence.name)
    shutil.copytree(sveltia / "locales", admin / "locales", dirs_exist_ok=True)
    (admin / "index.html").write_text(index_html(style_id, font_css, version(sveltia)), encoding="utf-8")
    return True
