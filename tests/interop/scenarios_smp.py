# Offrec interop — SMP and extra-key scenarios (runner.py --suite smp).
# SPDX-License-Identifier: GPL-2.0-or-later
"""SMP scenarios: results on both sides, aborts at each step, SMP mixed with
data, in fragments, started by both, tampered; the extra symmetric key."""

from scenarios import (scenario, expect, establish, talk, tamper, is_data,
                       same_session, ignore_unreadable, Fail)

SUITE = 'smp'


def smp_new(p, n0):
    return [s for s, _ in p.smp[n0:]]


def run_smp(ctx, a, b, secret_a, secret_b, question=None):
    """a starts SMP, b answers; returns the new statuses of a and b."""
    na, nb = len(a.smp), len(b.smp)
    fields = {'secret': secret_a}
    if question is not None:
        fields['question'] = question
    a.op('smp-start', **fields)
    ctx.net.pump()
    asked = b.smp[nb:]
    expect(asked and asked[-1][0] == 'asked',
           'b was not asked: %r' % asked)
    expect(asked[-1][1] == question,
           'b was asked %r, a asked %r' % (asked[-1][1], question))
    b.op('smp-respond', secret=secret_b)
    ctx.net.pump()
    return smp_new(a, na), smp_new(b, nb)


def expect_result(sa, sb, result):
    expect(sa and sa[-1] == result, 'a ended SMP with %r, not %s' % (sa,
                                                                     result))
    expect(sb and sb[-1] == result, 'b ended SMP with %r, not %s' % (sb,
                                                                     result))


@scenario('smp-question', SUITE)
def sc_smp_question(ctx):
    """SMP with a question and equal answers: success on both sides."""
    a, b = ctx.pair()
    ssid = establish(ctx, a, b)
    sa, sb = run_smp(ctx, a, b, 'blue whale 42', 'blue whale 42',
                     'Our favourite animal? — ünïcode')
    expect_result(sa, sb, 'success')
    same_session(a, b, ssid)
    talk(ctx, a, b, 'after a successful SMP')


@scenario('smp-secret', SUITE)
def sc_smp_secret(ctx):
    """SMP with a shared secret and no question: success."""
    a, b = ctx.pair()
    establish(ctx, a, b, b)
    sa, sb = run_smp(ctx, b, a, 'correct horse', 'correct horse')
    expect_result(sb, sa, 'success')


@scenario('smp-failure', SUITE)
def sc_smp_failure(ctx):
    """Different secrets: failure on both sides, session goes on."""
    a, b = ctx.pair()
    ssid = establish(ctx, a, b)
    sa, sb = run_smp(ctx, a, b, 'one secret', 'another secret', 'Which?')
    expect_result(sa, sb, 'failure')
    same_session(a, b, ssid)
    talk(ctx, b, a, 'after a failed SMP')


def smp_abort(ctx, step, who):
    """Runs SMP by hand; `who` aborts while SMP message `step` (1-4) is the
    next one it has to deal with: a1 = b was asked, a aborts; b1 = b aborts
    instead of answering; a2/b2 = SMP2 on its way to a; b3 = SMP3 on its
    way to b; a4 = SMP4 on its way to a (b has already succeeded)."""
    a, b = ctx.pair()
    ssid = establish(ctx, a, b)
    na, nb = len(a.smp), len(b.smp)
    a.op('smp-start', secret='shared')
    ctx.net.pump()
    expect(smp_new(b, nb)[-1:] == ['asked'], 'b was not asked')
    if step >= 2:
        b.op('smp-respond', secret='shared')  # SMP2 queued, not delivered
    if step >= 3:
        for w in ctx.net.take(b, a):
            ctx.net.deliver(a, w, b)  # a answers with SMP3, queued
    if step >= 4:
        for w in ctx.net.take(a, b):
            ctx.net.deliver(b, w, a)  # b answers with SMP4, queued
    aborter, other = (a, b) if who == 'a' else (b, a)
    n_aborter, n_other = len(aborter.smp), len(other.smp)
    aborter.op('smp-abort')
    ctx.net.pump()
    sa, sb = smp_new(a, na), smp_new(b, nb)
    expect('success' not in smp_new(aborter, n_aborter),
           '%s succeeded after its abort: a %r b %r' % (aborter.label, sa, sb))
    if step < 4:
        expect('success' not in sa + sb, 'success after an abort: a %r b %r'
               % (sa, sb))
    expect('aborted' in smp_new(other, n_other),
           '%s did not see the abort: %r' % (other.label,
                                             smp_new(other, n_other)))
    same_session(a, b, ssid)
    sa, sb = run_smp(ctx, a, b, 'again', 'again')
    expect_result(sa, sb, 'success')


def _abort_scenario(step, who):
    def fn(ctx):
        smp_abort(ctx, step, who)
    fn.__doc__ = ('%s aborts SMP at step %d; the other side sees it, and a '
                  'new SMP succeeds.' % (who, step))
    return fn


