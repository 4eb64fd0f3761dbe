#!/bin/sh
# docs-check.sh HUTCH README: README describes every long option of `hutch run --help`, every
# capability of the default set and every system call of the seccomp filter (`hutch defaults`).
set -u
hutch=$1 readme=$2
missing=""
for opt in $("$hutch" run --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
    grep -q -- "\`$opt" "$readme" || missing="$missing $opt"
done
# The indented lines of `hutch defaults` hold the capability names and the system calls.
for word in $("$hutch" defaults | grep '^  [A-Za-z_0-9]*\( \|$\)' | grep -v '^  and ' | tr ' ' '\n' |
    grep -E '^[A-Za-z_0-9]+$'); do
    case $word in
    [A-Z]*) grep -q "$word" "$readme" || missing="$missing $word" ;;
    *) grep -q "\`$word\`" "$readme" || missing="$missing $word" ;;
    esac
done
if [ -n "$missing" ]; then
    echo "docs-check: README.md does not describe:$missing" >&2
    exit 1
fi
echo "docs-check: README.md describes every option, default capability and filtered call"
