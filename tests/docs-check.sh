#!/bin/sh
# docs-check.sh HUTCH README: README describes every long option of `hutch run --help` and
# `hutch exec --help`, every capability of the default set and every system call of the seccomp
# filter (`hutch defaults`); and the other way round, every option in README's table of run's
# options is one that run has. An empty list (a binary that does not run) is a failure.
set -u
hutch=$1 readme=$2
missing="" extra=""
help=$("$hutch" run --help 2>/dev/null; "$hutch" exec --help 2>/dev/null)
defaults=$("$hutch" defaults 2>/dev/null)
opts=$(printf '%s\n' "$help" | grep -o -- '--[a-z][a-z0-9-]*' | sort -u)
words=$(printf '%s\n' "$defaults" | grep '^  [A-Za-z_0-9]*\( \|$\)' | grep -v '^  and ' | tr ' ' '\n' |
    grep -E '^[A-Za-z_0-9]+$')
if [ "$(printf '%s\n' "$opts" | grep -c .)" -lt 20 ] || [ "$(printf '%s\n' "$words" | grep -c .)" -lt 40 ]; then
    echo "docs-check: $hutch did not list its options and defaults (does it run?)" >&2
    exit 1
fi
for opt in $opts; do
    grep -qE -- "\`$opt([^a-z0-9-]|\$)" "$readme" || missing="$missing $opt"
done
for word in $words; do
    case $word in
    [A-Z]*) grep -q "$word" "$readme" || missing="$missing $word" ;;
    *) grep -q "\`$word\`" "$readme" || missing="$missing $word" ;;
    esac
done
# The table of options: rows that start with an option.
for opt in $(grep -o '^| `-[^|]*' "$readme" | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
    printf '%s\n' "$opts" | grep -qx -- "$opt" || extra="$extra $opt"
done
if [ -n "$missing$extra" ]; then
    [ -z "$missing" ] || echo "docs-check: README.md does not describe:$missing" >&2
    [ -z "$extra" ] || echo "docs-check: README.md's table has options hutch lacks:$extra" >&2
    exit 1
fi
echo "docs-check: README.md describes every option, default capability and filtered call, and no other option"
