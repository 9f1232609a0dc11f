#!/usr/bin/env python3
# Offrec UI tests — real Pidgin under Xvfb: profile, process, debug trace, X.
# SPDX-License-Identifier: GPL-2.0-or-later
"""One Pidgin process with a private profile (-c DIR), its debug output
(-d) read line by line, and xdotool helpers.

The front-end writes what its widgets say to the debug log under the
category "offrec-gtk" (button labels and geometry, menu items, wizard
status, Known fingerprints rows); tests wait on those lines."""

import os
import re
import shutil
import subprocess
import threading
import time

ACCOUNTS_XML = """<?xml version='1.0' encoding='UTF-8' ?>
<account version='1.0'>
 <account>
  <protocol>prpl-jabber</protocol>
  <name>{name}</name>
  <password>{password}</password>
  <settings>
   <setting name='connect_server' type='string'>127.0.0.1</setting>
   <setting name='port' type='int'>{port}</setting>
   <setting name='connection_security' type='string'>opportunistic_tls</setting>
   <setting name='auth_plain_in_clear' type='bool'>1</setting>
  </settings>
  <settings ui='gtk-gaim'>
   <setting name='auto-login' type='bool'>1</setting>
  </settings>
  <current_error/>
 </account>
</account>
"""

PREFS_XML = """<?xml version='1.0' encoding='UTF-8' ?>
<pref version='1' name='/'>
 <pref name='pidgin'>
  <pref name='plugins'>
   <pref name='loaded' type='pathlist'>{loaded}
   </pref>
  </pref>
  <pref name='conversations'>
   <pref name='im'>
    <pref name='hide_new' type='string'>never</pref>
   </pref>
  </pref>
 </pref>
 <pref name='purple'>
  <pref name='logging'>
   <pref name='log_ims' type='bool'>1</pref>
  </pref>
 </pref>
</pref>
"""


class PidginError(Exception):
    pass


class Pidgin:
    def __init__(self, xvfb, confdir, account, password, port, plugins,
                 preload=(), extra_env=None):
        self.x = xvfb
        self.dir = confdir
        self.account = account
        self.lines = []
        self.cond = threading.Condition()
        self.proc = None
        os.makedirs(os.path.join(confdir, "plugins"), exist_ok=True)
        os.makedirs(os.path.join(confdir, "home"), exist_ok=True)
        os.makedirs(os.path.join(confdir, "run"), mode=0o700, exist_ok=True)
        self.plugin_paths = []
        for p in plugins:
            dst = os.path.join(confdir, "plugins", os.path.basename(p))
            shutil.copy(p, dst)
            self.plugin_paths.append(dst)
        loaded = "".join("\n    <item value='%s'/>" % os.path.join(
            confdir, "plugins", os.path.basename(p)) for p in preload)
        with open(os.path.join(confdir, "accounts.xml"), "w") as f:
            f.write(ACCOUNTS_XML.format(name=account, password=password,
                                        port=port))
        with open(os.path.join(confdir, "prefs.xml"), "w") as f:
            f.write(PREFS_XML.format(loaded=loaded))
        self.env = xvfb.env()
        self.env.update(HOME=os.path.join(confdir, "home"),
                        XDG_RUNTIME_DIR=os.path.join(confdir, "run"),
                        NO_AT_BRIDGE="1", GDK_BACKEND="x11", LANG="C.UTF-8",
                        LANGUAGE="")
        self.env.pop("DBUS_SESSION_BUS_ADDRESS", None)
        if extra_env:
            self.env.update(extra_env)

    def start(self):
        self.log = open(os.path.join(self.dir, "pidgin-debug.log"), "w")
        self.proc = subprocess.Popen(
            ["pidgin", "-c", self.dir, "-d", "-m"], env=self.env,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, errors="replace",
            start_new_session=True)
        threading.Thread(target=self._reader, daemon=True).start()
        return self

    def _reader(self):
        for line in self.proc.stdout:
            self.log.write(line)
            self.log.flush()
            with self.cond:
                self.lines.append(line.rstrip("\n"))
                self.cond.notify_all()
        with self.cond:
            self.lines.append(None)
            self.cond.notify_all()

    def mark(self):
        with self.cond:
            return len(self.lines)

    def wait(self, regex, since=0, timeout=30, what=None):
        """The first debug line matching regex after since: a re.Match."""
        rx = re.compile(regex)
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for line in self.lines[since:]:
                    if line is None:
                        raise PidginError("pidgin exited while waiting for "
                                          "%s" % (what or regex))
                    m = rx.search(line)
                    if m:
                        return m
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.cond.wait(min(left, 0.5))
        raise PidginError("no debug line /%s/ within %ds; last lines:\n%s" % (
            regex, timeout, "\n".join("  " + (s or "")
                                      for s in self.lines[-12:])))

    def trace(self, regex, since=0, timeout=30):
        """Waits for an "offrec-gtk:" trace line; returns the match."""
        return self.wait(r"offrec-gtk: " + regex, since, timeout)

    def traces(self, regex, since=0):
        rx = re.compile(r"offrec-gtk: " + regex)
        with self.cond:
            return [rx.search(s) for s in self.lines[since:]
                    if s is not None and rx.search(s)]

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    # -- X ---------------------------------------------------------------
    def xdo(self, *args, check=True):
        r = subprocess.run(["xdotool"] + [str(a) for a in args], env=self.env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=30)
        if check and r.returncode != 0:
            raise PidginError("xdotool %s: %s" % (" ".join(map(str, args)),
                                                  r.stderr.strip()))
        return r.stdout.strip()

    def window(self, name, timeout=20):
        """The id of the newest visible window whose title matches name."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            out = self.xdo("search", "--onlyvisible", "--name", name,
                           check=False)
            ids = [w for w in out.split() if w]
            if ids:
                return ids[-1]
            time.sleep(0.3)
        raise PidginError("no window named /%s/ within %ds" % (name, timeout))

    def no_window(self, name, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            out = self.xdo("search", "--onlyvisible", "--name", name,
                           check=False)
            if not out.split():
                return True
            time.sleep(0.3)
        return False

    def focus(self, wid):
        self.xdo("windowfocus", "--sync", wid)

    def key(self, wid, *keys):
        self.focus(wid)
        for k in keys:
            self.xdo("key", "--clearmodifiers", k)
            time.sleep(0.15)

    def type(self, wid, text):
        self.focus(wid)
        self.xdo("type", "--delay", "20", text)

    def click(self, wid, x, y):
        self.xdo("mousemove", "--window", wid, x, y)
        time.sleep(0.1)
        self.xdo("click", "1")
