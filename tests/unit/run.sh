#!/bin/sh
# Run each unit-test binary given; print each one's summary and a total.
passed=0 failed=0 status=0
for t in "$@"; do
    out=$("$t") || status=1
    echo "$out"
    p=$(echo "$out" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
    f=$(echo "$out" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-1}))
done
echo "unit tests: $passed passed, $failed failed"
exit $status
