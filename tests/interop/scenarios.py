# Offrec interop — the scenarios runner.py plays, and their outcome checks.
# SPDX-License-Identifier: GPL-2.0-or-later
"""Scenarios for runner.py. Each one gets a Ctx (see runner.py), makes its
peers, drives them and raises Fail when an outcome is wrong, or KnownIssue
when a libotr peer shows a documented libotr deviation from the spec."""

import base64
import re
import struct


class Fail(Exception):
    pass


class KnownIssue(Exception):
    pass


class Scenario:
    def __init__(self, name, suite, fn):
        self.name, self.suite, self.fn = name, suite, fn
        self.doc = (fn.__doc__ or '').strip().splitlines()[0]


SCENARIOS = []


def scenario(name, suite='core'):
    def wrap(fn):
        SCENARIOS.append(Scenario(name, suite, fn))
        return fn
    return wrap


def expect(cond, msg):
    if not cond:
        raise Fail(msg)


# ---- wire helpers -------------------------------------------------------

def decode(wire):
    """The bytes of an unfragmented ?OTR:...  message, or None."""
    m = re.match(r'^\?OTR:([A-Za-z0-9+/=]+)\.', wire)
    if not m:
        return None
    try:
        return base64.b64decode(m.group(1), validate=True)
    except ValueError:
        return None


def encode(raw):
    return '?OTR:' + base64.b64encode(raw).decode('ascii') + '.'


def is_data(wire):
    raw = decode(wire)
    return raw is not None and len(raw) >= 3 and raw[2] == 0x03


def data_layout(raw):
    """Offsets of a data message: (flags offset, ciphertext start, end)."""
    ver = struct.unpack('>H', raw[:2])[0]
    off = 3 + (8 if ver == 3 else 0)
    flags = off
    off += 1 + 4 + 4
    (n,) = struct.unpack('>I', raw[off:off + 4])
    off += 4 + n + 8
    (n,) = struct.unpack('>I', raw[off:off + 4])
    return flags, off + 4, off + 4 + n


def ignore_unreadable(wire):
    """True when a data message carries the IGNORE_UNREADABLE flag."""
    raw = decode(wire)
    flags, _, _ = data_layout(raw)
    return bool(raw[flags] & 0x01)


