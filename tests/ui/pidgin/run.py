#!/usr/bin/env python3
# Offrec UI tests — the real-Pidgin walk (TAP).
# SPDX-License-Identifier: GPL-2.0-or-later
"""Real Pidgin 2.14 under a private Xvfb, logged into a private prosody as
alice, loads offrec.so + offrec-gtk.so and talks to bob, the headless
libpurple client of tests/plugin with offrec.so. Driven with xdotool;
checked by what the widgets say (the front-end's "offrec-gtk:" debug
trace: button label, menu items, wizard status, Known fingerprints rows),
by bob's transcript and by the server's stanza log. A screenshot of every
step is kept in --artifacts.

    run.py --client HEADLESS --plugin OFFREC_SO --gtk-plugin OFFREC_GTK_SO
           --icons DIR --artifacts DIR
"""

import argparse
import os
import shutil
import sys
import time
import traceback
import types

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "plugin"))
from harness import Context, Fail, audit  # noqa: E402
from prosody import Prosody, ProsodyError  # noqa: E402
from scenarios import (PEER_ENDED_LINE, UNVERIFIED_LINE,  # noqa: E402
                       wait_private)
from pidgin import Pidgin, PidginError  # noqa: E402
from xvfb import Xvfb, XvfbError  # noqa: E402

BUDDY = "bob@localhost"
CORE_POLICY = "/plugins/core/core-offrec/policy"


