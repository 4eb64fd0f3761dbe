#!/bin/sh
# The paths hutch takes on kernels before 5.12 (mount(2) onto the resolver's descriptors, the
# flags set mount by mount, and the in-root walk instead of openat2), taken here on purpose with
# HUTCH_OLD_KERNEL=1: the files that cover mounts, paths and devices run again that way. Their
# lines are shown as they come; the summary adds theirs up.
. "$(dirname "$0")/lib.sh"
dir=$(cd "$(dirname "$0")" && pwd)
for f in 10-namespaces 85-security 86-escapes 88-devices; do
    HUTCH_OLD_KERNEL=1 sh "$dir/$f.sh" >"$T/$f.log" 2>&1
    sed "s/^\(not \)\{0,1\}ok - /&[old kernels] $f: /" "$T/$f.log" | grep -v '^# [0-9a-z-]*: [0-9]* passed'
    line=$(grep "^# $f: [0-9]* passed, [0-9]* failed, [0-9]* skipped$" "$T/$f.log" | tail -n 1)
    if [ -z "$line" ]; then
        failed=$((failed + 1))
        echo "not ok - [old kernels] $f ended without a summary"
        continue
    fi
    set -- $(echo "$line" | sed 's/.*: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/')
    passed=$((passed + $1)) failed=$((failed + $2)) skipped=$((skipped + $3))
done
finish
