#!/usr/bin/env python3
# Offrec i18n test — po/POTFILES lists every source file with marked strings.
# SPDX-License-Identifier: GPL-2.0-or-later
"""TAP. Scans plugin/, finch-ui/ and gtk-ui/ for C sources and headers that
call _(), N_(), C_() or NC_(); each must be listed in po/POTFILES (else its
strings never reach the catalogs). Every POTFILES entry must exist and
still contain marked strings, and no entry may be listed twice.

    potfiles.py SOURCE_ROOT
"""

import os
import re
import sys

DIRS = ("plugin", "finch-ui", "gtk-ui")
MARK = re.compile(r"(?<![A-Za-z0-9_])(?:N|C|NC)?_\(")


def marked(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return MARK.search(f.read()) is not None


def read_potfiles(root):
    entries = []
    with open(os.path.join(root, "po", "POTFILES"), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                entries.append(line)
    return entries


def sources(root):
    found = []
    for top in DIRS:
        for dirpath, dirnames, files in os.walk(os.path.join(root, top)):
            dirnames.sort()
            for name in sorted(files):
                if name.endswith((".c", ".h")):
                    path = os.path.join(dirpath, name)
                    found.append(os.path.relpath(path, root))
    return found


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    root = argv[1]
    entries = read_potfiles(root)
    listed = set(entries)
    checks = []
    for rel in sources(root):
        if marked(os.path.join(root, rel)):
            checks.append(("%s is in po/POTFILES" % rel, rel in listed,
                           "add the line %s to po/POTFILES" % rel))
    for rel in entries:
        path = os.path.join(root, rel)
        if not os.path.isfile(path):
            checks.append(("POTFILES entry %s exists" % rel, False,
                           "remove it from po/POTFILES"))
        elif not marked(path):
            checks.append(("POTFILES entry %s has marked strings" % rel,
                           False, "no _() left in it; remove the entry"))
    dups = sorted({e for e in entries if entries.count(e) > 1})
    checks.append(("no POTFILES entry listed twice", not dups,
                   "duplicates: " + " ".join(dups)))
    print("TAP version 13")
    print("1..%d" % len(checks))
    failed = 0
    for i, (name, ok, hint) in enumerate(checks, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok:
            failed += 1
            print("#   " + hint)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