class Walk:
    def __init__(self, opts):
        self.opts = opts
        self.n = 0
        self.failed = 0
        self.shots = os.path.join(opts.artifacts, "screenshots")
        self.steps = []

    def shot(self, name):
        path = os.path.join(self.shots, "%02d-%s.png" % (self.n, name))
        if not self.x.screenshot(path):
            print("# screenshot %s failed" % name)

    def step(self, name, fn):
        """One TAP line; a failed step fails the rest (they build on it)."""
        self.n += 1
        if self.failed:
            print("not ok %d - %s # skipped after an earlier failure" %
                  (self.n, name))
            return
        t0 = time.monotonic()
        try:
            fn()
            print("ok %d - %s (%.1fs)" % (self.n, name, time.monotonic() - t0))
        except (Fail, PidginError, AssertionError) as e:
            self.failed += 1
            print("not ok %d - %s" % (self.n, name))
            for line in str(e).splitlines():
                print("#   " + line)
        except Exception:  # a harness bug is a failure too
            self.failed += 1
            print("not ok %d - %s" % (self.n, name))
            for line in traceback.format_exc().splitlines():
                print("#   " + line)
        try:
            self.shot(name)
        except Exception as e:  # noqa: BLE001
            print("# screenshot: %s" % e)
        sys.stdout.flush()

    # -- helpers ---------------------------------------------------------
    def conv_window(self):
        return self.p.window("^bob$")

    def click_button(self):
        """Clicks the centre of the OTR button (geometry from the trace)."""
        g = self.p.traces(r"button %s: geometry (\d+) (\d+) (\d+) (\d+)" %
                          BUDDY)
        if not g:
            raise Fail("no geometry traced for the OTR button")
        x, y, w, h = (int(v) for v in g[-1].groups())
        wid = self.conv_window()
        m = self.p.mark()
        self.p.click(wid, x + w // 2, y + h // 2)
        return self.p.trace(r"menu %s: (.*)$" % BUDDY, m).group(1)

    def menu_pick(self, items, label):
        """After click_button: moves to label with Down and activates it."""
        names = [i.strip() for i in items.split("|")]
        idx = [n.split(" (off)")[0] for n in names].index(label)
        if names[idx].endswith("(off)"):
            raise Fail("menu item %r is insensitive: %s" % (label, items))
        for _ in range(idx):
            self.p.xdo("key", "Down")
            time.sleep(0.1)
        self.p.xdo("key", "Return")

    def button_is(self, label, since=0, timeout=30):
        self.p.trace(r"button %s: %s$" % (BUDDY, label), since, timeout)

    # -- the steps -------------------------------------------------------
    def s_start(self):
        self.srv = Prosody({"alice": "alice-pw", "bob": "bob-pw"}).start()
        opts = types.SimpleNamespace(client=self.opts.client,
                                     plugin=self.opts.plugin,
                                     artifacts=self.opts.artifacts)
        self.ctx = Context(opts, self.srv, "pidgin-walk")
        self.bob = self.ctx.client("bob").start()
        # bob only speaks OTR when asked: alice starts it from the button.
        self.bob.op(op="pref", path=CORE_POLICY, value="manual")
        self.p = Pidgin(self.x, os.path.join(self.ctx.dir, "alice-pidgin"),
                        "alice@localhost/pidgin", "alice-pw", self.srv.port,
                        [self.opts.plugin, self.opts.gtk_plugin],
                        extra_env={"OFFREC_GTK_ICON_DIR": self.opts.icons})
        self.p.start()
        m = self.bob.mark()
        alice = types.SimpleNamespace(jid="alice@localhost")
        self.bob.wait_online(alice, m)
        self.p.window("^Buddy List$")

    def s_enable(self):
        p = self.p
        p.key(p.window("^Buddy List$"), "ctrl+u")
        self.plugins = p.window("^Plugins$")
        time.sleep(0.5)
        m = p.mark()
        p.type(self.plugins, "Off-the-Record Messaging")
        time.sleep(0.5)
        p.key(self.plugins, "Escape")
        # Sorted by name, the core plugin ("... (Offrec)") comes first and
        # ours right after it; enabling ours loads the core (dependency).
        for _ in range(2):
            p.key(self.plugins, "space")
            time.sleep(1.0)
            if p.traces(r"loaded \(API version", m):
                break
            if p.traces(r"", m) == [] and not p.traces("unloaded", m):
                p.key(self.plugins, "space")  # undo a wrong toggle
            p.key(self.plugins, "Down")
        p.trace(r"loaded \(API version \d+\)", m, 10)
        p.wait(r"offrec: loaded", 0, 5)

    def s_configure(self):
        p = self.p
        m = p.mark()
        p.key(self.plugins, "Tab", "Tab", "space")
        p.trace(r"settings: notebook created", m, 10)
        time.sleep(0.5)
        self.shot("configure-plugin")
        wid = p.window("^Off-the-Record Messaging$")
        p.key(wid, "Escape")
        if not p.no_window("^Off-the-Record Messaging$", 5):
            raise Fail("the settings dialog did not close")

    def s_conversation(self):
        m = self.p.mark()
        self.bob.type("alice@localhost", "hello alice, bob here")
        self.button_is("Not private", m)
        self.p.trace(r"button %s: geometry" % BUDDY, m)
        time.sleep(0.5)

    def s_start_otr(self):
        mb, m = self.bob.mark(), self.p.mark()
        items = self.click_button()
        time.sleep(0.3)
        self.shot("otr-menu")
        self.menu_pick(items, "_Start private conversation")
        # First use: alice's key is generated in the background.
        self.button_is("Unverified", m, 90)
        wait_private(self.bob, mb, UNVERIFIED_LINE)
        if self.p.traces(r"keygen .*: Your new private key is ready", m):
            self.shot("keygen-done")
            wid = self.p.window("^Generating private key$", 5)
            self.p.key(wid, "Return")

    def s_exchange(self):
        text = self.ctx.secret("pidgin says hello 4711 privately")
        m = self.bob.mark()
        wid = self.conv_window()
        self.p.type(wid, text)
        self.p.key(wid, "Return")
        got = self.bob.wait_received(text, m)
        if not got.get("nolog"):
            raise Fail("bob's copy is not marked NO_LOG: %r" % got)
        reply = self.ctx.secret("bob answers privately 0815")
        self.bob.type("alice@localhost", reply)
        time.sleep(1.5)

    def s_authenticate(self):
        p = self.p
        m, mb = p.mark(), self.bob.mark()
        items = self.click_button()
        self.menu_pick(items, "_Authenticate buddy")
        p.trace(r"auth %s: opened as asker" % BUDDY, m)
        wid = p.window("^Authenticate %s$" % BUDDY)
        question = "Name of our first cat?"
        answer = self.ctx.secret("Mister Whiskers 77", "SMP answer")
        p.type(wid, question)
        p.key(wid, "Tab")
        p.type(wid, answer)
        time.sleep(0.3)
        self.shot("wizard-filled")
        p.key(wid, "Return")
        p.trace(r"auth %s: status: Waiting for your buddy" % BUDDY, m)
        req = self.bob.wait_request(mb)
        if question not in str(req):
            raise Fail("bob was not shown the question: %r" % req)
        self.bob.op(op="answer", id=req["id"], text=answer)
        p.trace(r"auth %s: status: Authentication successful" % BUDDY, m, 60)
        self.button_is("Private", m)
        time.sleep(0.5)

    def s_known_fingerprints(self):
        p = self.p
        p.key(p.window("^Authenticate %s$" % BUDDY), "Escape")
        if not p.no_window("^Authenticate %s$" % BUDDY, 5):
            raise Fail("the wizard did not close")
        m = p.mark()
        # The focus is still on Configure Plugin, from step 3.
        p.key(self.plugins, "space")
        p.trace(r"settings: notebook created", m, 10)
        row = p.trace(r"fprlist row: buddy=%s state=(\S+) verified=(\S+) "
                      r"fingerprint=([0-9A-F ]{44}) account=(\S+)" % BUDDY, m)
        if row.group(1) != "Private" or row.group(2) != "Yes":
            raise Fail("Known fingerprints row: %s" % row.group(0))
        if not row.group(4).startswith("alice@localhost"):
            raise Fail("wrong account in the row: %s" % row.group(0))
        wid = p.window("^Off-the-Record Messaging$")
        # Show the Known fingerprints tab for the screenshot.
        p.focus(wid)
        p.key(wid, "ctrl+Page_Down", "ctrl+Page_Down")
        time.sleep(0.5)
        self.shot("known-fingerprints")
        p.key(wid, "Escape")

    def s_end(self):
        m, mb = self.p.mark(), self.bob.mark()
        items = self.click_button()
        self.menu_pick(items, "_End private conversation")
        self.button_is("Not private", m)
        self.bob.wait_line(PEER_ENDED_LINE, mb)

    def s_unload(self):
        p = self.p
        m = p.mark()
        p.key(self.plugins, "shift+Tab", "shift+Tab")  # back to the list
        p.key(self.plugins, "space")
        p.trace(r"unloaded", m, 10)
        p.trace(r"button removed", m, 5)

    def s_audit(self):
        n = audit(self.ctx)
        print("# wire audit: %d stanzas, no secret in plaintext" % n)

    def run(self):
        os.makedirs(self.shots, exist_ok=True)
        steps = [
            ("Pidgin signs on to the private server", self.s_start),
            ("enable Off-the-Record Messaging in Tools > Plugins",
             self.s_enable),
            ("Configure Plugin opens the settings notebook",
             self.s_configure),
            ("conversation window shows the OTR button: Not private",
             self.s_conversation),
            ("Start private conversation from the OTR button: Unverified",
             self.s_start_otr),
            ("private messages cross (typed in Pidgin, shown by bob)",
             self.s_exchange),
            ("Authenticate buddy wizard, question and answer: Private",
             self.s_authenticate),
            ("Known fingerprints shows bob verified, Private",
             self.s_known_fingerprints),
            ("End private conversation from the button: Not private",
             self.s_end),
            ("disabling the plugin removes the button", self.s_unload),
            ("wire audit: nothing typed crossed in plaintext", self.s_audit),
        ]
        print("TAP version 13")
        print("1..%d" % len(steps))
        self.x = Xvfb()
        try:
            self.x.start()
        except XvfbError as e:
            for i, (name, _) in enumerate(steps, 1):
                print("not ok %d - %s # Xvfb: %s" % (i, name, e))
            return 1
        self.p = None
        self.ctx = None
        self.srv = None
        try:
            for name, fn in steps:
                self.step(name, fn)
        finally:
            if self.p is not None:
                self.p.stop()
            if self.ctx is not None:
                self.ctx.close()
            if self.srv is not None:
                self.srv.stop()
            self.x.stop()
        print("# artifacts: %s" % self.opts.artifacts)
        return 1 if self.failed else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--client", required=True)
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--gtk-plugin", required=True)
    ap.add_argument("--icons", required=True)
    ap.add_argument("--artifacts", required=True)
    opts = ap.parse_args()
    for k in ("client", "plugin", "gtk_plugin", "icons", "artifacts"):
        setattr(opts, k, os.path.abspath(getattr(opts, k)))
    shutil.rmtree(opts.artifacts, ignore_errors=True)
    os.makedirs(opts.artifacts)
    return Walk(opts).run()


if __name__ == "__main__":
    sys.exit(main())
