# Offrec plugin tests — headless-client scenarios against the real server.
# SPDX-License-Identifier: GPL-2.0-or-later
"""Each scenario takes a Context, raises Fail, and ends with the wire audit.
SCENARIOS lists (name, function, needs_offrec_so)."""

import os
import re
import shutil
import subprocess
import time

from harness import Fail, Skip, audit, no_protocol_shown

# The English lines offrec.so writes (plugin/README-internal.md).
PRIVATE_LINE = r"(Private|Unverified) conversation with \S+ started"
VERIFIED_LINE = r"^Private conversation with \S+ started"
UNVERIFIED_LINE = r"^Unverified conversation with \S+ started"
PEER_ENDED_LINE = r"has ended the private conversation with you"
NOT_SENT_LINE = r"message was not sent"
SMP_ASKED_LINE = r"wants to authenticate you"
SMP_OK_LINE = r"Authentication succeeded"
SMP_ANSWERED_LINE = r"has authenticated you"
SMP_FAILED_LINE = r"Authentication of \S+ failed"
KEY_CHANGED_LINE = r"WARNING: \S+ is using a different key than before"
NEW_FPR_LINE = r"has not been authenticated yet\. Their fingerprint is " \
    r"([0-9A-Fa-f ]{44})"
AUTO_REPLY_BLOCKED_LINE = r"automatic reply was not sent"
KEYGEN_LINE = r"Generating a (new )?private key"
FPR_RX = r"[0-9A-Fa-f]{8}(?: [0-9A-Fa-f]{8}){4}"


def wait_private(c, since=0, line=PRIVATE_LINE, timeout=60):
    """A state line saying the conversation is private; it must be a
    system line that is not logged."""
    return c.wait_line(line, since, timeout, system=True, nolog=True)


def go_private(a, b, line=PRIVATE_LINE):
    ma, mb = a.mark(), b.mark()
    a.command(b, "/otr start")
    wait_private(a, ma, line)
    wait_private(b, mb, line)


def exchange(ctx, a, b, text):
    """a types a secret text; b must show exactly that text."""
    ctx.secret(text)
    m = b.mark()
    a.type(b, text)
    return b.wait_received(text, m)


def nothing_received(c, since, seconds, text):
    time.sleep(seconds)
    ev = c.find(lambda e: e["event"] == "write" and text in e["text"] and
                not e["system"], since)
    if ev is not None:
        raise Fail("%s shows %r although it must not arrive" % (c.label, text))


def not_logged(ctx, names):
    """The conversation logs of these profiles hold none of the secrets."""
    for name in names:
        top = os.path.join(ctx.profile(name), "logs")
        for root, _, files in os.walk(top):
            for f in files:
                with open(os.path.join(root, f), errors="replace") as fh:
                    data = fh.read()
                for label, text, _ in ctx.secrets:
                    if text in data:
                        raise Fail("%s logged %s %r in %s" % (
                            name, label, text, os.path.join(root, f)))


def fpr_norm(text):
    return re.sub(r"[^0-9a-f]", "", text.lower())


def baseline_plain(ctx):
    """Without the plugin: plain IMs cross the server in plaintext and the
    audit sees them (the harness and the audit's own positive control)."""
    a, b = ctx.pair(plugin=False)
    text = "plain hello 4711 <&> there"
    m = b.mark()
    a.type(b, text)
    b.wait_received(text, m)
    m = a.mark()
    b.type(a, "plain reply 0815")
    a.wait_received("plain reply 0815", m)
    # libpurple's away auto-reply goes out in plaintext without the plugin.
    b.op(op="away", message="baseline away text 31337")
    b.wait(lambda e: e["event"] == "status")
    m = a.mark()
    a.type(b, "are you there")
    a.wait(lambda e: e["event"] == "write" and e["recv"] and
           "baseline away text 31337" in e["text"], m,
           what="auto-reply")
    try:
        audit(ctx, extra=[("plain IM", text)])
    except Fail:
        pass
    else:
        raise Fail("wire audit did not catch a plaintext IM")
    audit(ctx, expect_present=[text, "plain reply 0815",
                               ("baseline away text 31337", "message")])
    no_protocol_shown(ctx, [a, b])


