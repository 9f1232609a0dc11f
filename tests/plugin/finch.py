# Offrec plugin tests — real Finch in tmux; profile writer for tests and demo.
# SPDX-License-Identifier: GPL-2.0-or-later
"""Finch 2.14 driven through its own tmux server.

    write_profile(dir, jid_with_resource, password, port, plugin_path)
        accounts.xml, prefs.xml (offrec.so listed in /finch/plugins/loaded)
    Tmux(socket)    send-keys / capture-pane helpers
    open_conversation(tmux, target, jid)
        Buddy List > Options > Send IM... > JID > OK

Command line (used by scripts/demo):
    finch.py profile DIR JID PASSWORD PORT PLUGIN
    finch.py open-conversation SOCKET TARGET JID
"""

import os
import re
import shutil
import subprocess
import sys
import time
from xml.sax.saxutils import quoteattr, escape

from harness import Fail, Skip, audit

ACCOUNTS_XML = """<?xml version='1.0' encoding='UTF-8' ?>
<account version='1.0'>
  <account>
    <protocol>prpl-jabber</protocol>
    <name>{name}</name>
    <password>{password}</password>
    <settings>
      <setting name='connection_security' type='string'>opportunistic_tls</setting>
      <setting name='port' type='int'>{port}</setting>
      <setting name='connect_server' type='string'>127.0.0.1</setting>
      <setting name='auth_plain_in_clear' type='bool'>1</setting>
    </settings>
    <settings ui='gnt-purple'>
      <setting name='auto-login' type='bool'>1</setting>
    </settings>
  </account>
</account>
"""

PREFS_XML = """<?xml version='1.0' encoding='UTF-8' ?>
<pref version='1' name='/'>
  <pref name='finch'>
    <pref name='plugins'>
      <pref name='loaded' type='pathlist'>
        <item value={plugin}/>
      </pref>
    </pref>
    <pref name='sound'>
      <pref name='method' type='string' value='nosound'/>
    </pref>
  </pref>
</pref>
"""


def write_profile(directory, name, password, port, plugin):
    os.makedirs(directory, exist_ok=True)
    os.chmod(directory, 0o700)
    with open(os.path.join(directory, "accounts.xml"), "w") as f:
        f.write(ACCOUNTS_XML.format(name=escape(name),
                                    password=escape(password), port=port))
    with open(os.path.join(directory, "prefs.xml"), "w") as f:
        f.write(PREFS_XML.format(plugin=quoteattr(os.path.abspath(plugin))))


class Tmux:
    """A private tmux server (own socket)."""

    def __init__(self, socket):
        self.socket = socket

    def run(self, *args, check=True):
        r = subprocess.run(["tmux", "-S", self.socket] + list(args),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=20)
        if check and r.returncode != 0:
            raise Fail("tmux %s: %s" % (" ".join(args), r.stderr.strip()))
        return r.stdout

    def keys(self, target, *keys):
        self.run("send-keys", "-t", target, *keys)
        time.sleep(0.3)

    def text(self, target, text):
        self.run("send-keys", "-t", target, "-l", text)
        time.sleep(0.2)

    def capture(self, target):
        return self.run("capture-pane", "-p", "-t", target)

    def wait_screen(self, target, regex, timeout=30.0):
        """Waits until regex matches the screen, read as one line: window
        borders dropped and rows joined with a space (wrapped text)."""
        rx = re.compile(regex)
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.capture(target)
            flat = " ".join(re.sub(r"[\u2500-\u259f]", " ", row).strip()
                            for row in screen.splitlines())
            if rx.search(re.sub(r" +", " ", flat)):
                return screen
            time.sleep(0.3)
        raise Fail("screen %s never showed /%s/; last screen:\n%s" %
                   (target, regex, screen))

    def kill(self):
        self.run("kill-server", check=False)


