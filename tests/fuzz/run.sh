#!/bin/sh
# run.sh SECONDS HARNESS...: run each libFuzzer harness (build/fuzz/fuzz_NAME) for SECONDS, one
# after another, on build/fuzz/corpus-NAME (the seeds of tests/fuzz/corpus/NAME and of
# tests/fuzz/seeds.sh copied there first; what the run finds stays there, never in the repo).
# One line per harness; a crash, leak, UB report or timeout fails it, its input saved as
# build/fuzz/artifacts/NAME-crash-... and the end of its log printed. Ends with
# "fuzz: N passed, N failed"; exit status 1 when any failed.
set -u
secs=$1
shift
here=$(dirname "$0")
out=build/fuzz
mkdir -p "$out/artifacts"
passed=0 failed=0
for bin in "$@"; do
    name=${bin##*/fuzz_}
    corpus=$out/corpus-$name
    log=$out/$name.log
    mkdir -p "$corpus"
    if [ -d "$here/corpus/$name" ]; then
        cp "$here/corpus/$name"/* "$corpus"/ 2>/dev/null
    fi
    "$here/seeds.sh" "$name" "$corpus"
    before=$(ls "$corpus" | wc -l)
    rm -f "$out/artifacts/$name"-*
    # A private TMPDIR (the state harness keeps its state directory there), emptied after.
    tmp=$(pwd)/$out/tmp-$name
    rm -rf "$tmp" && mkdir -p "$tmp"
    start=$(date +%s)
    TMPDIR=$tmp "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$out/artifacts/$name-" "$corpus" >"$log" 2>&1
    rc=$?
    end=$(date +%s)
    rm -rf "$tmp"
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    after=$(ls "$corpus" | wc -l)
    crashes=$(ls "$out/artifacts" 2>/dev/null | grep -c "^$name-" || true)
    reports=$(grep -c -E '^(==[0-9]+==ERROR|SUMMARY: (Address|Leak|UndefinedBehavior)Sanitizer)|runtime error:' "$log" || true)
    if [ "$rc" -eq 0 ] && [ "$crashes" -eq 0 ] && [ "$reports" -eq 0 ] && [ -n "$execs" ]; then
        status=ok
        passed=$((passed + 1))
    else
        status=FAILED
        failed=$((failed + 1))
    fi
    printf 'fuzz %-8s %s: %s executions in %s s, corpus %s (%s new), %s crashes\n' "$name" "$status" \
        "${execs:-?}" $((end - start)) "$after" $((after - before)) "$crashes"
    if [ "$status" = FAILED ]; then
        grep -m 20 -E 'ERROR|runtime error|SUMMARY|^    #[0-9]' "$log" | sed 's/^/    /'
        echo "    (exit $rc; log $log; inputs $out/artifacts/$name-*)"
    fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
