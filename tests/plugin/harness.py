# Offrec plugin tests — headless clients, scenario context and the wire audit.
# SPDX-License-Identifier: GPL-2.0-or-later
"""Pieces run.py's scenarios are built from.

Client   one headless-client process (JSON Lines on stdin/stdout), its
         events, and waits on them.
Context  one scenario: the shared server, its clients and profiles, the
         secrets that must never cross in plaintext, the artifacts dir.
audit    reads the server's stanza log since the scenario began and fails
         if a secret crossed in plaintext.
"""

import html
import json
import os
import re
import shutil
import subprocess
import threading
import time

WAIT = 30.0


class Fail(Exception):
    pass


class Skip(Exception):
    pass


class Client:
    """One headless libpurple client logged into the private server."""

    def __init__(self, ctx, name, profile, plugin=True, label=None,
                 resource="headless"):
        self.ctx, self.name, self.profile = ctx, name, profile
        self.label = label or name
        self.jid = ctx.server.jid(name)
        self.account = self.jid + "/" + resource
        self.plugin = plugin
        self.events = []
        self.cond = threading.Condition()
        self.proc = None
        self.dead = False

    # -- process ---------------------------------------------------------
    def start(self, wait_online=True):
        os.makedirs(self.profile, exist_ok=True)
        cmd = [self.ctx.opts.client, "--profile", self.profile,
               "--account", self.account, "--password", self.name + "-pw",
               "--port", str(self.ctx.server.port), "--timeout", "240",
               "--debug-category", "offrec"]
        if self.plugin:
            cmd += ["--plugin", self.ctx.opts.plugin]
        n = sum(1 for f in os.listdir(self.ctx.dir)
                if f.startswith(self.label + "-"))
        self.logpath = os.path.join(self.ctx.dir, "%s-%d.log" % (self.label, n))
        err = open(self.logpath, "w")
        self.events = []
        self.dead = False
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=err,
                                     text=True, bufsize=1)
        err.close()
        threading.Thread(target=self._reader, daemon=True).start()
        self.ctx.clients.append(self)
        if self.plugin:
            ev = self.wait(lambda e: e["event"] == "plugin", what="plugin")
            if not ev.get("loaded"):
                raise Fail("%s: offrec.so did not load: %s" %
                           (self.label, ev.get("error")))
        if wait_online:
            self.wait(lambda e: e["event"] == "signed-on", what="signed-on")
        return self

    def _reader(self):
        for line in self.proc.stdout:
            line = line.strip()
            if not line:
                continue
            try:
                ev = json.loads(line)
            except ValueError:
                ev = {"event": "garbage", "text": line}
            ev["t"] = time.monotonic()
            with self.cond:
                self.events.append(ev)
                self.cond.notify_all()
        with self.cond:
            self.dead = True
            self.cond.notify_all()

    def op(self, **kw):
        if self.proc is None or self.proc.poll() is not None:
            raise Fail("%s: client is not running" % self.label)
        self.proc.stdin.write(json.dumps(kw) + "\n")
        self.proc.stdin.flush()

    def quit(self, timeout=20):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                self.op(op="quit")
                self.proc.stdin.close()
            except (Fail, OSError, ValueError):
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        rc = self.proc.returncode
        self.proc = None
        if self in self.ctx.clients:
            self.ctx.clients.remove(self)
        if rc not in (0, None):
            raise Fail("%s: client exited with %d (see %s)" %
                       (self.label, rc, self.logpath))

    # -- events ----------------------------------------------------------
    def mark(self):
        with self.cond:
            return len(self.events)

    def find(self, pred, since=0):
        with self.cond:
            for ev in self.events[since:]:
                if pred(ev):
                    return ev
        return None

    def wait(self, pred, since=0, timeout=WAIT, what="event"):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for ev in self.events[since:]:
                    if pred(ev):
                        return ev
                left = deadline - time.monotonic()
                if self.dead or left <= 0:
                    break
                self.cond.wait(min(left, 0.5))
        raise Fail("%s: no %s within %.0fs%s; last events:\n%s" % (
            self.label, what, timeout, " (client died)" if self.dead else "",
            self.tail()))

    def tail(self, n=15):
        with self.cond:
            evs = self.events[-n:]
        return "\n".join("  " + json.dumps({k: v for k, v in e.items()
                                            if k not in ("t", "html")})
                         for e in evs)

    def lines(self, since=0):
        with self.cond:
            return [e for e in self.events[since:] if e["event"] == "write"]

    # -- actions ---------------------------------------------------------
    def type(self, to, text):
        """Types text into the conversation with `to` (a Client or JID)."""
        jid = to.jid if isinstance(to, Client) else to
        self.op(op="send", to=jid, text=text)

    def command(self, to, text, expect_ok=True):
        m = self.mark()
        self.type(to, text)
        ev = self.wait(lambda e: e["event"] == "command" and
                       e["text"] == text, since=m, what="command result")
        if expect_ok and not ev["ok"]:
            raise Fail("%s: %s failed: status %s %r" % (
                self.label, text, ev["status"], ev["error"]))
        return ev

    def wait_line(self, regex, since=0, timeout=WAIT, **flags):
        rx = re.compile(regex)

        def pred(e):
            if e["event"] != "write" or not rx.search(e["text"]):
                return False
            return all(e.get(k) == v for k, v in flags.items())
        return self.wait(pred, since, timeout, "line /%s/ %s" % (regex, flags))

    def wait_received(self, text, since=0, timeout=WAIT):
        return self.wait(lambda e: e["event"] == "write" and e["recv"] and
                         e["text"].strip() == text, since, timeout,
                         "received %r" % text)

    def wait_request(self, since=0, timeout=WAIT):
        return self.wait(lambda e: e["event"] == "request", since, timeout,
                         "request")

    def wait_online(self, other, since=0):
        """Waits until the other client is online in our buddy list."""
        return self.wait(lambda e: e["event"] == "buddy-on" and
                         e["who"] == other.jid, since,
                         what="%s online" % other.jid)


