#!/bin/sh
# docs-check.sh HUTCH README [MANPAGE]: README describes every long option of `hutch run --help`
# and `hutch exec --help`, every capability of the default set and every system call of the
# seccomp filter (`hutch defaults`); and the other way round, every option in README's table of
# run's options is one that run has. An empty list (a binary that does not run) is a failure.
# With MANPAGE (docs/hutch.1, man(7) source): it names every long option of every command's
# --help (the commands of `hutch --help`, `hutch oci` included), written \-\-name or --name.
set -u
hutch=$1 readme=$2 man=${3:-}
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
# The man page: every command of `hutch --help` (the indented words of its Commands list).
man_missing="" man_opts=""
if [ -n "$man" ]; then
    cmds=$("$hutch" --help 2>/dev/null | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
    for cmd in $cmds; do
        case $cmd in help | version) continue ;; esac
        man_opts="$man_opts $("$hutch" "$cmd" --help 2>/dev/null | grep -o -- '--[a-z][a-z0-9-]*')"
    done
    # shellcheck disable=SC2086 # one option a word
    man_opts=$(printf '%s\n' $man_opts | sort -u)
    if [ "$(printf '%s\n' "$cmds" | grep -c .)" -lt 8 ] || [ "$(printf '%s\n' "$man_opts" | grep -c .)" -lt 30 ]; then
        echo "docs-check: $hutch did not list its commands and their options (does it run?)" >&2
        exit 1
    fi
    # The man source as text: \- is a minus; then each option followed by a non-name character.
    text=$(sed 's/\\-/-/g' "$man")
    for opt in $man_opts; do
        printf '%s\n' "$text" | grep -qE -- "$opt([^a-z0-9-]|\$)" || man_missing="$man_missing $opt"
    done
    for cmd in $cmds; do
        printf '%s\n' "$text" | grep -qE -- "^\.B[A-Z]* \"?(hutch )?$cmd([^a-z0-9-]|\$)" ||
            man_missing="$man_missing (command $cmd)"
    done
fi
if [ -n "$man_missing" ]; then
    echo "docs-check: $man does not describe:$man_missing" >&2
    [ -n "$missing$extra" ] || exit 1
fi
if [ -n "$missing$extra" ]; then
    [ -z "$missing" ] || echo "docs-check: README.md does not describe:$missing" >&2
    [ -z "$extra" ] || echo "docs-check: README.md's table has options hutch lacks:$extra" >&2
    exit 1
fi
echo "docs-check: README.md describes every option, default capability and filtered call, and no other option"
[ -z "$man" ] || echo "docs-check: $man names every command and every long option of their --help"