def private_exchange(ctx):
    """/otr start, both sides Private (unverified), texts both ways arrive
    intact, nothing typed crosses in plaintext or lands in a log."""
    a, b = ctx.pair()
    go_private(a, b, UNVERIFIED_LINE)
    got = exchange(ctx, a, b, "first private text 1001 <b>&</b>")
    if not got["nolog"] or got["logging"]:
        raise Fail("decrypted text is not kept out of the log: %r" % got)
    exchange(ctx, b, a, "private reply 2002")
    exchange(ctx, a, b, "third private text 3003")
    no_protocol_shown(ctx, [a, b])
    # Leaving private restores logging.
    ma = a.mark()
    a.command(b, "/otr end")
    a.wait_line(r"Private conversation with \S+ ended", ma)
    a.command(b, "/otr status")
    st = a.wait_line(r"OTR status with \S+: Not private", ma)
    if not st["logging"]:
        raise Fail("logging not restored after the private conversation")
    a.quit()
    b.quit()
    not_logged(ctx, ["alice", "bob"])
    audit(ctx)


def smp(ctx):
    """SMP with /otr auth on both sides, then /otr auth-q answered through
    the request the plugin opens, then a mismatch; secrets and the
    question never cross in plaintext."""
    a, b = ctx.pair()
    go_private(a, b)
    secret = ctx.secret("s3cret-smp-4242", "SMP secret")
    mb, ma = b.mark(), a.mark()
    a.command(b, "/otr auth " + secret)
    b.wait_line(SMP_ASKED_LINE, mb, system=True)
    b.command(a, "/otr auth " + secret)
    a.wait_line(SMP_OK_LINE, ma)
    b.wait_line(SMP_OK_LINE, mb)
    m = a.mark()
    a.command(b, "/otr status")
    a.wait_line(r"OTR status with \S+: Private", m)

    question = ctx.secret("What colour was the lagoon?", "SMP question")
    answer = ctx.secret("blue-lagoon-77", "SMP answer")
    mb, ma = b.mark(), a.mark()
    b.command(a, '/otr auth-q "%s" %s' % (question, answer))
    a.wait_line(SMP_ASKED_LINE + r".*" + re.escape(question), ma)
    req = a.wait_request(ma)
    if not req.get("masked") and req["kind"] == "input":
        ctx.note("SMP answer request is not masked")
    if req["kind"] == "input":
        a.op(op="answer", id=req["id"], text=answer)
    elif req["kind"] == "fields":
        sid = [f["id"] for f in req["fields"] if f["type"] == "string"]
        if not sid:
            raise Fail("SMP request has no text field: %r" % req)
        a.op(op="answer", id=req["id"], fields={sid[-1]: answer})
    else:
        raise Fail("unexpected SMP request kind %r" % req["kind"])
    b.wait_line(SMP_OK_LINE, mb)
    a.wait_line(SMP_ANSWERED_LINE, ma)

    mb, ma = b.mark(), a.mark()
    a.command(b, "/otr auth " + ctx.secret("mismatch-one-11", "SMP secret"))
    b.wait_line(SMP_ASKED_LINE, mb)
    b.command(a, "/otr auth " + ctx.secret("mismatch-two-22", "SMP secret"))
    a.wait_line(SMP_FAILED_LINE, ma)
    # As libotr: a failed SMP clears the trust an earlier one gave.
    m = a.mark()
    a.command(b, "/otr status")
    a.wait_line(r"OTR status with \S+: Unverified", m)
    no_protocol_shown(ctx, [a, b])
    audit(ctx)


def finished_refuses(ctx):
    """After the buddy ends the session (Finished), typed text is refused,
    not sent in plaintext."""
    a, b = ctx.pair()
    go_private(a, b)
    ma = a.mark()
    b.command(a, "/otr end")
    a.wait_line(PEER_ENDED_LINE, ma)
    text = ctx.secret("must not leave finished 6060")
    mb, ma = b.mark(), a.mark()
    a.type(b, text)
    a.wait_line(NOT_SENT_LINE, ma, error=True)
    nothing_received(b, mb, 2, text)
    if a.find(lambda e: e["event"] == "write" and e["send"] and
              text in e["text"], ma):
        raise Fail("the refused text was echoed as if sent")
    audit(ctx)


def always_holds(ctx):
    """Policy "always" for the buddy: the first text is held, the session
    starts by itself, and the text is delivered once private."""
    a, b = ctx.pair()
    m = a.mark()
    a.command(b, "/otr policy always")
    a.wait_line(r"OTR policy for \S+: always", m)
    text = ctx.secret("held until private 7070")
    mb, ma = b.mark(), a.mark()
    a.type(b, text)
    wait_private(a, ma)
    b.wait_received(text, mb)
    exchange(ctx, b, a, "reply under always 7171")
    audit(ctx)


