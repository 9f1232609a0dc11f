#!/usr/bin/env python3
# Offrec — counts individual test cases from meson's testlog.json files (TAP
# output of each test binary) and plain TAP files, and prints the closing
# line "N passed, N failed". Exit status 1 when anything failed.
# SPDX-License-Identifier: GPL-2.0-or-later
import json
import re
import sys

TAP_LINE = re.compile(r'^(not ok|ok)\b(.*)$')


def count_tap(text):
    passed = failed = skipped = 0
    for line in text.splitlines():
        m = TAP_LINE.match(line.strip())
        if not m:
            continue
        rest = m.group(2)
        if '# SKIP' in rest.upper():
            skipped += 1
        elif m.group(1) == 'ok' or '# TODO' in rest.upper():
            passed += 1
        else:
            failed += 1
    return passed, failed, skipped


def main():
    failed_steps = int(sys.argv[1])
    passed = failed = skipped = 0
    for spec in sys.argv[2:]:
        path, _, label = spec.rpartition(':')
        try:
            with open(path, encoding='utf-8', errors='replace') as f:
                data = f.read()
        except OSError:
            print(f'{label}: no results ({path} missing)')
            failed += 1
            continue
        if path.endswith('.json'):
            for line in data.splitlines():
                if not line.strip():
                    continue
                t = json.loads(line)
                p, fl, s = count_tap(t.get('stdout') or '')
                ok = t.get('result') in ('OK', 'EXPECTEDFAIL', 'SKIP')
                if p + fl + s == 0:
                    # not TAP, or it died before printing: the test counts once
                    p, fl = (1, 0) if ok else (0, 1)
                elif not ok and fl == 0:
                    fl = 1  # crashed or timed out after its last TAP line
                print(f'{label}: {t.get("name")}: {p} passed, {fl} failed'
                      + (f', {s} skipped' if s else ''))
                passed += p
                failed += fl
                skipped += s
        else:
            p, fl, s = count_tap(data)
            print(f'{label}: {p} passed, {fl} failed')
            passed += p
            failed += fl
            skipped += s
    failed += failed_steps
    if failed_steps:
        print(f'{failed_steps} build step(s) failed')
    line = f'{passed} passed, {failed} failed'
    if skipped:
        line += f', {skipped} skipped'
    print(line)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
