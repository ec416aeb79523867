"""`portal`: argument parsing only; every real step lives in build.py."""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import sys
import traceback
from pathlib import Path

from . import resources
from .checking import changed, identity
from .checking.model import STALE_MONTHS
from .checking.problems import FORMATS, Problem, as_dict, format_github
from .publishing import build as pipeline
from .publishing import county, lock, verify
from .publishing import serve as live
from .staff import editor
from .staff import new as create

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
TODAY_HELP = "把这一天当作今天（默认：北京时间 Asia/Shanghai 的今天）(the date taken as today; default: today in China)"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="portal", description="检查公告数据并生成公告与法律服务网站 (check notices, build the portal)"
    )
    sub = p.add_subparsers(dest="command", required=True)

    def common(cmd):
        cmd.add_argument("--notices", type=Path, default=Path("notices"), help="公告数据文件夹 (default: notices)")
        cmd.add_argument(
            "--strict", action="store_true", help="把警告也当作错误 (treat warnings as errors; CI uses this)"
        )
        cmd.add_argument("--today", type=dt.date.fromisoformat, default=None, metavar="YYYY-MM-DD", help=TODAY_HELP)
        cmd.add_argument(
            "--stale-months",
            type=int,
            default=None,
            metavar="N",
            help=f"镇（街道）名单超过 N 个月未更新时警告，并在网页上提示；0 表示不检查 (default: site.yaml 的 stale_months，未写时 {STALE_MONTHS})",
        )
        cmd.add_argument(
            "--format",
            choices=FORMATS,
            default="text",
            help="问题的输出格式：text、github（CI 行内标注）、json (problem output format)",
        )

    c = sub.add_parser("check", help="只检查数据，不生成网站 (check only)")
    common(c)
    c.add_argument(
        "--site-dir",
        type=Path,
        default=Path("site"),
        help="网站输出文件夹：检查沿用它的缓存中未改动文件的检查结果 (the site whose cache of check results is used; default: site)",
    )
    c.add_argument(
        "--no-cache",
        dest="cache",
        action="store_false",
        help="重新检查每个文件，不沿用上次的检查结果 (check every file again; ignore .portal-cache/)",
    )
    c.add_argument(
        "files",
        nargs="*",
        type=Path,
        metavar="FILE",
        help="只报告这些文件的问题（仍检查全部数据；pre-commit 用）(report only problems in or about these files)",
    )
    b = sub.add_parser("build", help="检查并生成网站 (check and build)")
    s = sub.add_parser("serve", help="生成网站并在本机预览 (build and preview)")
    for cmd in (b, s):
        common(cmd)
        cmd.add_argument("--site-dir", type=Path, default=Path("site"), help="网站输出文件夹 (default: site)")
        cmd.add_argument("--templates", type=Path, default=None, help="覆盖默认模板的文件夹 (template overrides)")
        cmd.add_argument(
            "--docs",
            type=Path,
            default=None,
            help="手写页面与资源的文件夹，代替自带的 docs/ (hand-written pages and assets; default: the generator's own)",
        )
        cmd.add_argument(
            "--config",
            type=Path,
            default=None,
            help="网站配置 mkdocs.yml，代替自带的 (site configuration; default: the generator's own)",
        )
        cmd.add_argument(
            "--no-cache",
            dest="cache",
            action="store_false",
            help="全部重新生成，不沿用上次生成的页面 (build everything; ignore .portal-cache/)",
        )
    b.add_argument("--timings", action="store_true", help="显示各步骤耗时 (print seconds per stage)")
    b.add_argument(
        "--fold",
        action="store_true",
        help="重建完整的搜索索引（合并增量），每日定时生成用 (rebuild the whole search index: fold the delta; the daily build uses it)",
    )
    b.add_argument(
        "--site-url",
        type=site_address,
        default=None,
        metavar="URL",
        help="网站的正式网址，如 https://gonggao.example.gov.cn/ (the live site's address: QR codes, feeds)",
    )
    s.add_argument("--port", type=int, default=8000)
    n = sub.add_parser("new", help="新建一条公告或一个镇的网格名单，逐项检查 (create a notice or town file, checked)")
    n.add_argument(
        "kind", choices=create.KINDS, help="lost-document 遗失声明、deregistration 注销公告、town 镇（街道）网格名单"
    )
    n.add_argument(
        "--field",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="直接给出字段，可重复，如 document.type=身份证、contact.phone=13800001234 (give a field; repeatable)",
    )
    asking = n.add_mutually_exclusive_group()
    asking.add_argument("--yes", "-y", action="store_true", help="不提问：缺少必填字段即报错 (never ask)")
    asking.add_argument(
        "--interactive",
        "-i",
        action="store_true",
        help="即使输入不是终端也逐项提问 (ask even when stdin is not a terminal)",
    )
    n.add_argument("--notices", type=Path, default=Path("notices"), help="公告数据文件夹 (default: notices)")
    n.add_argument("--today", type=dt.date.fromisoformat, default=None, metavar="YYYY-MM-DD", help=TODAY_HELP)
    i = sub.add_parser("init", help="新建一个县的数据仓库 (create a county's data repository)")
    i.add_argument("folder", type=Path, help="新仓库的文件夹 (the new repository's folder)")
    i.add_argument(
        "--name", default=county.InitOptions.name, help="县名，用在网站名称里 (the county, in the site's name)"
    )
    i.add_argument(
        "--generator",
        default=county.GENERATOR_REPO,
        help="生成器仓库的地址，工作流和 pre-commit 从这里安装 (the generator's git repository)",
    )
    i.add_argument("--today", type=dt.date.fromisoformat, default=None, metavar="YYYY-MM-DD", help=TODAY_HELP)
    u = sub.add_parser("publish", help="发布生成好的网站：rsync、dir 或 s3 (publish site/ with scripts/publish.sh)")
    u.add_argument("--site-dir", type=Path, default=Path("site"), help="网站文件夹 (default: site)")
    u.add_argument("mode", choices=("rsync", "dir", "s3"))
    u.add_argument("target", help="user@host:/var/www/portal/、/srv/portal/ 或 s3://bucket/portal/")
    u.add_argument("extra", nargs=argparse.REMAINDER, help="交给 rsync 或 aws 的其他参数 (passed on)")
    v = sub.add_parser(
        "verify", help="核对公告网页与数据的内容指纹 (check a notice page against its fingerprint and data)"
    )
    v.add_argument(
        "target",
        metavar="FILE|URL",
        help="公告数据文件 notices/…/x.yaml，或公告网页的网址、文件、文件夹 (a notice's data file, or its page)",
    )
    v.add_argument(
        "--site-dir",
        type=Path,
        default=Path("site"),
        help="给出数据文件时，在这个网站文件夹里找它的页面 (where to find the page of a data file; default: site)",
    )
    v.add_argument(
        "--site-url",
        type=site_address,
        default=None,
        metavar="URL",
        help="给出数据文件时，从这个网站下载它的页面 (fetch the page of a data file from this site instead)",
    )
    v.add_argument(
        "--data",
        type=Path,
        default=None,
        metavar="FILE",
        help="给出网页时，也与这个数据文件核对 (check the page against this data file too)",
    )
    v.add_argument(
        "--notices",
        type=Path,
        default=Path("notices"),
        help="给出网页时，在这里按网址找它的数据文件 (where to look for a page's data file; default: notices)",
    )
    v.add_argument("--today", type=dt.date.fromisoformat, default=None, metavar="YYYY-MM-DD", help=TODAY_HELP)
    j = sub.add_parser("schema", help="生成编辑器用的 JSON Schema (write JSON Schemas for editors)")
    j.add_argument("--out", type=Path, default=Path("schemas"), help="输出文件夹 (default: schemas)")
    return p


