#!/usr/bin/env python3
# Offrec Finch front-end tests — real Finch in tmux walks a user's path.
# SPDX-License-Identifier: GPL-2.0-or-later
"""A private prosody, real Finch (alice) with offrec.so preloaded and
offrec-gnt.so enabled from the Plugins window, and the headless libpurple
client of tests/plugin (bob) with offrec.so. Each step is one TAP test
point; the screens are kept as artifacts.

    run.py --client HEADLESS --plugin OFFREC_SO --gnt OFFREC_GNT_SO
           --plugin-tests DIR --artifacts DIR
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
    ap.add_argument("--client", required=True)
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--gnt", required=True)
    ap.add_argument("--plugin-tests", required=True)
    ap.add_argument("--artifacts", required=True)
    ap.add_argument("--pause-after", type=int, default=0,
                    help="debugging: keep everything up after step N")
    opts = ap.parse_args()
    for k in ("client", "plugin", "gnt", "plugin_tests", "artifacts"):
        setattr(opts, k, os.path.abspath(getattr(opts, k)))
    return opts


OPTS = parse()
sys.path.insert(0, OPTS.plugin_tests)
from harness import Context, Fail, Skip, audit  # noqa: E402
from prosody import Prosody, ProsodyError  # noqa: E402
import finch as finch_helpers  # noqa: E402
from finch import Tmux, write_profile  # noqa: E402

TARGET = "finch:0.0"
RIGHT, DOWN, UP, LEFT = "\x1bOC", "\x1bOB", "\x1bOA", "\x1bOD"


def flat(screen):
    """The screen as one line: borders dropped, rows joined by a space."""
    rows = (re.sub(r"[\u2500-\u259f]", " ", r).strip()
            for r in screen.splitlines())
    return re.sub(r" +", " ", " ".join(rows))


class Walk:
    """State shared by the steps: server, bob, Finch, artifacts."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.tmux = Tmux(os.path.join(ctx.dir, "tmux.sock"))
        self.shots = 0
        self.bob = None
        self.alice_jid = ctx.server.jid("alice")
        self.bob_jid = ctx.server.jid("bob")

    def shot(self, label):
        screen = self.tmux.capture(TARGET)
        self.shots += 1
        path = os.path.join(self.ctx.dir, "screen-%02d-%s.txt" %
                            (self.shots, label))
        with open(path, "w") as f:
            f.write(screen)
        return screen

    def wait(self, regex, timeout=20.0):
        return self.tmux.wait_screen(TARGET, regex, timeout)

    def keys(self, *keys):
        self.tmux.keys(TARGET, *keys)

    def text(self, text):
        self.tmux.text(TARGET, text)

    def app(self, seq, n=1):
        for _ in range(n):
            self.tmux.run("send-keys", "-t", TARGET, "-l", seq)
            time.sleep(0.25)

    def otr_menu(self, trigger=None):
        """Conversation window: Ctrl-O, over to the OTR menu, trigger."""
        self.keys("C-o")
        for _ in range(4):
            if "Authenticate buddy..." in flat(self.tmux.capture(TARGET)):
                break
            self.app(RIGHT)
        self.wait(r"Authenticate buddy\.\.\.", 5)
        if trigger:
            self.keys(trigger)

    def say(self, text):
        self.text(text)
        self.keys("Enter")

    def buddy_list(self):
        """Focus the Buddy List through the window list (first entry)."""
        self.keys("Escape")
        self.keys("M-w")
        self.keys("Home")
        self.keys("Enter")

    def blist_menu(self, needle):
        """Buddy List menu (F10), over to the submenu showing needle. The
        menubar remembers the last menu used, so look, don't count; Left
        (Right would open an account's or a plugin's submenu)."""
        self.buddy_list()
        self.keys("F10")
        for _ in range(5):
            if needle in flat(self.tmux.capture(TARGET)):
                return
            self.app(LEFT)
        self.wait(re.escape(needle), 5)

    def open_im(self, jid):
        """Options > Send IM..., as a user would do it."""
        self.blist_menu("Send IM...")
        self.keys("s")
        self.wait(r"Send IM|Name|Buddy", 10)
        self.text(jid)
        self.keys("Tab")
        self.keys("Enter")  # OK

    ACTIONS = ("OTR known fingerprints", "OTR settings", "OTR private keys")

    def plugin_action(self, label):
        """Buddy List > Plugins > Offrec's submenu > label."""
        self.blist_menu("Off-the-Record Messaging for Finch")
        if self.ACTIONS[0] not in flat(self.tmux.capture(TARGET)):
            self.app(RIGHT)  # into the plugin's submenu
        self.wait(re.escape(self.ACTIONS[0]), 5)
        self.app(DOWN, self.ACTIONS.index(label))
        self.keys("Enter")

    def closed(self, title, timeout=5):
        """The taskbar (last line) no longer lists title."""
        deadline = time.monotonic() + timeout
        while title in self.tmux.capture(TARGET).splitlines()[-1]:
            if time.monotonic() > deadline:
                raise Fail("%r did not close:\n%s" %
                           (title, self.tmux.capture(TARGET)))
            time.sleep(0.2)


