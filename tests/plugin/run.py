#!/usr/bin/env python3
# Offrec plugin tests — runs the real-parts scenarios, TAP output.
# SPDX-License-Identifier: GPL-2.0-or-later
"""Real parts: a private prosody, headless libpurple clients loading
offrec.so, and real Finch in tmux. After each scenario the server's stanza
log is audited for secrets that crossed in plaintext.

    run.py --client HEADLESS --plugin OFFREC_SO --artifacts DIR
           [--libotr-files HELPER] [--only NAME,...] [--list]

Artifacts (client transcripts, stanza logs, Finch screens) are kept in DIR,
one directory per scenario.
"""

import argparse
import os
import shutil
import sys
import time
import traceback

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Context, Fail, Skip  # noqa: E402
from prosody import Prosody, ProsodyError  # noqa: E402
import scenarios  # noqa: E402
import scenarios_pass  # noqa: E402
import finch  # noqa: E402

ACCOUNTS = {n: n + "-pw" for n in ("alice", "bob", "carol")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--client", required=True)
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--artifacts", required=True)
    ap.add_argument("--libotr-files")
    ap.add_argument("--only")
    ap.add_argument("--list", action="store_true")
    opts = ap.parse_args()
    opts.plugin = os.path.abspath(opts.plugin)
    opts.artifacts = os.path.abspath(opts.artifacts)

    todo = scenarios.SCENARIOS + scenarios_pass.SCENARIOS + finch.SCENARIOS
    if opts.only:
        names = opts.only.split(",")
        todo = [s for s in todo if s[0] in names]
    if opts.list:
        for name, _, _ in todo:
            print(name)
        return 0

    print("TAP version 13")
    if shutil.which("prosody") is None or shutil.which("prosodyctl") is None:
        print("1..0 # SKIP prosody is not installed (scripts/deps.sh plugin)")
        return 0
    print("1..%d" % len(todo))
    os.makedirs(opts.artifacts, exist_ok=True)
    srv = Prosody(ACCOUNTS)
    try:
        srv.start()
    except ProsodyError as e:
        for i, (name, _, _) in enumerate(todo, 1):
            print("not ok %d - %s # server did not start: %s" % (i, name, e))
        return 1
    print("# prosody on 127.0.0.1:%d, %s" % (srv.port, srv.dir))
    failed = 0
    have_plugin = os.path.isfile(opts.plugin)
    try:
        for i, (name, func, needs_plugin) in enumerate(todo, 1):
            t0 = time.monotonic()
            ctx = Context(opts, srv, name)
            status, why = "ok", ""
            try:
                if needs_plugin and not have_plugin:
                    raise Skip("offrec.so not built: %s" % opts.plugin)
                func(ctx)
                ctx.finish()
            except Skip as e:
                status, why = "ok", " # SKIP %s" % e
            except Fail as e:
                status, why = "not ok", ""
                detail = str(e)
            except Exception:  # a harness bug is a failure too
                status, why = "not ok", ""
                detail = traceback.format_exc()
            try:
                ctx.close()
            except Exception as e:  # noqa: BLE001
                ctx.note("close: %s" % e)
            print("%s %d - %s (%.1fs)%s" % (status, i, name,
                                           time.monotonic() - t0, why))
            if status == "not ok":
                failed += 1
                for line in detail.splitlines():
                    print("#   " + line)
                print("#   artifacts: %s" % ctx.dir)
            for n in ctx.notes:
                print("# note: " + n)
            sys.stdout.flush()
    finally:
        srv.stop(keep_dir=False)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
