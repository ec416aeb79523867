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
