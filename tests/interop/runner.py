#!/usr/bin/env python3
# Offrec interop — runs OTR peers against each other (PEER-PROTOCOL.md), TAP.
# SPDX-License-Identifier: GPL-2.0-or-later
"""Interop runner: starts peers that follow PEER-PROTOCOL.md, carries their
wire messages between them (optionally dropping, duplicating, reordering,
truncating or tampering with them, or restarting a peer), and checks
outcomes only: private with each other's fingerprints and one ssid, every
text once and intact with the right private flag, no typed text in
plaintext where forbidden, refused bad data messages that do not end the
session, SMP results, extra keys, and wire sizes.

    runner.py --a CMD --b CMD [--a-name N --b-name N] [--suite core|smp|all]
    runner.py --ours CMD --libotr CMD --pairs ours-libotr,libotr-libotr
    runner.py ... --only NAME[,NAME...] [--list] [-v]

Where an implementation (libotr) is known to break the spec, a scenario
checks that the known symptom is what happened and reports
`not ok N - ... # TODO known libotr bug: ...` (an expected failure), never a
pass of the spec behaviour.
"""

import argparse
import json
import os
import queue
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True  # keep the source tree clean
from scenarios import SCENARIOS, Fail, KnownIssue  # noqa: E402

OP_TIMEOUT = 30.0


class PeerDied(Exception):
    pass