def open_conversation(tmux, target, jid):
    """Buddy List > Options > Send IM..., as a user would do it."""
    tmux.keys(target, "Escape")
    tmux.keys(target, "M-w")           # window list
    tmux.keys(target, "Home")
    tmux.keys(target, "Enter")         # first: the Buddy List
    tmux.keys(target, "F10")           # its menu
    tmux.keys(target, "s")             # Options > Send IM...
    tmux.wait_screen(target, r"Send IM|Name|Buddy", 10)
    tmux.text(target, jid)
    tmux.keys(target, "Tab")
    tmux.keys(target, "Enter")         # OK


def finch_otr_start(ctx):
    """Finch loads offrec.so, opens a conversation with a headless client
    and `/otr start` makes it private; typed text stays off the wire."""
    if shutil.which("finch") is None or shutil.which("tmux") is None:
        raise Skip("finch or tmux not installed")
    with open(ctx.opts.plugin, "rb") as f:
        if b"libasan.so" in f.read():
            raise Skip("offrec.so is built with ASan; Finch cannot load it")
    from scenarios import wait_private  # noqa: E402
    bob = ctx.client("bob")
    bob.start()
    home = os.path.join(ctx.dir, "home")
    conf = os.path.join(ctx.dir, "finch-alice")
    os.makedirs(home, exist_ok=True)
    write_profile(conf, ctx.server.jid("alice") + "/finch", "alice-pw",
                  ctx.server.port, ctx.opts.plugin)
    tmux = Tmux(os.path.join(ctx.dir, "tmux.sock"))
    target = "finch:0.0"
    shots = []

    def shot(label):
        screen = tmux.capture(target)
        shots.append(label)
        with open(os.path.join(ctx.dir, "screen-%02d-%s.txt" %
                               (len(shots), label)), "w") as f:
            f.write(screen)
        return screen

    env = "env HOME=%s LANG=C.UTF-8 TERM=screen-256color" % home
    try:
        tmux.run("new-session", "-d", "-s", "finch", "-x", "160", "-y", "45",
                 "%s finch -c %s 2>%s/finch.err" % (env, conf, ctx.dir))
        m = bob.mark()
        bob.wait(lambda e: e["event"] == "buddy-on" and
                 e["who"] == ctx.server.jid("alice"), m, what="finch online")
        tmux.wait_screen(target, r"Buddy List", 20)
        shot("started")
        open_conversation(tmux, target, ctx.server.jid("bob"))
        tmux.wait_screen(target, r"bob \(alice@localhost/finch", 10)
        shot("conversation")
        m = bob.mark()
        tmux.text(target, "/otr start")
        tmux.keys(target, "Enter")
        wait_private(bob, m)
        screen = tmux.wait_screen(
            target, r"(Private|Unverified) conversation with bob@localhost", 30)
        shot("private")
        if "No such command" in screen:
            raise Fail("Finch says /otr is no command:\n" + screen)
        text = ctx.secret("finch private text 5150")
        m = bob.mark()
        tmux.text(target, text)
        tmux.keys(target, "Enter")
        bob.wait_received(text, m)
        reply = ctx.secret("headless reply to finch 2112")
        bob.type(ctx.server.jid("alice"), reply)
        tmux.wait_screen(target, re.escape(reply), 20)
        shot("exchanged")
        tmux.keys(target, "M-q")
        time.sleep(1.5)
    except Fail:
        try:
            shot("at-failure")
        except Fail:
            pass
        raise
    finally:
        tmux.kill()
    audit(ctx)


SCENARIOS = [
    ("finch-otr-start", finch_otr_start, True),
]


def main(argv):
    if len(argv) == 7 and argv[1] == "profile":
        write_profile(argv[2], argv[3], argv[4], int(argv[5]), argv[6])
        return 0
    if len(argv) == 5 and argv[1] == "open-conversation":
        try:
            open_conversation(Tmux(argv[2]), argv[3], argv[4])
        except Fail as e:
            print(e, file=sys.stderr)
            return 1
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    sys.exit(main(sys.argv))