# -- the steps ------------------------------------------------------------

def step_start_finch(w):
    """Finch starts with offrec.so preloaded; bob (headless) is online."""
    ctx = w.ctx
    w.bob = ctx.client("bob")
    w.bob.start()
    conf = os.path.join(ctx.dir, "finch-alice")
    home = os.path.join(ctx.dir, "home")
    os.makedirs(home, exist_ok=True)
    write_profile(conf, w.alice_jid + "/finch", "alice-pw", ctx.server.port,
                  OPTS.plugin)
    os.makedirs(os.path.join(conf, "plugins"), exist_ok=True)
    shutil.copy(OPTS.gnt, os.path.join(conf, "plugins", "offrec-gnt.so"))
    env = "env HOME=%s LANG=C.UTF-8 LANGUAGE= TERM=screen-256color" % home
    w.tmux.run("new-session", "-d", "-s", "finch", "-x", "160", "-y", "50",
               "%s finch -c %s 2>%s/finch.err" % (env, conf, ctx.dir))
    m = w.bob.mark()
    w.bob.wait(lambda e: e["event"] == "buddy-on" and e["who"] == w.alice_jid,
               m, timeout=30, what="finch online")
    w.wait(r"Buddy List", 20)
    w.shot("started")


def step_enable_plugin(w):
    """Plugins window: find Offrec's Finch module and tick it."""
    w.keys("M-a")
    w.wait(r"Actions.*Plugins", 10)
    # Accounts, Buddy List, Buddy Pounces, Certificates, Debug Window,
    # File Transfers, Plugins.
    w.app(DOWN, 6)
    w.keys("Enter")
    w.wait(r"You can \(un\)load plugins", 10)
    found = False
    for _ in range(40):
        if re.search(r"Finch \(Offrec\)", flat(w.tmux.capture(TARGET))):
            found = True
            break
        w.app(DOWN)
    if not found:
        raise Fail("offrec-gnt.so is not in the Plugins window:\n" +
                   w.tmux.capture(TARGET))
    w.keys("Space")
    screen = w.wait(r"Configure Plugin", 10)
    w.shot("plugins-enabled")
    ticked = re.findall(r"\[X\] Off-the-Record Messaging", screen)
    if len(ticked) != 2:
        raise Fail("expected the core and the Finch module ticked:\n" +
                   screen)
    w.keys("M-c")  # close the Plugins window


def step_status_line(w):
    """An IM window gets the OTR menu and the status "Not private"."""
    w.open_im(w.bob_jid)
    w.wait(r"OTR: Not private", 15)
    w.otr_menu()
    screen = w.tmux.capture(TARGET)
    w.shot("otr-menu")
    for item in ("Start private conversation", "End private conversation",
                 "Authenticate buddy...", "Show fingerprints",
                 "What's this?"):
        if item not in screen:
            raise Fail("OTR menu lacks %r:\n%s" % (item, screen))
    w.keys("Escape")
    w.keys("Escape")


def step_start_from_menu(w):
    """OTR > Start private conversation: status turns Unverified."""
    from scenarios import wait_private
    m = w.bob.mark()
    w.otr_menu("s")
    wait_private(w.bob, m)
    w.wait(r"OTR: Unverified", 30)
    w.shot("unverified")


def step_exchange(w):
    """Messages both ways, never in plaintext on the wire."""
    text = w.ctx.secret("finch gnt walk private text 8086")
    m = w.bob.mark()
    w.say(text)
    w.bob.wait_received(text, m)
    reply = w.ctx.secret("headless answer to the gnt walk 6502")
    w.bob.type(w.alice_jid, reply)
    w.wait(re.escape(reply), 20)
    w.shot("exchanged")