def tamper(wire):
    """Flips one bit of the ciphertext of a data message: a valid message
    whose MAC no longer matches."""
    raw = bytearray(decode(wire))
    _, start, end = data_layout(bytes(raw))
    expect(end > start, 'data message without ciphertext')
    raw[start + (end - start) // 2] ^= 0x01
    return encode(bytes(raw))


# ---- outcome checks -----------------------------------------------------

def check_private(a, b, version=None):
    """Both private with each other's fingerprints and one ssid; returns
    the ssid."""
    sa, sb = a.status(), b.status()
    for p, s, o in ((a, sa, b), (b, sb, a)):
        expect(s.get('state') == 'private',
               '%s is %s, not private' % (p.label, s.get('state')))
        expect(s.get('their_fingerprint') == o.fingerprint,
               '%s sees fingerprint %s, %s has %s'
               % (p.label, s.get('their_fingerprint'), o.label,
                  o.fingerprint))
        expect(re.fullmatch('[0-9a-f]{16}', s.get('ssid') or '') is not None,
               '%s: bad ssid %r' % (p.label, s.get('ssid')))
    expect(sa['ssid'] == sb['ssid'],
           'ssids differ: %s %s' % (sa['ssid'], sb['ssid']))
    expect(sa.get('version') == sb.get('version'),
           'versions differ: %s %s' % (sa.get('version'), sb.get('version')))
    if version is not None:
        expect(sa.get('version') == version,
               'version %s, expected %d' % (sa.get('version'), version))
    for p, s in ((a, sa), (b, sb)):
        last = p.states[-1] if p.states else {}
        expect(last.get('state') == 'private' and last.get('ssid') ==
               s['ssid'], '%s printed no state event for ssid %s'
               % (p.label, s['ssid']))
    return sa['ssid']


def establish(ctx, a, b, starter=None, version=None):
    (starter or a).op('start')
    ctx.net.pump()
    return check_private(a, b, version)


def talk(ctx, src, dst, text, private=True, leak_check=None):
    """src types text; it must arrive at dst once, intact, with the private
    flag; when private (or leak_check), it must not cross in plaintext."""
    n0, w0 = len(dst.messages), len(src.wires)
    src.op('send', text=text)
    ctx.net.pump()
    got = dst.messages[n0:]
    expect(got == [(text, private)],
           '%s sent %r (private %s); %s shows %r'
           % (src.label, text[:60], private, dst.label,
              [(t[:60] if isinstance(t, str) else t, f) for t, f in got]))
    if leak_check is None:
        leak_check = private
    if leak_check:
        no_leak(src, text, w0)


def no_leak(src, text, since=0):
    for w in src.wires[since:]:
        expect(text not in w,
               '%s put typed text in plaintext on the wire: %.80r'
               % (src.label, w))


def same_session(a, b, ssid):
    expect(check_private(a, b) == ssid, 'the session changed')


TEXTS = [
    'hello', 'Grüße aus Köln — ça va? ñ', '日本語のテキスト、中文，한국어',
    'emoji 🔐🗝️👩‍💻 and a ZWJ', 'مرحبا بالعالم (right to left)',
    'line one\nline two\n\ttabbed', '<b>not html</b> &amp; "quotes" \'q\'',
    'x' * 2048, 'ü' * 700, '?OTR looks like OTR but is not',
    ' leading and trailing spaces ', 'a' * 300 + '🙂' * 50,
]


def many_texts(n):
    out = []
    for i in range(n):
        out.append('m%02d %s' % (i, TEXTS[i % len(TEXTS)]))
    return out


def settle_errors(ctx):
    """Carries any OTR error messages the last step produced."""
    ctx.net.pump()


# ---- core scenarios -----------------------------------------------------

@scenario('ake-a-starts')
def sc_ake_a(ctx):
    """AKE by query from a; messages both ways."""
    a, b = ctx.pair()
    establish(ctx, a, b, a, 3)
    talk(ctx, a, b, 'first private message from a')
    talk(ctx, b, a, 'first private reply from b')


@scenario('ake-b-starts')
def sc_ake_b(ctx):
    """AKE by query from b; messages both ways."""
    a, b = ctx.pair()
    establish(ctx, a, b, b, 3)
    talk(ctx, b, a, 'first private message from b')
    talk(ctx, a, b, 'first private reply from a')


@scenario('v2-only')
def sc_v2(ctx):
    """Both allow only version 2: a v2 session."""
    a, b = ctx.pair({'versions': '2'}, {'versions': '2'})
    establish(ctx, a, b, a, 2)
    talk(ctx, a, b, 'version two message')
    talk(ctx, b, a, 'version two reply')


@scenario('mixed-a23-b2')
def sc_mixed1(ctx):
    """a allows 2 and 3, b only 2: they agree on 2."""
    a, b = ctx.pair({'versions': '23'}, {'versions': '2'})
    establish(ctx, a, b, a, 2)
    talk(ctx, a, b, 'mixed versions a to b')
    talk(ctx, b, a, 'mixed versions b to a')


@scenario('mixed-a2-b23')
def sc_mixed2(ctx):
    """a allows only 2, b 2 and 3: they agree on 2 (b starts)."""
    a, b = ctx.pair({'versions': '2'}, {'versions': '23'})
    establish(ctx, a, b, b, 2)
    talk(ctx, a, b, 'mixed versions a to b')
    talk(ctx, b, a, 'mixed versions b to a')


@scenario('whitespace-start')
def sc_whitespace(ctx):
    """Opportunistic: a whitespace-tagged plaintext starts the AKE."""
    a, b = ctx.pair({'policy': 'opportunistic'}, {'policy': 'opportunistic'})
    talk(ctx, a, b, 'plain hello with a tag', private=False)
    w = [x for x in a.wires if x.startswith('plain hello with a tag')]
    expect(w and w[0] != 'plain hello with a tag'
           and w[0].endswith(('  \t\t  \t ', '  \t\t  \t\t')),
           'no whitespace tag on the first plaintext: %r' % w[:1])
    ctx.net.pump()
    check_private(a, b, 3)
    talk(ctx, a, b, 'now private after the tag')
    talk(ctx, b, a, 'private reply after the tag')


@scenario('always-hold')
def sc_always(ctx):
    """Policy always: the first message is held, never sent in plaintext,
    and delivered encrypted once the AKE completes."""
    a, b = ctx.pair({'policy': 'always'}, {'policy': 'manual'})
    secret = 'held until private: 4711'
    n0 = len(b.messages)
    a.op('send', text=secret)
    no_leak(a, secret)
    ctx.net.pump()
    check_private(a, b)
    got = b.messages[n0:]
    expect(got == [(secret, True)],
           'held message arrived as %r' % got)
    no_leak(a, secret)
    talk(ctx, b, a, 'reply to the held message')


@scenario('many-messages')
def sc_many(ctx):
    """44 messages both ways: unicode, newlines, 2 KB, 300+ characters."""
    a, b = ctx.pair()
    establish(ctx, a, b)
    for i, t in enumerate(many_texts(44)):
        if i % 3 == 2:
            talk(ctx, b, a, t)
        else:
            talk(ctx, a, b, t)


def bad_delivery(ctx, a, b, mangle, what):
    """a sends; b gets mangle(wires) instead; b must show nothing, report
    an error, and the session must go on."""
    ssid = establish(ctx, a, b)
    talk(ctx, a, b, 'before the %s' % what)
    text = 'victim of the %s' % what
    a.op('send', text=text)
    wires = ctx.net.take(a, b)
    expect(wires and all(is_data(w) for w in wires),
           'expected one data message, got %r' % wires)
    m0, e0 = len(b.messages), len(b.errors)
    for w in mangle(wires):
        ctx.net.deliver(b, w, a)
    shown = [m for m in b.messages[m0:] if m[1]]
    if what == 'replay':
        shown = [m for m in b.messages[m0:]]
        expect(shown == [(text, True)], 'replayed message shown as %r'
               % shown)
    else:
        expect(shown == [], '%s message shown as private: %r'
               % (what, shown))
        expect(all(text not in (m[0] or '') for m in b.messages[m0:]),
               '%s text shown' % what)
    expect(len(b.errors) > e0, 'no error for the %s message' % what)
    settle_errors(ctx)
    same_session(a, b, ssid)
    talk(ctx, a, b, 'after the %s' % what)
    talk(ctx, b, a, 'reply after the %s' % what)


@scenario('replay')
def sc_replay(ctx):
    """A data message delivered twice: shown once, the copy refused."""
    a, b = ctx.pair()
    bad_delivery(ctx, a, b, lambda ws: ws + ws, 'replay')


@scenario('tamper')
def sc_tamper(ctx):
    """One ciphertext bit flipped: refused with an error, session goes on."""
    a, b = ctx.pair()
    bad_delivery(ctx, a, b, lambda ws: [tamper(w) for w in ws], 'tamper')


@scenario('truncate')
def sc_truncate(ctx):
    """A data message cut in half: refused with an error."""
    a, b = ctx.pair()
    bad_delivery(ctx, a, b, lambda ws: [w[:len(w) // 2] for w in ws],
                 'truncated')


@scenario('drop')
def sc_drop(ctx):
    """A lost data message does not break later ones; a lost AKE message
    is recovered by starting again."""
    a, b = ctx.pair()
    a.op('start')
    ctx.net.take(a, b)  # the query is lost
    ctx.net.pump()
    expect(b.status().get('state') == 'plaintext', 'b private without query')
    establish(ctx, a, b)
    a.op('send', text='this one is lost')
    ctx.net.take(a, b)
    talk(ctx, a, b, 'this one arrives')
    talk(ctx, b, a, 'and the reply too')
    expect(all('this one is lost' != m[0] for m in b.messages),
           'the dropped message arrived')


@scenario('reorder-duplicate')
def sc_reorder(ctx):
    """Three messages delivered 3,1,2 and 3 again: the newest arrives once;
    older ones arrive intact or are refused, never twice or garbled."""
    a, b = ctx.pair()
    ssid = establish(ctx, a, b)
    texts = ['reordered one', 'reordered two', 'reordered three']
    wires = []
    for t in texts:
        a.op('send', text=t)
        wires += ctx.net.take(a, b)
    expect(len(wires) == 3, 'expected 3 wires, got %d' % len(wires))
    m0 = len(b.messages)
    for w in (wires[2], wires[0], wires[1], wires[2]):
        ctx.net.deliver(b, w, a)
    got = b.messages[m0:]
    expect(got.count((texts[2], True)) == 1, 'newest not shown once: %r'
           % got)
    for t, f in got:
        expect(t in texts and f is True, 'unexpected %r' % ((t, f),))
        expect(got.count((t, f)) == 1, '%r shown twice' % t)
    settle_errors(ctx)
    same_session(a, b, ssid)
    talk(ctx, a, b, 'in order again')


def fragments(ctx, size):
    a, b = ctx.pair({'max_message_size': size}, {'max_message_size': size})
    establish(ctx, a, b)
    for i, t in enumerate(many_texts(12)):
        talk(ctx, a if i % 2 == 0 else b, b if i % 2 == 0 else a, t)
    frag = [w for w in a.wires + b.wires if re.match(r'\?OTR[|,]', w)]
    expect(frag, 'nothing was fragmented at %d bytes' % size)


@scenario('fragments-140')
def sc_frag140(ctx):
    """--max-message-size 140 on both: AKE and messages in fragments."""
    fragments(ctx, 140)


@scenario('fragments-400')
def sc_frag400(ctx):
    """--max-message-size 400 on both."""
    fragments(ctx, 400)


@scenario('end-finished')
def sc_end(ctx):
    """a ends: b is finished, refuses to send, nothing goes out in
    plaintext; b can start again."""
    a, b = ctx.pair()
    establish(ctx, a, b)
    a.op('end')
    ctx.net.pump()
    expect(a.status().get('state') == 'plaintext', 'a not plaintext after end')
    expect(b.status().get('state') == 'finished', 'b not finished')
    secret = 'typed after the end: 0815'
    e0, m0 = len(b.errors), len(a.messages)
    w0 = len(b.wires)
    b.op('send', text=secret)
    no_leak(b, secret, w0)
    expect(len(b.errors) > e0, 'b gave no error for a refused message')
    ctx.net.pump()
    expect(all(secret != m[0] for m in a.messages[m0:]),
           'the refused message arrived')
    expect(b.status().get('state') == 'finished', 'b left finished')
    talk(ctx, a, b, 'plaintext from a after the end', private=False)
    establish(ctx, a, b, b)
    talk(ctx, b, a, 'private again')


@scenario('refresh')
def sc_refresh(ctx):
    """start while private: a new AKE, a new ssid on both sides."""
    a, b = ctx.pair()
    s1 = establish(ctx, a, b)
    talk(ctx, a, b, 'before refresh')
    s2 = establish(ctx, a, b)
    expect(s1 != s2, 'the ssid did not change (%s)' % s1)
    talk(ctx, a, b, 'after refresh')
    talk(ctx, b, a, 'reply after refresh')


def otr_type(wire):
    raw = decode(wire)
    return raw[2] if raw is not None and len(raw) >= 3 else None


@scenario('restart')
def sc_restart(ctx):
    """b restarts mid-session: it has no session, cannot read a's next
    message, and a new AKE works."""
    a, b = ctx.pair()
    s1 = establish(ctx, a, b)
    talk(ctx, a, b, 'before the restart')
    b.stop()
    b.reset_record()
    b.start()
    expect(b.status().get('state') == 'plaintext',
           'b has a session after restart')
    m0, e0, ev0 = len(b.messages), len(b.errors), len(b.events)
    a.op('send', text='sent into the void')
    ctx.net.pump()
    expect(not any(m[1] or m[0] == 'sent into the void'
                   for m in b.messages[m0:]),
           'b showed a message of the old session')
    if len(b.errors) == e0:
        silent = all(e.get('ev') == 'log' for e in b.events[ev0:])
        expect(b.is_libotr() and silent,
               'b gave no error for an unreadable message')
        # libotr 4.1 message.c: a v3 data message from an instance tag it
        # has no context for creates a child context and is dropped
        # (ignore_message) without telling the user or sending the OTR
        # error message the spec asks for in MSGSTATE_PLAINTEXT.
        ctx.known('b (libotr) silently drops a v3 data message of a session '
                  'it no longer has: no error to the user, no OTR error '
                  'message to a (spec: "reply with an Error Message")')
    s2 = establish(ctx, a, b, b)
    expect(s1 != s2, 'same ssid after the restart')
    talk(ctx, a, b, 'after the restart')
    talk(ctx, b, a, 'reply after the restart')


@scenario('two-instances')
def sc_instances(ctx):
    """bob runs twice (same key, two instance tags, v3): alice keeps one
    session with each, and each message goes to exactly one of them."""
    a = ctx.peer('a', versions='3')
    b1 = ctx.peer('b', label='b1', versions='3', instag=0x1111aaaa)
    b2 = ctx.peer('b', label='b2', versions='3', instag=0x2222bbbb,
                  key=b1.key)
    expect(b1.fingerprint == b2.fingerprint, 'same key, two fingerprints')
    for b in (b1, b2):
        ctx.net.link(a, b)
        ctx.net.link(b, a)
    # a's D-H Commit answers b1's query but reaches both instances (it is
    # addressed to instance 0), so b2 may go private here too.
    b1.op('start')
    ctx.net.pump()
    if b2.status().get('state') != 'private':
        b2.op('start')
        ctx.net.pump()
    ssids = {}
    for b in (b1, b2):
        s = b.status()
        expect(s.get('state') == 'private', '%s not private' % b.label)
        expect(s.get('their_fingerprint') == a.fingerprint,
               '%s sees the wrong fingerprint' % b.label)
        expect(s.get('version') == 3, '%s: version %s' % (b.label,
                                                          s.get('version')))
        ssids[b.label] = s['ssid']
    expect(ssids['b1'] != ssids['b2'], 'both instances share an ssid')
    sa = a.status()
    expect(sa.get('state') == 'private' and
           sa.get('their_fingerprint') == b1.fingerprint,
           'a is not private with bob: %r' % sa)
    expect(sa.get('ssid') in ssids.values(),
           'a sends to an unknown session %s' % sa.get('ssid'))
    talk(ctx, b1, a, 'from the first instance')
    talk(ctx, b2, a, 'from the second instance')
    target = a.status()['ssid']
    want = b1 if target == ssids['b1'] else b2
    m1, m2 = len(b1.messages), len(b2.messages)
    a.op('send', text='to one instance only')
    ctx.net.pump()
    got = {b1.label: [m for m in b1.messages[m1:] if m[1]],
           b2.label: [m for m in b2.messages[m2:] if m[1]]}
    expect(got[want.label] == [('to one instance only', True)] and
           sum(len(v) for v in got.values()) == 1,
           'a reported session %s (%s); delivered %r'
           % (target, want.label, got))
    for b in (b1, b2):
        expect(b.status().get('ssid') == ssids[b.label],
               '%s lost its session' % b.label)


@scenario('simultaneous-start')
def sc_simultaneous(ctx):
    """Both send start before anything is delivered: one session."""
    a, b = ctx.pair()
    a.op('start')
    b.op('start')
    ctx.net.pump()
    try:
        check_private(a, b, 3)
    except Fail as e:
        # libotr 4.1 (message.c): each D-H Commit arrives from a new
        # instance, so a fresh child context answers it with a D-H Key
        # although the master context awaits a D-H Key itself (the spec's
        # "compare hashes, the larger commit wins" never runs). Each D-H Key
        # then makes libotr copy the master's commit state into the child
        # and send a Reveal Signature: both sides wait for a Signature, and
        # the AKE stalls.
        stuck = [p for p in (a, b) if p.is_libotr()
                 and 0x0a in map(otr_type, p.wires)
                 and 0x11 in map(otr_type, p.wires)]
        if not stuck:
            raise
        ctx.known('simultaneous D-H Commits: %s answered the other commit '
                  'with a D-H Key and then sent a Reveal Signature for its '
                  'own; the AKE stalls (%s)'
                  % (','.join(p.label for p in stuck), e))
        establish(ctx, a, b, a, 3)  # a second start recovers
    talk(ctx, a, b, 'after simultaneous start')
    talk(ctx, b, a, 'reply after simultaneous start')


from scenarios_smp import *  # noqa: E402,F401,F403  (registers SMP suite)
