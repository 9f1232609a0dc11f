#!/usr/bin/env python3
# Offrec UI tests — runs one program under a private Xvfb (TAP passes through).
# SPDX-License-Identifier: GPL-2.0-or-later
"""xvfb_run.py [--icons DIR] [--shot PNG] -- PROGRAM ARGS...

Used for the GTK 3 build of the dialogs: no window manager, no session
bus; the program's exit status is ours."""

import argparse
import os
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from xvfb import Xvfb, XvfbError  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--icons")
    ap.add_argument("cmd", nargs="+")
    opts = ap.parse_args()
    x = Xvfb()
    try:
        x.start()
    except XvfbError as e:
        print("1..0 # SKIP %s" % e)
        return 0
    env = x.env()
    env["NO_AT_BRIDGE"] = "1"
    env["GDK_BACKEND"] = "x11"
    if opts.icons:
        env["OFFREC_GTK_ICON_DIR"] = opts.icons
    try:
        return subprocess.run(opts.cmd, env=env, timeout=50).returncode
    finally:
        x.stop()


if __name__ == "__main__":
    sys.exit(main())