def step_wizard_question(w):
    """Wizard: question and answer; bob answers with /otr auth; the
    answer is never echoed; the result says verified; status Private."""
    question = "Name of our first cat"
    answer = w.ctx.secret("whiskers-4711", "SMP answer")
    w.otr_menu("a")
    w.wait(r"How do you want to authenticate", 10)
    w.shot("wizard-choose")
    w.keys("Enter")  # first button: Question and answer
    w.wait(r"Question:.*Answer \(not shown\)", 10)
    w.text(question)
    w.keys("Tab")
    m = w.bob.mark()
    w.text(answer)
    screen = w.shot("wizard-question")
    if answer in screen:
        raise Fail("the answer is echoed on screen:\n" + screen)
    w.keys("Enter")
    w.bob.wait_line(re.escape(question), m, timeout=30)
    w.bob.command(w.alice_jid, "/otr auth " + answer)
    screen = w.wait(r"Authentication successful: bob@localhost's "
                    r"fingerprint is now verified", 30)
    w.shot("wizard-success")
    w.keys("Enter")  # Close
    w.wait(r"OTR: Private", 10)
    if answer in w.tmux.capture(TARGET):
        raise Fail("the answer shows on screen after the exchange")


def step_wizard_responder(w):
    """bob asks a question; the wizard shows it; the answer through the
    wizard authenticates alice to bob."""
    question = "Where did we meet"
    answer = w.ctx.secret("lisbon-1999", "SMP answer")
    m = w.bob.mark()
    w.bob.command(w.alice_jid, '/otr auth-q "%s" %s' % (question, answer))
    # gnt does not raise a window opened by a network event (it marks it
    # urgent in the taskbar): switch to it as a user would, window list.
    w.wait(r"Authenticate bob@localhost", 30)
    w.keys("M-w")
    w.wait(r"Authenticate bob@localhost", 5)
    w.keys("End")
    w.keys("Enter")
    w.wait(r"Their question: " + re.escape(question), 10)
    w.shot("responder-question")
    w.text(answer)
    if answer in w.tmux.capture(TARGET):
        raise Fail("the answer is echoed on screen")
    w.keys("Enter")
    w.wait(r"bob@localhost has authenticated you", 30)
    w.bob.wait_line(r"Authentication succeeded", m, timeout=30)
    w.shot("responder-success")
    w.keys("Enter")  # Close


def step_fingerprints_window(w):
    """Known fingerprints (Buddy List > Plugins > OTR known fingerprints)
    lists bob's key as in use and verified; Unverify and Verify change it,
    Forget is refused while in use; Escape closes the window (it has the
    focus as soon as it opens from the menu)."""
    w.plugin_action("OTR known fingerprints")
    w.wait(r"Known fingerprints", 5)
    screen = w.wait(r"bob@localhost .*Private .*yes", 10)
    w.shot("fingerprints")
    w.keys("Tab", "Tab")  # tree -> Verify -> Unverify
    w.keys("Enter")
    w.wait(r"bob@localhost .*Unverified .*no", 5)
    w.shot("fingerprints-unverified")
    w.keys("BTab")  # Verify
    w.keys("Enter")
    w.wait(r"bob@localhost .*Private .*yes", 5)
    w.keys("Tab", "Tab")  # Unverify -> Forget
    w.keys("Enter")
    w.wait(r"This fingerprint is in use", 5)
    w.shot("forget-refused")
    w.keys("Enter")  # OK
    deadline = time.monotonic() + 5
    while "This fingerprint is in use" in w.tmux.capture(TARGET):
        if time.monotonic() > deadline:
            raise Fail("the notice did not close")
        time.sleep(0.2)
    w.keys("BTab")  # Unverify, for the shared-secret step
    w.keys("Enter")
    w.wait(r"bob@localhost .*Unverified .*no", 5)
    w.keys("Escape")
    w.closed("Known fingerprints")
    return screen


