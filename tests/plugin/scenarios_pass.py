# Offrec plugin tests — passphrase protection of the private keys.
# SPDX-License-Identifier: GPL-2.0-or-later
"""alice protects her key with a passphrase (/otr passphrase set and the
dialog it opens), restarts, refuses a wrong passphrase, unlocks, and is
Private again with the same fingerprint. SCENARIOS as in scenarios.py."""

import os
import re
import time

from harness import Fail, audit
from scenarios import FPR_RX, fpr_norm, go_private, wait_private

PASS = "correct horse 4711 battery"
WRONG = "incorrect donkey 0815"
SEXP_X = "(x #"  # the private part of a key in libotr's file


def own_fpr(a, b):
    m = a.mark()
    a.command(b, "/otr fingerprint")
    line = a.wait_line(r"Your fingerprint", m)
    got = re.search(r"Your fingerprint \([^)]*\): (" + FPR_RX + ")",
                    line["text"])
    if not got:
        raise Fail("no fingerprint in %r" % line["text"])
    return fpr_norm(got.group(1))


def key_files(ctx, name):
    d = os.path.join(ctx.profile(name), "offrec")
    out = {}
    for f in ("otr.private_key", "otr.private_key.sealed"):
        p = os.path.join(d, f)
        if os.path.exists(p):
            if os.stat(p).st_mode & 0o077:
                raise Fail("%s is readable by others" % p)
            with open(p, errors="replace") as fh:
                out[f] = fh.read()
    return out


def set_passphrase(a, b, pw, confirm):
    m = a.mark()
    a.command(b, "/otr passphrase set")
    req = a.wait(lambda e: e["event"] == "request" and
                 e["kind"] == "fields", m, what="passphrase dialog")
    ids = [f["id"] for f in req["fields"] if f["type"] == "string"]
    if len(ids) != 2 or not all(f.get("masked") for f in req["fields"]
                                if f["type"] == "string"):
        raise Fail("passphrase dialog needs two masked fields: %r" % req)
    a.op(op="answer", id=req["id"], fields={ids[0]: pw, ids[1]: confirm})
    return a.wait(lambda e: e["event"] == "notify", m,
                  what="passphrase result")


def wait_unlock(a, since, what="unlock request"):
    req = a.wait(lambda e: e["event"] == "request" and
                 e["kind"] == "input" and "nlock" in e["title"], since,
                 what=what)
    if not req.get("masked"):
        raise Fail("the unlock request is not masked: %r" % req)
    return req


def passphrase(ctx):
    """Set a passphrase: no plaintext key on disk; restart: the unlock
    request comes, a wrong passphrase is refused and asked again, OTR
    waits meanwhile, the right one unlocks the same key; a new key is
    sealed after asking again; export writes a plain copy; removing the
    passphrase writes the plain libotr file again."""
    a, b = ctx.pair()
    go_private(a, b)
    fpr = own_fpr(a, b)
    ctx.secret(PASS, "passphrase")
    ctx.secret(WRONG, "passphrase")

    # Mismatched confirmation: nothing changes.
    ev = set_passphrase(a, b, PASS, PASS + "x")
    if "match" not in ev["primary"]:
        raise Fail("mismatch not reported: %r" % ev)
    if SEXP_X not in key_files(ctx, "alice").get("otr.private_key", ""):
        raise Fail("the key left the plain file without a passphrase")

    ev = set_passphrase(a, b, PASS, PASS)
    if "protected" not in ev["primary"]:
        raise Fail("passphrase not set: %r" % ev)
    files = key_files(ctx, "alice")
    if SEXP_X in files.get("otr.private_key", ""):
        raise Fail("otr.private_key still holds the plain key")
    sealed = files.get("otr.private_key.sealed", "")
    if not sealed.startswith("# Offrec sealed private keys v1") or \
            "chacha20-poly1305" not in sealed or SEXP_X in sealed or \
            PASS in sealed:
        raise Fail("bad sealed file: %r" % sealed[:300])
    m = a.mark()
    a.command(b, "/otr passphrase")
    a.wait_line(r"are protected by a passphrase", m)

    # Restart: locked until the passphrase is given; bob's start waits.
    a.quit()
    a = ctx.client("alice", label="alice-locked")
    a.start(wait_online=False)
    req = wait_unlock(a, 0)
    a.wait(lambda e: e["event"] == "signed-on", what="signed-on")
    a.wait_online(b)
    b.wait_online(a)
    ma, mb = a.mark(), b.mark()
    b.command(a, "/otr start")
    a.wait_line(r"protected by a passphrase", ma, timeout=60)
    a.op(op="answer", id=req["id"], text=WRONG)
    req = wait_unlock(a, ma, "second unlock request")
    if "Wrong passphrase" not in req["primary"]:
        raise Fail("wrong passphrase not reported: %r" % req)
    if b.find(lambda e: e["event"] == "write" and
              re.search(r"conversation with \S+ started", e["text"]), mb):
        raise Fail("bob went private while alice's key was locked")
    a.op(op="answer", id=req["id"], text=PASS)
    wait_private(a, ma)
    wait_private(b, mb)
    if own_fpr(a, b) != fpr:
        raise Fail("alice's fingerprint changed after unlocking")
    if b.find(lambda e: e["event"] == "write" and
              "different key" in e["text"], mb):
        raise Fail("bob saw a key change")
    if SEXP_X in "".join(key_files(ctx, "alice").values()):
        raise Fail("a plain key reached the disk while protected")

    # A new key while protected is sealed too, after asking again.
    m = a.mark()
    a.command(b, "/otr genkey new")
    req = a.wait(lambda e: e["event"] == "request" and
                 e["kind"] == "fields" and "Protect" in e["title"], m,
                 timeout=120, what="protect-new-key request")
    fields = [f for f in req["fields"] if f["type"] == "string"]
    if not fields or not all(f.get("masked") for f in fields):
        raise Fail("protect request needs masked fields: %r" % req)
    if len(fields) != 1:
        raise Fail("protect request cannot check the passphrase: %r" % req)
    a.op(op="answer", id=req["id"], fields={fields[0]["id"]: WRONG})
    req = a.wait(lambda e: e["event"] == "request" and
                 e["kind"] == "fields" and "Wrong" in e["primary"], m,
                 what="protect request after a wrong passphrase")
    a.op(op="answer", id=req["id"], fields={fields[0]["id"]: PASS})
    for _ in range(100):  # saved right after the answer
        if key_files(ctx, "alice").get("otr.private_key.sealed") != sealed:
            break
        time.sleep(0.1)
    files = key_files(ctx, "alice")
    if files.get("otr.private_key.sealed", "") == sealed or \
            SEXP_X in "".join(files.values()):
        raise Fail("the new key was not sealed: %r" % sorted(files))
    new_fpr = own_fpr(a, b)
    if new_fpr == fpr:
        raise Fail("/otr genkey new kept the old key")

    # Export and remove: plain libotr files again.
    exported = os.path.join(ctx.dir, "exported.private_key")
    m = a.mark()
    a.command(b, "/otr passphrase export " + exported)
    a.wait_line(r"were written, unprotected", m)
    with open(exported) as fh:
        if SEXP_X not in fh.read():
            raise Fail("the export holds no plain key")
    a.command(b, "/otr passphrase off")
    files = key_files(ctx, "alice")
    if SEXP_X not in files.get("otr.private_key", "") or \
            "otr.private_key.sealed" in files:
        raise Fail("passphrase removal left %r" % sorted(files))
    audit(ctx)


SCENARIOS = [
    ("passphrase-protected-key", passphrase, True),
]
