#!/usr/bin/env bash
# Publish a built site/ to a static host that is not GitHub Pages.
#
#   scripts/publish.sh rsync  user@host:/var/www/portal/     # any SSH host (county web server)
#   scripts/publish.sh dir    /var/www/portal/               # a folder on this machine (or a mounted share)
#   scripts/publish.sh s3     s3://bucket/portal/ [--endpoint-url https://oss…]   # S3-compatible object storage
#
# The target is updated in two steps so a visitor never sees a half-published site: first every
# file except the HTML pages (new search index chunks and assets appear next to the old ones), then
# the HTML pages, then files that no longer exist are removed.
set -euo pipefail

SITE="${SITE:-site}"
mode="${1:-}"; target="${2:-}"
if [ -z "$mode" ] || [ -z "$target" ]; then
    sed -n '2,11p' "$0" >&2
    exit 2
fi
if [ ! -f "$SITE/index.html" ] || [ ! -d "$SITE/pagefind" ]; then
    echo "error: $SITE/ is not a built portal (run: make site)" >&2
    exit 1
fi
shift 2

# Hold the site's lock (shared) while copying: a `portal build` or `portal serve` rebuild of the same site
# waits until the copy is done, so what is published is one whole build (see generator/publishing/lock.py).
SITE_PATH="$(cd "$SITE" && pwd -P)"
LOCK="$(dirname "$SITE_PATH")/.portal-cache/$(basename "$SITE_PATH").lock"
if command -v flock >/dev/null && [ -f "$LOCK" ]; then
    exec 9<"$LOCK"
    if ! flock -s -n 9; then
        echo "另一个生成正在进行，等待… (another build is running; waiting)" >&2
        if ! flock -s -w "${PORTAL_LOCK_TIMEOUT:-600}" 9; then
            echo "error: another build still holds $LOCK: nothing published" >&2
            exit 1
        fi
    fi
fi

case "$mode" in
    rsync|dir)
        RSYNC_TARGET="$target"
        [ "$mode" = dir ] && mkdir -p "$target"
        rsync -rlt --checksum --exclude='*.html' "$@" "$SITE/" "$RSYNC_TARGET"
        rsync -rlt --checksum --delete "$@" "$SITE/" "$RSYNC_TARGET"
        ;;
    s3)
        aws s3 sync "$SITE/" "$target" --exclude '*.html' "$@"
        aws s3 sync "$SITE/" "$target" --delete "$@"
        ;;
    *)
        echo "error: unknown mode '$mode' (rsync, dir or s3)" >&2
        exit 2
        ;;
esac
echo "published $SITE/ to $target"