def step_wizard_secret(w):
    """Wizard: shared secret (the second method); bob types the same
    secret; the key is verified again, status Private."""
    secret = w.ctx.secret("lighthouse-2718", "shared secret")
    w.open_im(w.bob_jid)
    w.wait(r"OTR: Unverified", 10)
    w.otr_menu("a")
    w.wait(r"How do you want to authenticate", 10)
    w.keys("Tab")  # Question and answer -> Shared secret
    w.keys("Enter")
    w.wait(r"Shared secret \(not shown\)", 10)
    m = w.bob.mark()
    w.text(secret)
    screen = w.shot("wizard-secret")
    if secret in screen:
        raise Fail("the secret is echoed on screen:\n" + screen)
    w.keys("Enter")
    w.bob.wait_line(r"wants to authenticate you", m, timeout=30)
    w.bob.command(w.alice_jid, "/otr auth " + secret)
    w.wait(r"Authentication successful: bob@localhost's fingerprint is "
           r"now verified", 30)
    w.shot("wizard-secret-success")
    w.keys("Enter")  # Close
    w.wait(r"OTR: Private", 10)


def step_buddy_policy(w):
    """OTR > OTR settings for this buddy... (the same window as the buddy
    list's context menu entry): set "Always"; /otr policy confirms it."""
    w.open_im(w.bob_jid)
    w.wait(r"OTR: Private", 10)
    w.otr_menu("o")
    w.wait(r"OTR settings for bob@localhost", 10)
    # Policy combo: open it, down to "Always" (Default, Never, Manual,
    # Opportunistic, Always), choose; Tab to Logging, Tab to Save.
    w.app(DOWN)
    w.app(DOWN, 4)
    w.keys("Enter")
    w.wait(r"OTR policy: Always", 5)
    w.shot("buddy-settings")
    w.keys("Tab")
    w.keys("Tab")
    w.keys("Enter")
    w.say("/otr policy")
    w.wait(r"OTR policy for bob@localhost: always \(set for this buddy\)",
           10)
    w.shot("buddy-policy")


def step_blist_settings(w):
    """Buddy list context menu (F11) > OTR settings...: the window shows
    the policy set before; set "Don't log"; reopened, it shows it."""
    w.buddy_list()
    w.app(DOWN)  # the group, then bob
    w.keys("F11")
    w.wait(r"OTR settings\.\.\.", 5)
    w.keys("o")
    screen = w.wait(r"OTR settings for bob@localhost", 10)
    if not re.search(r"OTR policy: Always", flat(screen)):
        raise Fail("the buddy's policy is not shown:\n" + screen)
    w.keys("Tab")  # Logging
    w.app(DOWN)
    w.app(DOWN, 2)  # Default, Log, Don't log
    w.keys("Enter")
    w.wait(r"Logging: Don't log", 5)
    w.shot("blist-settings")
    w.keys("Tab")
    w.keys("Enter")  # Save
    w.closed("OTR settings for")
    w.buddy_list()
    w.app(DOWN)
    w.keys("F11")
    w.wait(r"OTR settings\.\.\.", 5)
    w.keys("o")
    w.wait(r"Logging: Don't log", 10)
    w.keys("Escape")
    w.closed("OTR settings for")


def step_end(w):
    """OTR > End private conversation: status Not private again."""
    w.open_im(w.bob_jid)  # back to the conversation window
    w.wait(r"OTR: Private", 10)
    m = w.bob.mark()
    w.otr_menu("e")
    w.wait(r"OTR: Not private", 15)
    w.bob.wait_line(r"ended the private conversation", m, timeout=20)
    w.shot("ended")


def step_keygen(w):
    """Plugins > OTR private keys: Generate, confirm Replace; a progress
    window reports the new key; the fingerprint in the list changes."""
    w.plugin_action("OTR private keys")
    screen = w.wait(r"My private keys.*alice@localhost/finch +XMPP +"
                    r"[0-9A-F]{8} ", 10)
    old = re.search(r"alice@localhost/finch +XMPP +((?:[0-9A-F]{8} ?){5})",
                    flat(screen)).group(1).strip()
    w.keys("Tab")  # tree -> Generate
    w.keys("Enter")
    w.wait(r"Replace private key", 5)
    w.keys("BTab")  # the default button is Cancel
    w.keys("Enter")
    screen = w.wait(r"Private key for alice@localhost/finch ready", 30)
    w.shot("keygen-done")
    if "Generating private key" not in screen:
        raise Fail("no key generation window:\n" + screen)
    new = re.search(r"Fingerprint: ((?:[0-9A-F]{8} ?){5})",
                    flat(screen)).group(1).strip()
    if new == old:
        raise Fail("the fingerprint did not change: " + new)
    w.keys("Enter")  # Close
    w.closed("Generating private key")
    w.wait(re.escape(new), 5)
    w.keys("Escape")
    w.closed("My private keys")


