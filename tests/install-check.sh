#!/bin/sh
# install-check.sh HUTCH: `make install DESTDIR=$tmp PREFIX=/usr` lays out what a board's image
# gets (each path, its type and mode, the hutch-oci link, a binary that runs), `INIT=procd` with
# PREFIX=/usr/local installs no SysV script and points the scripts at that prefix, and the man
# page renders without a warning (man -l, groff -ww) and covers every command of `hutch --help`.
# Run from the top of the tree (make install-check). POSIX sh; prints "N passed, N failed".
set -u
hutch=${1:?usage: install-check.sh HUTCH}
make=${MAKE:-make}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hutch-install.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0 why=""

no() { why="$*"; return 1; }
t() {
    why=""
    if "$2"; then
        passed=$((passed + 1))
        echo "  ok    $1"
    else
        failed=$((failed + 1))
        echo "  FAIL  $1: $why"
    fi
}
# is PATH TYPE MODE: PATH exists as a regular file (f) or symlink (l) with MODE (f only).
is() {
    if [ "$2" = l ]; then
        [ -L "$1" ] || no "$1 is not a symlink"
        return
    fi
    if [ ! -f "$1" ] || [ -L "$1" ]; then
        no "$1 is not a regular file"
        return
    fi
    mode=$(stat -c %a "$1")
    [ "$mode" = "$3" ] || no "$1 has mode $mode, want $3"
}

# ---- PREFIX=/usr, the default INIT=sysv ----
d=$tmp/usr-root
if ! $make --no-print-directory install DESTDIR="$d" PREFIX=/usr >"$tmp/make.out" 2>&1; then
    cat "$tmp/make.out"
    echo "install-check: make install failed"
    echo "0 passed, 1 failed"
    exit 1
fi

layout() {
    is "$d/usr/bin/hutch" f 755 &&
        is "$d/usr/bin/hutch-oci" l &&
        is "$d/usr/bin/hutch-image" f 755 &&
        is "$d/usr/share/man/man1/hutch.1" f 644 &&
        is "$d/usr/share/man/man1/hutch-oci.1" l &&
        is "$d/etc/init.d/hutch" f 755 &&
        is "$d/usr/share/hutch/procd/hutch" f 755 &&
        is "$d/usr/share/hutch/examples/web.conf" f 644
}
nothing_else() {
    extra=$(cd "$d" && find . ! -type d | sort | grep -vxE '\./usr/bin/hutch(-oci|-image)?|\./usr/share/man/man1/hutch(-oci)?\.1|\./etc/init\.d/hutch|\./usr/share/hutch/(procd/hutch|examples/web\.conf)')
    [ -z "$extra" ] || no "unexpected files: $extra"
}
links() {
    [ "$(readlink "$d/usr/bin/hutch-oci")" = hutch ] || no "hutch-oci -> $(readlink "$d/usr/bin/hutch-oci")"
    [ "$(readlink "$d/usr/share/man/man1/hutch-oci.1")" = hutch.1 ] || no "hutch-oci.1 -> $(readlink "$d/usr/share/man/man1/hutch-oci.1")"
}
runs() {
    v=$("$d/usr/bin/hutch" --version 2>&1) || no "hutch --version failed: $v"
    case $v in hutch\ *) ;; *) no "hutch --version printed '$v'" ;; esac
    v=$("$d/usr/bin/hutch-oci" --version 2>&1) || no "hutch-oci --version failed: $v"
    case $v in hutch-oci\ *) ;; *) no "hutch-oci --version printed '$v'" ;; esac
    cmp -s "$d/usr/bin/hutch" "$hutch" || no "the installed binary is not $hutch"
}
scripts() {
    # With PREFIX=/usr the scripts are the tree's, byte for byte; they parse.
    cmp -s "$d/etc/init.d/hutch" board/init.d/hutch || no "etc/init.d/hutch differs from board/init.d/hutch"
    cmp -s "$d/usr/share/hutch/procd/hutch" board/procd/hutch || no "procd/hutch differs from board/procd/hutch"
    cmp -s "$d/usr/share/hutch/examples/web.conf" board/hutch-web.conf || no "web.conf differs"
    sh -n "$d/etc/init.d/hutch" || no "etc/init.d/hutch does not parse"
}
t "make install PREFIX=/usr: every file, its type and mode" layout
t "make install PREFIX=/usr: nothing else" nothing_else
t "hutch-oci -> hutch, hutch-oci.1 -> hutch.1" links
t "the installed hutch and hutch-oci run --version" runs
t "the init scripts and example config, as in board/" scripts