def auto_reply(ctx):
    """Away with an auto-reply while private: the away text never goes out
    as a plaintext message (sent encrypted or not at all)."""
    a, b = ctx.pair()
    go_private(a, b)
    away = ctx.secret("away text must stay private 8080", "auto-reply",
                      "message")
    b.op(op="away", message=away)
    b.wait(lambda e: e["event"] == "status")
    ma, mb = a.mark(), b.mark()
    exchange(ctx, a, b, "are you there 8181")
    deadline = time.monotonic() + 10
    outcome = None
    while outcome is None and time.monotonic() < deadline:
        if a.find(lambda e: e["event"] == "write" and e["recv"] and
                  away in e["text"], ma):
            outcome = "delivered encrypted"
        elif b.find(lambda e: e["event"] == "write" and
                    re.search(AUTO_REPLY_BLOCKED_LINE, e["text"]), mb):
            outcome = "withheld"
        time.sleep(0.2)
    if outcome is None:
        raise Fail("the auto-reply neither arrived nor was reported withheld")
    ctx.note("auto-reply " + outcome)
    audit(ctx)


def auto_reply_always(ctx):
    """Not private, but bob's policy for alice is "always": bob's away
    auto-reply to a plaintext message is withheld."""
    a, b = ctx.pair()
    m = a.mark()
    a.command(b, "/otr policy never")
    a.wait_line(r"OTR policy for \S+: never", m)
    m = b.mark()
    b.command(a, "/otr policy always")
    b.wait_line(r"OTR policy for \S+: always", m)
    away = ctx.secret("away under always 8282", "auto-reply", "message")
    b.op(op="away", message=away)
    b.wait(lambda e: e["event"] == "status")
    mb, ma = b.mark(), a.mark()
    a.type(b, "plain hello to an always buddy")
    b.wait_line(AUTO_REPLY_BLOCKED_LINE, mb)
    nothing_received(a, ma, 1, away)
    audit(ctx, expect_present=[("plain hello to an always buddy",
                                "message")])


def keygen_on_demand(ctx):
    """A fresh profile has no key: /otr start generates one (saying so),
    the session continues by itself, and the key is saved 0600."""
    a, b = ctx.pair()
    for name in ("alice", "bob"):
        d = os.path.join(ctx.profile(name), "offrec")
        if os.path.isdir(d) and any("key" in f for f in os.listdir(d)):
            raise Fail("%s has a key before it was needed: %s" %
                       (name, os.listdir(d)))
    ma = a.mark()
    a.command(b, "/otr start")
    a.wait(lambda e: (e["event"] == "write" and re.search(
        KEYGEN_LINE, e["text"])) or (e["event"] == "notify" and re.search(
            KEYGEN_LINE, e["primary"] + e["title"] + e["secondary"])),
        ma, what="key generation notice")
    wait_private(a, ma)
    exchange(ctx, a, b, "after keygen 9090")
    a.quit()
    b.quit()
    found = []
    for root, _, files in os.walk(os.path.join(ctx.profile("alice"),
                                               "offrec")):
        for f in files:
            mode = os.stat(os.path.join(root, f)).st_mode & 0o777
            if mode & 0o077:
                raise Fail("%s is mode %o" % (f, mode))
            found.append(f)
    if not found:
        raise Fail("no key files under %s/offrec" % ctx.profile("alice"))
    audit(ctx)


def restart_one(ctx):
    """bob quits (ending the session), restarts with the same profile and
    key; a new session starts with no key-change warning."""
    a, b = ctx.pair()
    ma = a.mark()
    go_private(a, b)
    first = a.wait_line(NEW_FPR_LINE, ma)
    exchange(ctx, a, b, "before restart 1111")
    ma = a.mark()
    b.quit()
    a.wait_line(r"(" + PEER_ENDED_LINE + r"|conversation with \S+ ended)",
                ma)
    b = ctx.client("bob")
    b.start()
    a.wait_online(b, ma)
    ma = a.mark()
    go_private(a, b)
    if a.find(lambda e: e["event"] == "write" and re.search(
            KEY_CHANGED_LINE + "|" + NEW_FPR_LINE, e["text"]), ma):
        raise Fail("bob's key is new after a restart (first: %r)" %
                   first["text"])
    exchange(ctx, a, b, "after restart 1212")
    exchange(ctx, b, a, "reply after restart 1313")
    audit(ctx)


def policy_persists(ctx):
    """A per-buddy policy survives a restart of the client and acts."""
    a, b = ctx.pair()
    m = a.mark()
    a.command(b, "/otr policy always")
    a.wait_line(r"OTR policy for \S+: always", m)
    a.quit()
    a = ctx.client("alice")
    a.start()
    a.wait_online(b)
    m = a.mark()
    a.command(b, "/otr policy")
    a.wait_line(r"OTR policy for \S+: always \(set for this buddy\)", m)
    text = ctx.secret("policy survived 1414")
    mb, ma = b.mark(), a.mark()
    a.type(b, text)
    wait_private(a, ma)
    b.wait_received(text, mb)
    audit(ctx)