def step_unload(w):
    """Plugins window: untick the Finch module; the status line goes."""
    w.keys("M-a")
    w.wait(r"Actions.*Plugins", 10)
    w.app(DOWN, 6)
    w.keys("Enter")
    w.wait(r"You can \(un\)load plugins", 10)
    for _ in range(40):
        if re.search(r"Finch \(Offrec\)", flat(w.tmux.capture(TARGET))):
            break
        w.app(DOWN)
    w.keys("Space")
    deadline = time.monotonic() + 10
    while len(re.findall(r"\[X\] Off-the-Record Messaging",
                         w.tmux.capture(TARGET))) != 1:
        if time.monotonic() > deadline:
            raise Fail("the Finch module is still ticked:\n" +
                       w.tmux.capture(TARGET))
        time.sleep(0.2)
    w.shot("plugin-unloaded")
    w.keys("M-c")
    w.open_im(w.bob_jid)
    w.wait(r"bob \(alice@localhost/finch", 10)
    time.sleep(1)
    screen = w.shot("after-unload")
    if "OTR: " in screen:
        raise Fail("the status line is still there:\n" + screen)
    w.say("/otr status")  # the core plugin keeps working
    w.wait(r"Not private", 10)


STEPS = [
    ("finch starts, bob online", step_start_finch),
    ("enable offrec-gnt in the Plugins window", step_enable_plugin),
    ("OTR menu and status line in the IM window", step_status_line),
    ("start from the OTR menu: Unverified", step_start_from_menu),
    ("exchange encrypted messages", step_exchange),
    ("wizard: question and answer, verified, Private", step_wizard_question),
    ("wizard: responder sees bob's question", step_wizard_responder),
    ("known fingerprints: verify, forget refused, Escape closes",
     step_fingerprints_window),
    ("wizard: shared secret verifies again", step_wizard_secret),
    ("per-buddy policy window: Always", step_buddy_policy),
    ("buddy list context menu: OTR settings", step_blist_settings),
    ("end from the OTR menu: Not private", step_end),
    ("key generation window: Generate, progress, new key", step_keygen),
    ("unload the Finch module in the Plugins window", step_unload),
]


def main():
    print("TAP version 13")
    print("1..%d" % (len(STEPS) + 1))
    for tool in ("finch", "tmux", "prosody"):
        if shutil.which(tool) is None:
            for i, (name, _) in enumerate(STEPS, 1):
                print("ok %d - %s # SKIP %s not installed" % (i, name, tool))
            return 0
    for path in (OPTS.plugin, OPTS.gnt):
        with open(path, "rb") as f:
            if b"libasan.so" in f.read():
                for i, (name, _) in enumerate(STEPS, 1):
                    print("ok %d - %s # SKIP built with ASan" % (i, name))
                return 0
    os.makedirs(OPTS.artifacts, exist_ok=True)
    srv = Prosody({n: n + "-pw" for n in ("alice", "bob")})
    try:
        srv.start()
    except ProsodyError as e:
        for i, (name, _) in enumerate(STEPS, 1):
            print("not ok %d - %s # server did not start: %s" % (i, name, e))
        return 1
    print("# prosody on 127.0.0.1:%d" % srv.port)
    ctx = Context(OPTS, srv, "finch-walk")
    w = Walk(ctx)
    failed = 0
    broken = None
    try:
        for i, (name, func) in enumerate(STEPS, 1):
            t0 = time.monotonic()
            if broken:
                print("not ok %d - %s # not run: step %d failed" %
                      (i, name, broken))
                failed += 1
                continue
            try:
                func(w)
                print("ok %d - %s (%.1fs)" % (i, name, time.monotonic() - t0))
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
                try:
                    w.shot("at-failure")
                except Exception:  # noqa: BLE001
                    pass
            sys.stdout.flush()
            if OPTS.pause_after == i:
                print("# paused; tmux -S %s attach" % w.tmux.socket,
                      flush=True)
                time.sleep(600)
        try:
            n = audit(ctx)
            print("ok %d - wire audit: no secret in plaintext (%d stanzas)"
                  % (len(STEPS) + 1, n))
        except Fail as e:
            failed += 1
            print("not ok %d - wire audit" % (len(STEPS) + 1))
            print("#   %s" % e)
    finally:
        try:
            w.keys("M-q")
            time.sleep(1)
        except Exception:  # noqa: BLE001
            pass
        w.tmux.kill()
        ctx.close()
        srv.stop()
    print("# artifacts: %s" % ctx.dir)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