class Context:
    """One scenario's clients, profiles, secrets and artifacts."""

    def __init__(self, opts, server, name):
        self.opts, self.server, self.name = opts, server, name
        self.dir = os.path.join(opts.artifacts, name)
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.mark = server.log_size()
        self.clients = []
        self.secrets = []  # (label, text)
        self.notes = []

    def profile(self, name):
        return os.path.join(self.dir, "profile-" + name)

    def client(self, name, plugin=True, **kw):
        return Client(self, name, self.profile(name), plugin, **kw)

    def pair(self, plugin=True):
        """alice and bob, online, each seeing the other online."""
        a = self.client("alice", plugin)
        b = self.client("bob", plugin)
        a.start()
        b.start()
        a.wait_online(b)
        b.wait_online(a)
        return a, b

    def secret(self, text, label="typed text", scope=None):
        self.secrets.append((label, text, scope))
        return text

    def note(self, text):
        self.notes.append(text)

    def finish(self):
        """End of a passing scenario: every client must quit cleanly and
        no transcript may hold a GLib critical/warning from the plugin or
        a sanitizer report."""
        for c in list(self.clients):
            c.quit()
        bad = re.compile(r"offrec-(CRITICAL|WARNING)|ERROR: AddressSanitizer"
                         r"|runtime error:|Segmentation fault")
        for f in sorted(os.listdir(self.dir)):
            if not f.endswith((".log", ".err")) or f == "stanzas.log":
                continue
            with open(os.path.join(self.dir, f), errors="replace") as fh:
                for line in fh:
                    if bad.search(line):
                        raise Fail("%s: %s" % (f, line.strip()[:300]))

    def close(self):
        for c in list(self.clients):
            try:
                c.quit()
            except Fail as e:
                self.note(str(e))
        with open(os.path.join(self.dir, "stanzas.log"), "w") as f:
            f.write("\n".join(self.server.stanzas_since(self.mark)))


def forms(text):
    """The ways a text can appear inside a stanza in the clear."""
    out = {text, html.escape(text, quote=False), html.escape(text)}
    out.add(text.replace("'", "&apos;").replace('"', "&quot;"))
    return out


def audit(ctx, extra=(), expect_present=()):
    """Fails if a secret crossed the wire in plaintext in this scenario.

    Secrets are (label, text) or (label, text, "message"): the latter are
    only looked for in <message> stanzas (an away text is meant to be in
    presence, never in a plaintext message). expect_present holds texts (or
    (text, "message")) that must be found: the audit's positive control.
    Returns the number of stanzas read.
    """
    stanzas = ctx.server.stanzas_since(ctx.mark)
    if not stanzas:
        raise Fail("wire audit: no stanzas logged (stanza_debug off?)")
    messages = [s for s in stanzas if s.split(" ", 1)[-1].startswith(
        "<message")]
    for sec in list(ctx.secrets) + list(extra):
        label, text = sec[0], sec[1]
        pool = messages if len(sec) > 2 and sec[2] == "message" else stanzas
        for s in pool:
            if any(f in s for f in forms(text)):
                raise Fail("wire audit: %s %r crossed in plaintext:\n  %s" %
                           (label, text, s[:600]))
    for item in expect_present:
        text, pool = (item[0], messages) if isinstance(item, tuple) else (
            item, stanzas)
        if not any(any(f in s for f in forms(text)) for s in pool):
            raise Fail("wire audit control: %r not found on the wire" % text)
    return len(stanzas)


def no_protocol_shown(ctx, clients):
    """OTR protocol messages are never shown in a conversation."""
    for c in clients:
        for e in c.lines():
            if "?OTR" in e["text"]:
                raise Fail("%s shows an OTR protocol message: %r" %
                           (c.label, e["text"][:200]))
