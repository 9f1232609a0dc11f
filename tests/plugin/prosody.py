#!/usr/bin/env python3
# Offrec plugin tests — a private prosody on 127.0.0.1 for one test run.
# SPDX-License-Identifier: GPL-2.0-or-later
"""A throw-away XMPP server for tests and the demo.

Config, data and log live in one temporary directory; the c2s port is a
random free port on 127.0.0.1; no TLS is required and plaintext auth is
allowed; offline storage, MAM, smacks, PEP, carbons and s2s are off so
nothing is replayed or duplicated between scenarios; mod_stanza_debug logs
every stanza so tests can audit what crossed the wire.

    srv = Prosody(accounts={"alice": "alice-pw", "bob": "bob-pw"})
    srv.start()
    ... srv.port, srv.domain, srv.stanzas_since(mark) ...
    srv.stop()

Run as a script (`prosody.py DIR alice bob`) it starts a server with those
accounts (password NAME-pw), prints `port=N pid=N dir=DIR` and keeps running
in the foreground until killed (used by scripts/demo).
"""

import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

DOMAIN = "localhost"

CONFIG = """-- written by tests/plugin/prosody.py
daemonize = false
{run_as_root}
data_path = "{dir}/data"
certificates = "{dir}/certs"
interfaces = {{ "127.0.0.1" }}
c2s_ports = {{ {port} }}
c2s_direct_tls_ports = {{ }}
legacy_ssl_ports = {{ }}
s2s_ports = {{ }}
http_ports = {{ }}
https_ports = {{ }}
c2s_require_encryption = false
s2s_require_encryption = false
allow_unencrypted_plain_auth = true
authentication = "internal_plain"
storage = "internal"
modules_enabled = {{
    "roster"; "saslauth"; "disco"; "ping"; "stanza_debug";
}}
modules_disabled = {{
    "offline"; "s2s"; "tls"; "posix"; "mam"; "smacks"; "pep"; "carbons";
    "limits"; "vcard4"; "vcard_legacy"; "bookmarks"; "csi_simple";
}}
log = {{
    debug = "{dir}/prosody.log";
}}
VirtualHost "{domain}"
"""

ROSTER_ITEM = """    ["{jid}"] = {{
        ["subscription"] = "both";
        ["groups"] = {{ ["Offrec"] = true; }};
        ["name"] = "{name}";
    }};
"""


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ProsodyError(Exception):
    pass


