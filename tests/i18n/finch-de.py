#!/usr/bin/env python3
# Offrec i18n test — real Finch with LANGUAGE=de shows Offrec's German texts.
# SPDX-License-Identifier: GPL-2.0-or-later
"""TAP. A private prosody; real Finch (alice) in tmux with LANG=C.UTF-8
LANGUAGE=de, offrec.so preloaded (and offrec-gnt.so when given) and the
"offrec" domain bound to the build's catalogs through OFFREC_LOCALEDIR;
the headless client of tests/plugin (bob) with offrec.so writes first, so
Finch opens the conversation. Then each step looks for German text of
ours on the screen: the OTR status line and menu (offrec-gnt.so), the
core's line when the conversation turns private, /otr help, /otr status,
and no English text of ours anywhere on the screen.

    finch-de.py --plugin OFFREC_SO [--gnt OFFREC_GNT_SO]
                --localedir BUILD/po --plugin-tests DIR --artifacts DIR
"""

import argparse
import os
import re
import shutil
import sys
import time
import traceback

sys.dont_write_bytecode = True  # keep the source tree clean


def parse():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--gnt")
    ap.add_argument("--localedir", required=True)
    ap.add_argument("--plugin-tests", required=True)
    ap.add_argument("--artifacts", required=True)
    ap.add_argument("--client",
                    help="headless client (default: next to offrec.so's "
                         "build dir, tests/plugin/headless-client)")
    opts = ap.parse_args()
    for k in ("plugin", "gnt", "localedir", "plugin_tests", "artifacts",
              "client"):
        if getattr(opts, k):
            setattr(opts, k, os.path.abspath(getattr(opts, k)))
    if not opts.client:
        build = os.path.dirname(os.path.dirname(opts.plugin))
        opts.client = os.path.join(build, "tests", "plugin",
                                   "headless-client")
    return opts


OPTS = parse()
sys.path.insert(0, OPTS.plugin_tests)
from harness import Context, Fail, Skip  # noqa: E402
from prosody import Prosody, ProsodyError  # noqa: E402
from finch import Tmux, write_profile  # noqa: E402

TARGET = "finch:0.0"
RIGHT = "\x1bOC"
BOB = "bob@localhost"
# English texts of ours that must not appear once German is active.
ENGLISH = ("Not private", "Unverified conversation", "Private conversation",
           "Attempting to start", "Usage: /otr", "OTR status with",
           "Authenticate buddy", "Start private conversation")


def flat(screen):
    rows = (re.sub(r"[\u2500-\u259f]", " ", r).strip()
            for r in screen.splitlines())
    return re.sub(r" +", " ", " ".join(rows))


class Run:
    def __init__(self, ctx):
        self.ctx = ctx
        self.tmux = Tmux(os.path.join(ctx.dir, "tmux.sock"))
        self.bob = None
        self.shots = 0
        self.conf = os.path.join(ctx.dir, "finch-alice")

    def shot(self, label):
        screen = self.tmux.capture(TARGET)
        self.shots += 1
        with open(os.path.join(self.ctx.dir, "screen-%02d-%s.txt" %
                               (self.shots, label)), "w") as f:
            f.write(screen)
        return screen

    def wait(self, regex, timeout=20.0):
        return self.tmux.wait_screen(TARGET, regex, timeout)

    def say(self, text):
        self.tmux.text(TARGET, text)
        self.tmux.keys(TARGET, "Enter")


def write_prefs(conf, plugins):
    """prefs.xml with every given plugin in /finch/plugins/loaded."""
    from xml.sax.saxutils import quoteattr
    items = "\n".join("        <item value=%s/>" % quoteattr(p)
                      for p in plugins)
    with open(os.path.join(conf, "prefs.xml"), "w") as f:
        f.write("""<?xml version='1.0' encoding='UTF-8' ?>
<pref version='1' name='/'>
  <pref name='finch'>
    <pref name='plugins'>
      <pref name='loaded' type='pathlist'>
%s
      </pref>
    </pref>
    <pref name='sound'>
      <pref name='method' type='string' value='nosound'/>
    </pref>
  </pref>
</pref>
""" % items)


def step_start(r):
    """Finch starts in German with Offrec's plugins; alice is online."""
    ctx = r.ctx
    r.bob = ctx.client("bob")
    r.bob.start()
    home = os.path.join(ctx.dir, "home")
    os.makedirs(home, exist_ok=True)
    write_profile(r.conf, ctx.server.jid("alice") + "/finch", "alice-pw",
                  ctx.server.port, OPTS.plugin)
    # Both modules go into the profile's plugins/ (where a user installs
    # them), so Finch probes them, running their init functions, before it
    # loads the saved ones: the core's load then binds the "offrec" domain
    # to OFFREC_LOCALEDIR last. (A module probed after that, from a path
    # outside the search dirs, would rebind it to the installed LOCALEDIR.)
    pdir = os.path.join(r.conf, "plugins")
    os.makedirs(pdir, exist_ok=True)
    plugins = []
    for so in [OPTS.plugin] + ([OPTS.gnt] if OPTS.gnt else []):
        plugins.append(os.path.join(pdir, os.path.basename(so)))
        shutil.copy(so, plugins[-1])
    write_prefs(r.conf, plugins)
    env = ("env HOME=%s LANG=C.UTF-8 LC_ALL= LANGUAGE=de "
           "OFFREC_LOCALEDIR=%s TERM=screen-256color" %
           (home, OPTS.localedir))
    r.tmux.run("new-session", "-d", "-s", "finch", "-x", "160", "-y", "50",
               "%s finch -c %s 2>%s/finch.err" % (env, r.conf, ctx.dir))
    m = r.bob.mark()
    r.bob.wait(lambda e: e["event"] == "buddy-on" and
               e["who"] == ctx.server.jid("alice"), m, timeout=30,
               what="finch online")
    r.shot("started")


