#!/bin/sh
# Offrec — run every libFuzzer target for a bounded time over a copy of its
# seed corpus and print one TAP line per target.
# SPDX-License-Identifier: GPL-2.0-or-later
#
# usage: run-fuzzers.sh BUILDDIR SECONDS
# BUILDDIR was configured with -Dfuzz=true (see tests/fuzz/meson.build).
# Exit status 0 unless a target crashed (or found a leak, a timeout or an
# out-of-memory); crash inputs are kept under $FUZZ_ARTIFACTS (default: a
# fresh directory under /tmp, printed in the TAP output).
set -u

if [ $# -ne 2 ]; then
    echo "usage: $0 BUILDDIR SECONDS" >&2
    exit 2
fi
builddir=$1
seconds=$2
here=$(cd "$(dirname "$0")" && pwd)
fuzzdir=$builddir/tests/fuzz

case $seconds in
'' | *[!0-9]*)
    echo "$0: SECONDS must be a whole number" >&2
    exit 2
    ;;
esac
if [ ! -d "$fuzzdir" ]; then
    echo "$0: no $fuzzdir (configure with -Dfuzz=true)" >&2
    exit 2
fi

work=$(mktemp -d /tmp/offrec-fuzz.XXXXXX)
artifacts=${FUZZ_ARTIFACTS:-$work/artifacts}
mkdir -p "$artifacts"

targets=""
for exe in "$fuzzdir"/fuzz-*; do
    [ -f "$exe" ] && [ -x "$exe" ] || continue
    targets="$targets $(basename "$exe")"
done
count=$(echo $targets | wc -w)
if [ "$count" -eq 0 ]; then
    echo "$0: no fuzz targets in $fuzzdir (run ninja first)" >&2
    rm -rf "$work"
    exit 2
fi

# Make UBSan findings fatal even where the code was built to recover.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export ASAN_OPTIONS UBSAN_OPTIONS

echo "1..$count"
n=0
failed=0
for t in $targets; do
    n=$((n + 1))
    name=${t#fuzz-}
    corpus=$work/corpus-$name
    mkdir -p "$corpus"
    if [ -d "$here/corpus/$name" ]; then
        cp -R "$here/corpus/$name/." "$corpus/"
    fi
    log=$work/$t.log
    "$fuzzdir/$t" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 \
        -max_len=65536 -print_final_stats=1 \
        -artifact_prefix="$artifacts/$t-" "$corpus" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    units=$(find "$corpus" -type f | wc -l)
    if [ $rc -eq 0 ]; then
        echo "ok $n - $t # ${execs:-?} runs, corpus $units"
    else
        failed=1
        echo "not ok $n - $t # exit $rc, log $log, artifacts $artifacts"
        grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" |
            head -n 5 | sed 's/^/# /'
    fi
done

if [ $failed -eq 0 ]; then
    rm -rf "$work"
fi
exit $failed