class Prosody:
    """One private prosody instance."""

    def __init__(self, accounts, directory=None, domain=DOMAIN):
        self.accounts = dict(accounts)
        self.domain = domain
        self.own_dir = directory is None
        self.dir = directory or tempfile.mkdtemp(prefix="offrec-prosody-")
        self.port = None
        self.proc = None
        self.config = os.path.join(self.dir, "prosody.cfg.lua")
        self.log = os.path.join(self.dir, "prosody.log")
        self.user = None
        if os.geteuid() == 0:
            try:
                self.user = pwd.getpwnam("prosody")
            except KeyError:
                self.user = None

    # -- setup -----------------------------------------------------------
    def _chown(self, path):
        if self.user is None:
            return
        os.chown(path, self.user.pw_uid, self.user.pw_gid)

    def _chown_tree(self, top):
        if self.user is None:
            return
        self._chown(top)
        for root, dirs, files in os.walk(top):
            for n in dirs + files:
                self._chown(os.path.join(root, n))

    def _as_server_user(self, cmd):
        if self.user is None:
            return cmd
        return ["setpriv", "--reuid=prosody", "--regid=prosody",
                "--init-groups"] + cmd

    def _write_config(self):
        os.makedirs(os.path.join(self.dir, "data"), exist_ok=True)
        os.makedirs(os.path.join(self.dir, "certs"), exist_ok=True)
        # Root without a prosody user: prosody insists on being told.
        rar = "run_as_root = true" if (os.geteuid() == 0 and
                                       self.user is None) else ""
        with open(self.config, "w") as f:
            f.write(CONFIG.format(dir=self.dir, port=self.port,
                                  domain=self.domain, run_as_root=rar))
        if self.user is not None:
            # The server user must reach the directory (mkdtemp is 0700).
            os.chmod(self.dir, 0o755)
        self._chown_tree(self.dir)

    def _prosodyctl(self, *args):
        cmd = self._as_server_user(["prosodyctl", "--config", self.config]
                                   + list(args))
        r = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=60)
        if r.returncode != 0:
            raise ProsodyError("prosodyctl %s failed: %s" % (args, r.stdout))

    def _seed_rosters(self):
        """Everyone is everyone's contact with subscription both."""
        hostdir = os.path.join(self.dir, "data",
                               self.domain.replace(".", "%2e"))
        rdir = os.path.join(hostdir, "roster")
        os.makedirs(rdir, exist_ok=True)
        for user in self.accounts:
            items = "".join(
                ROSTER_ITEM.format(jid="%s@%s" % (other, self.domain),
                                   name=other)
                for other in self.accounts if other != user)
            path = os.path.join(rdir, user + ".dat")
            with open(path, "w") as f:
                f.write("return {\n    [false] = { [\"version\"] = 1; "
                        "[\"pending\"] = { }; };\n" + items + "};\n")
        self._chown_tree(hostdir)

    # -- life cycle ------------------------------------------------------
    def start(self, timeout=20.0):
        if shutil.which("prosody") is None:
            raise ProsodyError("prosody is not installed")
        self.port = free_port()
        self._write_config()
        for name, password in self.accounts.items():
            self._prosodyctl("register", name, self.domain, password)
        self._seed_rosters()
        out = open(os.path.join(self.dir, "prosody.out"), "w")
        env = dict(os.environ, PROSODY_CONFIG=self.config)
        self.proc = subprocess.Popen(
            self._as_server_user(["prosody", "-F", "--config", self.config]),
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            env=env, start_new_session=True)
        out.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ProsodyError("prosody exited with %d: %s" % (
                    self.proc.returncode, self._tail("prosody.out")))
            try:
                with socket.create_connection(("127.0.0.1", self.port), 0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise ProsodyError("prosody did not listen on port %d" % self.port)

    def _tail(self, name, n=2000):
        try:
            with open(os.path.join(self.dir, name), errors="replace") as f:
                return f.read()[-n:]
        except OSError:
            return ""

    def stop(self, keep_dir=False):
        """Stops the server by its PID; removes the directory unless told."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None
        if self.own_dir and not keep_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def jid(self, name):
        return "%s@%s" % (name, self.domain)

    # -- the stanza log --------------------------------------------------
    def log_size(self):
        """A mark: stanzas_since(mark) returns what was logged after it."""
        try:
            return os.path.getsize(self.log)
        except OSError:
            return 0

    def log_text(self, since=0):
        try:
            with open(self.log, "rb") as f:
                f.seek(since)
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def stanzas_since(self, mark=0):
        """Every stanza mod_stanza_debug logged after mark, as strings.

        Each log line is `DATE c2sXXX debug SEND|RECV: <stanza>`; a stanza
        may span lines, so continuation lines are joined to the entry.
        """
        entries = []
        cur = None
        head = re.compile(r"^\w{3} \d\d \d\d:\d\d:\d\d ")
        for line in self.log_text(mark).splitlines():
            if head.match(line):
                if cur is not None:
                    entries.append(cur)
                m = re.search(r"\t(SEND|RECV): (.*)$", line)
                cur = m.group(1) + " " + m.group(2) if m else None
            elif cur is not None:
                cur += "\n" + line
        if cur is not None:
            entries.append(cur)
        return entries


def main(argv):
    if len(argv) < 3:
        print("usage: prosody.py DIR NAME...", file=sys.stderr)
        return 2
    directory = os.path.abspath(argv[1])
    os.makedirs(directory, exist_ok=True)
    srv = Prosody({n: n + "-pw" for n in argv[2:]}, directory=directory)
    srv.start()
    print("port=%d pid=%d dir=%s" % (srv.port, srv.proc.pid, srv.dir),
          flush=True)

    def bye(*_):
        # Only signal here: Popen methods are not safe in a handler that
        # may interrupt Popen.wait.
        try:
            os.kill(srv.proc.pid, signal.SIGTERM)
        except OSError:
            pass

    signal.signal(signal.SIGTERM, bye)
    signal.signal(signal.SIGINT, bye)
    signal.signal(signal.SIGHUP, bye)
    while srv.proc.poll() is None:
        time.sleep(0.3)
    srv.stop(keep_dir=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
