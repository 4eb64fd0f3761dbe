#!/bin/sh
# run.sh [TEST.sh...]: run the end-to-end tests (all of tests/e2e/[0-9]*.sh by default) and
# print a total. Needs HUTCH and IMAGES; runs as root. POSIX sh: the QEMU guest runs it too.
dir=$(cd "$(dirname "$0")" && pwd)
[ $# -gt 0 ] || set -- "$dir"/[0-9]*.sh
passed=0 failed=0 skipped=0 status=0
add() { passed=$((passed + $1)) failed=$((failed + $2)) skipped=$((skipped + $3)); }
for test in "$@"; do
    echo "# ---- $(basename "$test")"
    began=$(cut -d' ' -f1 /proc/uptime)
    sh "$test" >"${TMPDIR:-/tmp}/hutch-e2e.log" 2>&1 || status=1
    cat "${TMPDIR:-/tmp}/hutch-e2e.log"
    echo "# $(basename "$test" .sh) took $(awk -v a="$began" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.1f", b - a }') s"
    line=$(grep '^# .*: [0-9]* passed, [0-9]* failed, [0-9]* skipped$' "${TMPDIR:-/tmp}/hutch-e2e.log" | tail -n 1)
    if [ -z "$line" ]; then
        echo "not ok - $(basename "$test") ended without a summary"
        failed=$((failed + 1))
        status=1
        continue
    fi
    add $(echo "$line" | sed 's/.*: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/')
done
rm -f "${TMPDIR:-/tmp}/hutch-e2e.log"
echo "end-to-end tests: $passed passed, $failed failed, $skipped skipped"
exit $status