for _step, _who in ((1, 'a'), (1, 'b'), (2, 'a'), (2, 'b'), (3, 'b'),
                    (4, 'a')):
    scenario('smp-abort-%s%d' % (_who, _step), SUITE)(
        _abort_scenario(_step, _who))


@scenario('smp-interleaved', SUITE)
def sc_smp_interleaved(ctx):
    """Data messages between every SMP message, both directions."""
    a, b = ctx.pair()
    establish(ctx, a, b)
    na, nb = len(a.smp), len(b.smp)
    a.op('smp-start', secret='mixed', question='Mixed?')
    talk(ctx, a, b, 'data right after smp-start')
    talk(ctx, b, a, 'data from b before answering')
    expect(smp_new(b, nb)[-1:] == ['asked'], 'b was not asked')
    b.op('smp-respond', secret='mixed')  # SMP2 queued before the data
    talk(ctx, b, a, 'data from b after answering')
    talk(ctx, a, b, 'data from a in the middle')
    ctx.net.pump()
    expect_result(smp_new(a, na), smp_new(b, nb), 'success')


@scenario('smp-fragments', SUITE)
def sc_smp_fragments(ctx):
    """SMP messages in fragments (max size 400)."""
    a, b = ctx.pair({'max_message_size': 400}, {'max_message_size': 400})
    establish(ctx, a, b)
    sa, sb = run_smp(ctx, a, b, 'fragmented secret', 'fragmented secret',
                     'In pieces?')
    expect_result(sa, sb, 'success')
    expect(any(w.startswith('?OTR|') or w.startswith('?OTR,')
               for w in a.wires + b.wires), 'nothing was fragmented')


@scenario('smp-both-start', SUITE)
def sc_smp_both(ctx):
    """Both start SMP at once: no false success, no hang, and a normal SMP
    works afterwards."""
    a, b = ctx.pair()
    ssid = establish(ctx, a, b)
    na, nb = len(a.smp), len(b.smp)
    a.op('smp-start', secret='same')
    b.op('smp-start', secret='same')
    ctx.net.pump()
    sa, sb = smp_new(a, na), smp_new(b, nb)
    # Each got SMP1 while waiting for SMP2: the spec answers with an abort.
    # If a side was asked instead, let it answer; either way no one may
    # claim success for a run that did not complete on both sides.
    for p, new in ((a, sa), (b, sb)):
        if new[-1:] == ['asked']:
            p.op('smp-respond', secret='same')
    ctx.net.pump()
    sa, sb = smp_new(a, na), smp_new(b, nb)
    expect(('success' in sa) == ('success' in sb),
           'success on one side only: a %r b %r' % (sa, sb))
    same_session(a, b, ssid)
    sa, sb = run_smp(ctx, a, b, 'after the clash', 'after the clash')
    expect_result(sa, sb, 'success')


@scenario('smp-tamper', SUITE)
def sc_smp_tamper(ctx):
    """A tampered SMP message is refused with an error, no one is asked or
    succeeds, and a restarted SMP succeeds."""
    a, b = ctx.pair()
    ssid = establish(ctx, a, b)
    nb, e0 = len(b.smp), len(b.errors)
    a.op('smp-start', secret='tampered', question='Tampered?')
    wires = ctx.net.take(a, b)
    expect(wires and all(is_data(w) for w in wires), 'SMP1 is not data')
    for w in wires:
        ctx.net.deliver(b, tamper(w), a)
    # Implementations may flag SMP messages IGNORE_UNREADABLE (libotr
    # does): then silence is right; otherwise the user must be told.
    if not all(ignore_unreadable(w) for w in wires):
        expect(len(b.errors) > e0, 'no error for a tampered SMP message')
    expect(smp_new(b, nb) == [], 'b reacted to a tampered SMP1: %r'
           % smp_new(b, nb))
    ctx.net.pump()
    same_session(a, b, ssid)
    sa, sb = run_smp(ctx, a, b, 'tampered', 'tampered', 'Tampered?')
    expect_result(sa, sb, 'success')


@scenario('extra-key', SUITE)
def sc_extra_key(ctx):
    """The extra symmetric key is the same on both sides, either way."""
    a, b = ctx.pair()
    establish(ctx, a, b)
    for src, dst, use, uctx in ((a, b, 1, 'cafe0001'), (b, a, 7, '')):
        ns, nd = len(src.extra), len(dst.extra)
        src.op('extra-key', use=use, context=uctx)
        ctx.net.pump()
        got_s, got_d = src.extra[ns:], dst.extra[nd:]
        expect(len(got_s) == 1 and len(got_d) == 1,
               'extra-key events: %s %r, %s %r'
               % (src.label, got_s, dst.label, got_d))
        expect(got_s[0] == got_d[0],
               'extra keys differ: %r %r' % (got_s[0], got_d[0]))
        key, u, c = got_s[0]
        if not (isinstance(key, str) and len(key) == 64
                and u == use and c == uctx):
            raise Fail('bad extra-key event %r' % (got_s[0],))
    talk(ctx, a, b, 'after the extra key')
