#!/bin/sh
# docs-check.sh HUTCH README: every long option that `hutch run --help` lists is in README.
set -u
hutch=$1 readme=$2
missing=""
for opt in $("$hutch" run --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
    grep -q -- "\`$opt" "$readme" || missing="$missing $opt"
done
if [ -n "$missing" ]; then
    echo "docs-check: README.md does not describe:$missing" >&2
    exit 1
fi
echo "docs-check: README.md describes every option of hutch run"