class Peer:
    """One peer process and what it has told us so far."""

    def __init__(self, ctx, label, cmd, account, remote, key, **opts):
        self.ctx, self.label, self.cmd = ctx, label, cmd
        self.account, self.remote, self.key = account, remote, key
        self.opts = opts
        self.proc = None
        self.reset_record()

    def reset_record(self):
        self.messages = []  # (text, private)
        self.errors = []
        self.smp = []  # (status, question)
        self.extra = []  # (key, use, context)
        self.states = []  # state events
        self.wires = []  # every wire it emitted
        self.events = []

    # -- process ------------------------------------------------------
    def argv(self):
        argv = shlex.split(self.cmd) + [
            '--account', self.account, '--peer', self.remote,
            '--key', self.key]
        for name in ('protocol', 'versions', 'policy', 'instag',
                     'max_message_size'):
            if self.opts.get(name) is not None:
                argv += ['--' + name.replace('_', '-'), str(self.opts[name])]
        return argv

    def start(self):
        self.ctx.cache_get(self)
        self.stderr = tempfile.TemporaryFile(dir=self.ctx.tmp)
        self.proc = subprocess.Popen(
            self.argv(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self.stderr, cwd=self.ctx.tmp)
        self.lines = queue.Queue()
        t = threading.Thread(target=self._reader, args=(self.proc, self.lines),
                             daemon=True)
        t.start()
        ready = self._next(OP_TIMEOUT, 'ready')
        if ready.get('ev') != 'ready':
            raise Fail('%s: first line is not ready: %r' % (self.label, ready))
        self.ready = ready
        self.impl = ready.get('impl', '?')
        self.fingerprint = ready.get('fingerprint')
        self.instag = ready.get('instag')
        self.ctx.log('%s< %s' % (self.label, ready))
        self.ctx.cache_put(self)
        if not (isinstance(self.fingerprint, str)
                and len(self.fingerprint) == 40):
            raise Fail('%s: bad fingerprint in ready' % self.label)

    @staticmethod
    def _reader(proc, lines):
        for raw in proc.stdout:
            lines.put(raw)
        lines.put(None)

    def _next(self, timeout, what):
        try:
            raw = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise Fail('%s: no answer to %s within %.0f s'
                       % (self.label, what, timeout))
        if raw is None:
            raise PeerDied('%s: exited (status %s) during %s; stderr: %s'
                           % (self.label, self.proc.wait(), what,
                              self.stderr_tail()))
        try:
            ev = json.loads(raw.decode('utf-8'))
        except (ValueError, UnicodeDecodeError) as e:
            raise Fail('%s: not a JSON line: %r (%s)' % (self.label, raw, e))
        if not isinstance(ev, dict):
            raise Fail('%s: not a JSON object: %r' % (self.label, raw))
        return ev

    def stderr_tail(self):
        try:
            self.stderr.seek(0)
            return self.stderr.read()[-2000:].decode('utf-8', 'replace')
        except (OSError, ValueError):
            return ''

    def op(self, name, **fields):
        """Runs one operation; returns its events (without done)."""
        msg = dict(op=name, **fields)
        line = json.dumps(msg, ensure_ascii=False) + '\n'
        self.ctx.log('%s> %s' % (self.label, line.rstrip('\n')))
        try:
            self.proc.stdin.write(line.encode('utf-8'))
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise PeerDied('%s: stdin closed; stderr: %s'
                           % (self.label, self.stderr_tail()))
        deadline = time.monotonic() + OP_TIMEOUT
        out = []
        while True:
            ev = self._next(max(0.1, deadline - time.monotonic()), name)
            if ev.get('ev') != 'log' or self.ctx.verbose:
                self.ctx.log('%s< %s' % (self.label,
                                         json.dumps(ev, ensure_ascii=False)))
            if ev.get('ev') == 'done':
                break
            out.append(ev)
            self._record(ev)
        return out

    def _record(self, ev):
        kind = ev.get('ev')
        self.events.append(ev)
        if kind == 'wire':
            w = ev.get('wire')
            if not isinstance(w, str):
                raise Fail('%s: wire without a string' % self.label)
            self.wires.append(w)
            self.ctx.check_size(self, w)
            self.ctx.net.emit(self, w)
        elif kind == 'message':
            self.messages.append((ev.get('text'), ev.get('private')))
        elif kind == 'error':
            self.errors.append(ev.get('text'))
        elif kind == 'smp':
            self.smp.append((ev.get('status'), ev.get('question')))
        elif kind == 'extra-key':
            self.extra.append((ev.get('key'), ev.get('use'),
                               ev.get('context')))
        elif kind == 'state':
            self.states.append(ev)

    def status(self):
        evs = [e for e in self.op('status') if e.get('ev') == 'status']
        if len(evs) != 1:
            raise Fail('%s: status gave %d status events'
                       % (self.label, len(evs)))
        return evs[0]

    def stop(self, graceful=True):
        if self.proc is None:
            return
        try:
            if graceful and self.proc.poll() is None:
                self.op('quit')
                self.proc.wait(timeout=OP_TIMEOUT)
        except (Fail, PeerDied, subprocess.TimeoutExpired, OSError):
            pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def is_libotr(self):
        return self.impl.startswith('libotr')


class Net:
    """The IM network: per-link queues of wires, with a fault hook."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.links = {}  # sender label -> [receiver peers]
        self.queues = {}  # (src label, dst label) -> list of wires
        self.fault = None  # f(src, dst, wire) -> list of wires to queue
        self.delivered = []  # (src label, dst label, wire)

    def link(self, src, dst):
        self.links.setdefault(src.label, []).append(dst)
        self.queues.setdefault((src.label, dst.label), [])

    def emit(self, src, wire):
        for dst in self.links.get(src.label, []):
            wires = [wire]
            if self.fault is not None:
                wires = self.fault(src, dst, wire)
            self.queues[(src.label, dst.label)].extend(wires)

    def pending(self):
        return sum(len(q) for q in self.queues.values())

    def take(self, src, dst):
        """Removes and returns the wires queued from src to dst."""
        q = self.queues[(src.label, dst.label)]
        out = list(q)
        del q[:]
        return out

    def deliver(self, dst, wire, src=None):
        self.delivered.append((src.label if src else '?', dst.label, wire))
        return dst.op('recv', wire=wire)

    def pump(self, limit=2000):
        """Delivers until every queue is empty."""
        steps = 0
        while True:
            moved = False
            for (s, d), q in list(self.queues.items()):
                if q:
                    w = q.pop(0)
                    dst = self.ctx.peers[d]
                    self.deliver(dst, w, self.ctx.peers[s])
                    moved = True
                    steps += 1
                    if steps > limit:
                        raise Fail('network does not settle after %d '
                                   'deliveries (message loop?)' % limit)
            if not moved:
                return


class Ctx:
    """One scenario run for one pairing."""

    def __init__(self, run, a_cmd, b_cmd):
        self.run, self.a_cmd, self.b_cmd = run, a_cmd, b_cmd
        self.verbose = run.verbose
        self.tmp = tempfile.mkdtemp(prefix='offrec-interop-')
        self.transcript = []
        self.peers = {}
        self.net = Net(self)
        self.max_sizes = {}
        self.notes = []
        self.known_issues = []

    def log(self, line):
        self.transcript.append(line)

    def note(self, text):
        self.notes.append(text)

    def known(self, text):
        """A documented deviation of libotr: the scenario goes on, and is
        reported as an expected failure (TAP TODO), not as a pass."""
        self.known_issues.append(text)

    def peer(self, side, label=None, account=None, remote=None,
             start=True, key=None, **opts):
        """Makes peer from command a or b; default accounts alice/bob."""
        cmd = self.a_cmd if side == 'a' else self.b_cmd
        account = account or ('alice@example.org' if side == 'a'
                              else 'bob@example.org')
        remote = remote or ('bob@example.org' if side == 'a'
                            else 'alice@example.org')
        label = label or side
        key = key or os.path.join(self.tmp, label + '.key')
        p = Peer(self, label, cmd, account, remote, key, **opts)
        p.cache_tag = '%s-%s' % (os.path.basename(shlex.split(cmd)[0]),
                                 account)
        self.peers[label] = p
        if opts.get('max_message_size'):
            self.max_sizes[label] = int(opts['max_message_size'])
        if start:
            p.start()
        return p

    def pair(self, a_opts=None, b_opts=None):
        a = self.peer('a', **(a_opts or {}))
        b = self.peer('b', **(b_opts or {}))
        self.net.link(a, b)
        self.net.link(b, a)
        return a, b

    # -- key cache ----------------------------------------------------
    def cache_files(self, p):
        base = os.path.join(self.run.keycache, p.cache_tag)
        return base

    def cache_get(self, p):
        base = self.cache_files(p)
        d = os.path.dirname(base)
        if not os.path.isdir(d):
            return
        prefix = os.path.basename(base) + '.key'
        for f in os.listdir(d):
            if f.startswith(prefix) and not os.path.exists(
                    p.key + f[len(prefix):]):
                shutil.copy(os.path.join(d, f), p.key + f[len(prefix):])

    def cache_put(self, p):
        base = self.cache_files(p)
        os.makedirs(os.path.dirname(base), exist_ok=True)
        kdir, kname = os.path.split(p.key)
        for f in os.listdir(kdir):
            if f.startswith(kname):
                dst = base + '.key' + f[len(kname):]
                if not os.path.exists(dst):
                    tmp = dst + '.%d.tmp' % os.getpid()
                    shutil.copy(os.path.join(kdir, f), tmp)
                    os.replace(tmp, dst)

    # -- checks -------------------------------------------------------
    def check_size(self, p, wire):
        n = self.max_sizes.get(p.label)
        if n and wire.startswith('?OTR') and len(wire.encode('utf-8')) > n:
            raise Fail('%s sent a %d-byte wire over --max-message-size %d: '
                       '%.80s...' % (p.label, len(wire.encode('utf-8')), n,
                                     wire))

    def close(self):
        for p in list(self.peers.values()):
            p.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


class Run:
    def __init__(self, args):
        self.verbose = args.verbose
        self.keycache = (os.environ.get('OFFREC_KEYCACHE')
                         or os.path.join(tempfile.gettempdir(),
                                         'offrec-interop-keys'))
        self.n = 0
        self.failed = 0

    def scenario(self, pair_name, sc, a_cmd, b_cmd):
        self.n += 1
        ctx = Ctx(self, a_cmd, b_cmd)
        desc = '%s %s' % (pair_name, sc.name)
        status, detail = 'ok', None
        t0 = time.monotonic()
        try:
            sc.fn(ctx)
            if ctx.known_issues:
                raise KnownIssue('\n'.join(ctx.known_issues))
        except KnownIssue as e:
            status, detail = 'todo', str(e)
        except (Fail, PeerDied) as e:
            status, detail = 'fail', str(e)
        except Exception as e:  # a runner bug: report, keep going
            import traceback
            status = 'fail'
            detail = 'runner exception: %s\n%s' % (e, traceback.format_exc())
        finally:
            ctx.close()
        dt = time.monotonic() - t0
        if status == 'ok':
            print('ok %d - %s' % (self.n, desc))
        elif status == 'todo':
            print('not ok %d - %s # TODO known libotr bug: %s'
                  % (self.n, desc, detail.splitlines()[0]))
            for line in detail.splitlines()[1:]:
                print('# ' + line)
        else:
            self.failed += 1
            print('not ok %d - %s' % (self.n, desc))
            for line in detail.splitlines():
                print('# ' + line)
            tail = ctx.transcript[-150:]
            if len(ctx.transcript) > len(tail):
                print('# ... %d earlier transcript lines'
                      % (len(ctx.transcript) - len(tail)))
            for line in tail:
                print('#   ' + line[:400])
        for n in ctx.notes:
            print('# note: ' + n)
        if self.verbose:
            print('# %.1f s' % dt)
        sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--a', help='command of peer a')
    ap.add_argument('--b', help='command of peer b')
    ap.add_argument('--a-name', help='name of implementation a')
    ap.add_argument('--b-name', help='name of implementation b')
    ap.add_argument('--ours', help='command of our peer')
    ap.add_argument('--libotr', help='command of the libotr peer')
    ap.add_argument('--pairs', help='e.g. ours-ours,ours-libotr,libotr-ours,'
                    'libotr-libotr (with --ours/--libotr)')
    ap.add_argument('--suite', default=os.environ.get('OFFREC_INTEROP_SUITE',
                                                      'core'),
                    choices=['core', 'smp', 'all'])
    ap.add_argument('--only', help='comma-separated scenario names')
    ap.add_argument('--list', action='store_true')
    ap.add_argument('-v', '--verbose', action='store_true')
    args = ap.parse_args()

    scen = [s for s in SCENARIOS
            if args.suite == 'all' or s.suite == args.suite]
    if args.only:
        wanted = set(args.only.split(','))
        unknown = wanted - {s.name for s in SCENARIOS}
        if unknown:
            ap.error('unknown scenario(s): ' + ', '.join(sorted(unknown)))
        scen = [s for s in SCENARIOS if s.name in wanted]
    if args.list:
        for s in scen:
            print('%-24s %-5s %s' % (s.name, s.suite, s.doc))
        return 0

    pairings = []
    if args.pairs:
        cmds = {'ours': args.ours, 'libotr': args.libotr}
        for pr in args.pairs.split(','):
            try:
                x, y = pr.split('-')
            except ValueError:
                ap.error('bad pair %r' % pr)
            if not cmds.get(x) or not cmds.get(y):
                ap.error('pair %s needs --%s and --%s' % (pr, x, y))
            pairings.append(('%s↔%s' % (x, y), cmds[x], cmds[y]))
    elif args.a and args.b:
        an = args.a_name or os.path.basename(shlex.split(args.a)[0])
        bn = args.b_name or os.path.basename(shlex.split(args.b)[0])
        pairings.append(('%s↔%s' % (an, bn), args.a, args.b))
    else:
        ap.error('give --a and --b, or --pairs with --ours/--libotr')

    run = Run(args)
    print('1..%d' % (len(scen) * len(pairings)))
    sys.stdout.flush()
    for name, a_cmd, b_cmd in pairings:
        for s in scen:
            run.scenario(name, s, a_cmd, b_cmd)
    return 1 if run.failed else 0


if __name__ == '__main__':
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.exit(main())