def import_pidgin_otr(ctx):
    """pidgin-otr files written by libotr (keys, instance tags, each other's
    fingerprints verified) are imported on first start: the session is
    Private (verified) at once and alice's fingerprint is libotr's."""
    helper = ctx.opts.libotr_files
    if not helper:
        raise Skip("libotr helper not built (libotr5-dev missing)")
    fprs = {}
    for name in ("alice", "bob"):
        d = ctx.profile(name)
        os.makedirs(d, exist_ok=True)
        r = subprocess.run([helper, "genkey", d,
                            ctx.server.jid(name) + "/headless",
                            "prpl-jabber"], stdout=subprocess.PIPE,
                           text=True, timeout=120, check=True)
        fprs[name] = r.stdout.strip()
    for me, other in (("alice", "bob"), ("bob", "alice")):
        subprocess.run([helper, "trust", ctx.profile(me),
                        ctx.server.jid(me) + "/headless", "prpl-jabber",
                        ctx.server.jid(other), fprs[other], "verified"],
                       check=True, timeout=30)
    a, b = ctx.pair()
    for c in (a, b):
        c.wait(lambda e: e["event"] == "debug" and
               "imported pidgin-otr" in e["text"], what="import debug line")
    m = a.mark()
    a.command(b, "/otr fingerprint")
    line = a.wait_line(r"Your fingerprint", m)
    mine = re.search(r"Your fingerprint \([^)]*\): (" + FPR_RX + ")",
                     line["text"])
    if not mine or fpr_norm(mine.group(1)) != fprs["alice"]:
        raise Fail("alice's fingerprint %r is not libotr's %s" %
                   (line["text"], fprs["alice"]))
    go_private(a, b, VERIFIED_LINE)
    exchange(ctx, a, b, "imported keys work 1515")
    # Imported once: a restart does not import again.
    a.quit()
    a = ctx.client("alice")
    a.start()
    if a.find(lambda e: e["event"] == "debug" and
              "imported pidgin-otr" in e["text"]):
        raise Fail("pidgin-otr files imported a second time")
    audit(ctx)


def key_change(ctx):
    """bob, trusted, comes back with a new key: alice gets a warning naming
    both fingerprints, and her next text waits for her confirmation."""
    a, b = ctx.pair()
    ma = a.mark()
    go_private(a, b)
    old = a.wait_line(NEW_FPR_LINE, ma)
    old_fpr = re.search(NEW_FPR_LINE, old["text"]).group(1)
    a.command(b, "/otr trust")
    ma = a.mark()
    b.quit()
    a.wait_line(r"(" + PEER_ENDED_LINE + r"|conversation with \S+ ended)",
                ma)
    shutil.rmtree(ctx.profile("bob"))
    b = ctx.client("bob", label="bob-newkey")
    b.start()
    a.wait_online(b, ma)
    ma, mb = a.mark(), b.mark()
    a.command(b, "/otr start")
    warn = a.wait_line(KEY_CHANGED_LINE, ma, timeout=60, system=True)
    if not warn["error"]:
        ctx.note("key-change warning is not flagged as an error line")
    fprs = re.findall(FPR_RX, warn["text"])
    if len(fprs) < 2 or fpr_norm(fprs[0]) != fpr_norm(old_fpr) or \
            fpr_norm(fprs[0]) == fpr_norm(fprs[1]):
        raise Fail("warning does not name old and new fingerprints: %r" %
                   warn["text"])
    wait_private(b, mb)
    text = ctx.secret("after key change 1616")
    ma, mb = a.mark(), b.mark()
    a.type(b, text)
    req = a.wait(lambda e: e["event"] == "request" and
                 e["kind"] == "action", ma, what="confirmation request")
    nothing_received(b, mb, 1.5, text)
    send = [i for i, l in enumerate(req["actions"]) if "send" in l.lower()]
    if not send:
        raise Fail("confirmation has no Send action: %r" % req)
    a.op(op="answer", id=req["id"], action=send[0])
    b.wait_received(text, mb)
    audit(ctx)


SCENARIOS = [
    ("baseline-plain-audit", baseline_plain, False),
    ("private-exchange", private_exchange, True),
    ("smp-auth-and-auth-q", smp, True),
    ("finished-refuses-to-send", finished_refuses, True),
    ("always-holds-and-delivers", always_holds, True),
    ("auto-reply-while-private", auto_reply, True),
    ("auto-reply-under-always", auto_reply_always, True),
    ("key-generated-on-demand", keygen_on_demand, True),
    ("restart-one-client", restart_one, True),
    ("per-buddy-policy-persists", policy_persists, True),
    ("import-pidgin-otr-files", import_pidgin_otr, True),
    ("key-change-warning", key_change, True),
]