# ---- PREFIX=/usr/local INIT=procd: no SysV script; the procd one points at /usr/local ----
d2=$tmp/local-root
procd() {
    $make --no-print-directory install DESTDIR="$d2" PREFIX=/usr/local INIT=procd >"$tmp/make2.out" 2>&1 ||
        no "make install INIT=procd failed: $(tail -n 3 "$tmp/make2.out")"
    [ ! -e "$d2/etc/init.d/hutch" ] || no "INIT=procd installed etc/init.d/hutch"
    is "$d2/usr/local/bin/hutch" f 755 || return
    grep -qx 'HUTCH=/usr/local/bin/hutch' "$d2/usr/local/share/hutch/procd/hutch" ||
        no "the procd script does not run /usr/local/bin/hutch"
}
sysv_local() {
    $make --no-print-directory install DESTDIR="$d2" PREFIX=/usr/local >"$tmp/make3.out" 2>&1 ||
        no "make install PREFIX=/usr/local failed"
    # shellcheck disable=SC2016 # the script's own text
    grep -q 'HUTCH=${HUTCH:-/usr/local/bin/hutch}' "$d2/etc/init.d/hutch" ||
        no "etc/init.d/hutch does not run /usr/local/bin/hutch"
}
bad_init() {
    ! $make --no-print-directory install DESTDIR="$d2" INIT=systemd >/dev/null 2>&1 || no "INIT=systemd was accepted"
}
t "INIT=procd PREFIX=/usr/local: no SysV script, procd script runs /usr/local/bin/hutch" procd
t "PREFIX=/usr/local: the SysV script runs /usr/local/bin/hutch" sysv_local
t "INIT=systemd is refused" bad_init

# ---- the man page ----
page=$d/usr/share/man/man1/hutch.1
renders() {
    out=$(MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -l "$page" 2>"$tmp/man.err") || no "man -l failed: $(cat "$tmp/man.err")"
    [ ! -s "$tmp/man.err" ] || no "man --warnings: $(head -n 5 "$tmp/man.err")"
    [ "$(printf '%s\n' "$out" | wc -l)" -gt 200 ] || no "the page has $(printf '%s\n' "$out" | wc -l) lines"
    wide=$(printf '%s\n' "$out" | awk 'length > 80' | head -n 3)
    [ -z "$wide" ] || no "lines wider than 80 columns: $wide"
    printf '%s\n' "$out" >"$tmp/man.txt"
}
groff_clean() {
    groff -ww -man -Tutf8 -z "$page" 2>"$tmp/groff.err" || no "groff failed"
    [ ! -s "$tmp/groff.err" ] || no "groff -ww: $(head -n 5 "$tmp/groff.err")"
}
sections() {
    for s in NAME SYNOPSIS DESCRIPTION COMMANDS "RUN OPTIONS" "OCI MODE" "EXIT STATUS" ENVIRONMENT FILES EXAMPLES "SEE ALSO"; do
        grep -qx "$s" "$tmp/man.txt" || no "no section $s"
    done
}
commands() {
    cmds=$("$hutch" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
    [ "$(printf '%s\n' "$cmds" | grep -c .)" -ge 8 ] || no "hutch --help listed: $cmds"
    for c in $cmds; do
        # in the synopsis and as an entry of COMMANDS (a line of its own, indented 7)
        grep -q "^       hutch $c\\b" "$tmp/man.txt" || no "the synopsis lacks hutch $c"
        grep -qE "^       $c( |\$)" "$tmp/man.txt" || no "COMMANDS lacks $c"
    done
    grep -q '^       hutch-oci ' "$tmp/man.txt" || no "the synopsis lacks hutch-oci"
    for code in 125 126 127; do
        grep -qE "^       $code " "$tmp/man.txt" || no "EXIT STATUS lacks $code"
    done
}
t "man --warnings -l renders hutch.1 (MANWIDTH=80) with no warning" renders
t "groff -ww -man renders hutch.1 with no warning" groff_clean
t "the page has every section" sections
t "the page covers every command of hutch --help, hutch-oci, exit codes" commands

echo "install-check: $passed passed, $failed failed"
[ "$failed" = 0 ]