def site_address(text: str) -> str:
    """An http(s) address with a host, ending in "/" (pages are joined onto it)."""
    why = identity.site_address_problem(text)
    if why:
        raise argparse.ArgumentTypeError(why)
    return identity.site_url(text)


def options(args) -> pipeline.Options:
    opts = pipeline.Options(notices=args.notices, strict=args.strict, stale_months=args.stale_months)
    if args.today:
        opts.today = args.today
    if getattr(args, "site_dir", None):
        opts.site_dir = args.site_dir
    if getattr(args, "templates", None):
        opts.templates = args.templates
    if getattr(args, "docs", None):
        opts.docs_dir = args.docs
    if getattr(args, "config", None):
        opts.config_file = args.config
    opts.cache = getattr(args, "cache", True)
    opts.fold = getattr(args, "fold", False)
    if getattr(args, "site_url", None):
        opts.site_url = args.site_url
    return opts


def report(problems: list[Problem], fmt: str = "text") -> None:
    """Print every problem: text and github go to stderr as lines, json to stdout as one document."""
    ordered = sorted(problems, key=lambda p: (p.path, p.line, p.column, p.rule))
    errors = sum(p.level == "error" for p in problems)
    warnings = len(problems) - errors
    if fmt == "json":
        print(
            json.dumps(
                {"errors": errors, "warnings": warnings, "problems": [as_dict(p) for p in ordered]},
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    for problem in ordered:
        print(
            format_github(problem) if fmt == "github" else problem.format(),
            file=sys.stdout if fmt == "github" else sys.stderr,
        )
    if problems:
        print(f"{errors} 个错误，{warnings} 个警告 ({errors} errors, {warnings} warnings)", file=sys.stderr)


DEBUG_VARIABLE = "PORTAL_DEBUG"


def main(argv: list[str] | None = None) -> int:
    """Run one command. Any failure this code did not foresee is a one-line `error: 内部错误`, exit 1,
    never a traceback (the published site is only ever replaced by a finished build);
    PORTAL_DEBUG=1 shows the traceback to whoever debugs it."""
    try:
        return run(argv)
    except KeyboardInterrupt:
        print("\n已中断 (interrupted)", file=sys.stderr)
        return 130
    except Exception as exc:
        if os.environ.get(DEBUG_VARIABLE):
            raise
        print(internal_error(exc), file=sys.stderr)
        return EXIT_PROBLEMS


def internal_error(exc: BaseException) -> str:
    """`error: 内部错误 …` naming the exception and where it was raised, in one printable line."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f"，位置 {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    what = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in str(exc))[:300]
    return (
        f"error: 内部错误：{type(exc).__name__}: {what}{where}。网站没有更新。"
        f"请把这一行和所用的数据报告给维护人员；设置环境变量 {DEBUG_VARIABLE}=1 再运行可以看到详细的出错过程 "
        f"(internal error: the site was not changed; run with {DEBUG_VARIABLE}=1 for the traceback)"
    )


def run(argv: list[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:
        return EXIT_OK if exc.code == 0 else EXIT_USAGE
    if args.command == "schema":
        for path in editor.write_schemas(args.out):
            print(f"已写入 {path} (written)")
        return EXIT_OK
    if args.command == "verify":
        code, lines = verify.verify(
            verify.VerifyOptions(
                args.target,
                args.site_dir,
                args.site_url,
                args.data,
                args.notices,
                args.today or pipeline.today_in_china(),
            )
        )
        print("\n".join(lines), file=sys.stdout if code != verify.EXIT_USAGE else sys.stderr)
        return code
    if args.command == "init":
        return county.run(
            county.InitOptions(args.folder, args.name, args.generator, args.today or pipeline.today_in_china())
        )
    if args.command == "publish":
        return county.publish(args.mode, args.target, args.extra, args.site_dir)
    if args.command == "new":
        return create.run(
            create.NewOptions(
                args.kind,
                args.notices,
                args.field,
                ask=False if args.yes else True if args.interactive else None,
                today=args.today or pipeline.today_in_china(),
            )
        )
    opts = options(args)
    if args.command == "check":
        try:
            checked = pipeline.check(opts)
        except lock.Busy as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_PROBLEMS
        checked.problems = changed.select(checked.problems, args.files, opts.notices)
        report(checked.problems, args.format)
        if pipeline.failed(checked.problems, opts.strict):
            return EXIT_PROBLEMS
        if args.format != "json":
            print(
                f"检查通过：{len(checked.portal.towns)} 个镇（街道），{len(checked.portal.lost)} 条遗失声明，"
                f"{len(checked.portal.deregistrations)} 条注销公告 (check passed)"
            )
        return EXIT_OK
    if args.command == "serve":
        watched = [opts.notices, opts.docs_dir, opts.config_file, resources.TEMPLATES, resources.OVERRIDES]
        if opts.templates:
            watched.append(opts.templates)
        return live.serve(opts, args.port, functools.partial(report, fmt=args.format), watched)
    try:
        result = pipeline.build(opts)
    except (pipeline.BuildError, lock.Busy) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    report(result.problems, args.format)
    if result.failed:
        print("有错误，网站没有更新 (not built: fix the errors above; the existing site is unchanged)", file=sys.stderr)
        return EXIT_PROBLEMS
    print(
        f"网站已生成：{result.site_dir}（{result.pages} 个生成页面，其中 {result.rendered} 个重新生成）"
        f"(site built: {result.pages} pages, {result.rendered} rendered anew)"
    )
    print(f"发布前检查通过：{result.counts} (output scan passed)")
    if args.timings:
        print("  ".join(f"{stage} {seconds:.1f}s" for stage, seconds in result.timings.items()))
    print("预览：make serve，然后用浏览器打开 http://127.0.0.1:8000/ (preview: make serve)")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