def step_conversation(r):
    """bob writes; Finch opens the conversation (status line in German
    with offrec-gnt.so)."""
    r.bob.type(r.ctx.server.jid("alice"), "Hallo Alice")
    r.wait(r"\(alice@localhost/finch -- XMPP\)", 20)
    # The new window may open behind the buddy list: raise and focus it
    # through the window list (it is the last window).
    r.tmux.keys(TARGET, "M-w")
    r.tmux.keys(TARGET, "End")
    r.tmux.keys(TARGET, "Enter")
    r.wait(r"Hallo Alice", 20)
    if OPTS.gnt:
        r.wait(r"OTR: (Nicht privat|Nicht verifiziert|Privat)", 20)
    r.shot("conversation")


def step_private(r):
    """/otr start: the core's German lines, status "Nicht verifiziert"."""
    r.say("/otr start")
    r.wait(r"Nicht verifizierte Unterhaltung mit %s( begonnen|"
           r" wurde erfolgreich aufgefrischt)" % re.escape(BOB), 30)
    if OPTS.gnt:
        r.wait(r"OTR: Nicht verifiziert", 10)
    r.shot("private")


def step_help(r):
    """/otr help prints the German usage."""
    r.say("/otr help")
    r.wait(r"Aufruf: /otr start\|end\|status\|auth GEHEIMNIS", 10)
    r.shot("help")


def step_status(r):
    """/otr status: German status lines."""
    r.say("/otr status")
    r.wait(r"OTR-Status mit %s: .*Richtlinie: .*Ihr Fingerabdruck: " %
           re.escape(BOB), 10)
    r.shot("status")


def step_menu(r):
    """The OTR menu of the conversation window is German."""
    if not OPTS.gnt:
        raise Skip("offrec-gnt.so not built")
    r.tmux.keys(TARGET, "C-o")
    for _ in range(4):
        if "Buddy authentifizieren..." in flat(r.tmux.capture(TARGET)):
            break
        r.tmux.run("send-keys", "-t", TARGET, "-l", RIGHT)
        time.sleep(0.25)
    screen = r.wait(r"Buddy authentifizieren\.\.\.", 5)
    r.shot("otr-menu")
    for item in ("Private Unterhaltung auffrischen",
                 "Private Unterhaltung beenden", "Fingerabdrücke anzeigen",
                 "Was ist das?"):
        if item not in flat(screen):
            raise Fail("OTR menu lacks %r:\n%s" % (item, screen))
    r.tmux.keys(TARGET, "Escape")
    r.tmux.keys(TARGET, "Escape")


def step_no_english(r):
    """None of Offrec's English texts is left on the screen."""
    screen = flat(r.shot("final"))
    left = [t for t in ENGLISH if t in screen]
    if left:
        raise Fail("English text on a German screen: %s\n%s" %
                   (left, r.tmux.capture(TARGET)))


STEPS = [
    ("Finch starts with LANGUAGE=de and Offrec loaded", step_start),
    ("conversation window opens", step_conversation),
    ("/otr start: German conversation lines", step_private),
    ("/otr help: German usage", step_help),
    ("/otr status: German status", step_status),
    ("OTR menu in German", step_menu),
    ("no English Offrec text on screen", step_no_english),
]


def main():
    print("TAP version 13")
    print("1..%d" % len(STEPS))
    why = None
    for tool in ("finch", "tmux", "prosody"):
        if shutil.which(tool) is None:
            why = "%s not installed" % tool
    if not why and not os.path.isfile(OPTS.client):
        why = "headless client not built (needs json-glib)"
    if not why and not os.path.isfile(
            os.path.join(OPTS.localedir, "de", "LC_MESSAGES", "offrec.mo")):
        why = "no German catalog in %s" % OPTS.localedir
    for path in [OPTS.plugin] + ([OPTS.gnt] if OPTS.gnt else []):
        with open(path, "rb") as f:
            if not why and b"libasan.so" in f.read():
                why = "built with ASan; Finch cannot load it"
    if why:
        for i, (name, _) in enumerate(STEPS, 1):
            print("ok %d - %s # SKIP %s" % (i, name, why))
        return 0
    os.makedirs(OPTS.artifacts, exist_ok=True)
    srv = Prosody({n: n + "-pw" for n in ("alice", "bob")})
    try:
        srv.start()
    except ProsodyError as e:
        for i, (name, _) in enumerate(STEPS, 1):
            print("not ok %d - %s # server did not start: %s" % (i, name, e))
        return 1
    ctx = Context(OPTS, srv, "finch-de")
    r = Run(ctx)
    failed = 0
    broken = None
    try:
        for i, (name, func) in enumerate(STEPS, 1):
            if broken:
                print("not ok %d - %s # not run: step %d failed" %
                      (i, name, broken))
                failed += 1
                continue
            try:
                func(r)
                print("ok %d - %s" % (i, name))
            except Skip as e:
                print("ok %d - %s # SKIP %s" % (i, name, e))
            except Exception as e:  # noqa: BLE001
                failed += 1
                broken = i
                detail = str(e) if isinstance(e, Fail) else \
                    traceback.format_exc()
                print("not ok %d - %s" % (i, name))
                for line in detail.splitlines():
                    print("#   " + line)
            sys.stdout.flush()
    finally:
        try:
            r.tmux.keys(TARGET, "M-q")
        except Exception:  # noqa: BLE001
            pass
        r.tmux.kill()
        ctx.close()
        srv.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
