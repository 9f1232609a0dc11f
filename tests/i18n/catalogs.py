#!/usr/bin/env python3
# Offrec i18n test — every catalog compiles cleanly and keeps printf formats.
# SPDX-License-Identifier: GPL-2.0-or-later
"""TAP checks of the catalogs in po/.

    catalogs.py SOURCE_ROOT             (test 'catalogs')
        po/LINGUAS and the po/*.po files agree (each listed language has a
        catalog, each catalog is listed); per catalog: the header declares
        UTF-8 and Plural-Forms; `msgfmt --check --check-format` passes;
        every translated msgstr has the same printf directives as its msgid
        (same arguments in the same order with the same types; a
        translation may reorder only with positional %N$ directives).
    catalogs.py --complete SOURCE_ROOT  (test 'catalogs-complete')
        per catalog: every string marked in the files of po/POTFILES (run
        through xgettext with the flags of meson's glib preset) has a
        translation that is neither empty nor fuzzy.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

# The arguments of meson's i18n 'glib' preset that decide which strings
# are extracted (mesonbuild/modules/i18n.py, PRESET_ARGS).
XGETTEXT_ARGS = [
    "--from-code=UTF-8", "--keyword=_", "--keyword=N_",
    "--keyword=C_:1c,2", "--keyword=NC_:1c,2", "--keyword=g_dcgettext:2",
    "--keyword=g_dngettext:2,3", "--keyword=g_dpgettext2:2c,3",
]

DIRECTIVE = re.compile(
    r"%(?:(?P<pos>[1-9][0-9]*)\$)?"
    r"(?P<flags>[-+ #0']*)"
    r"(?P<width>\*(?:[1-9][0-9]*\$)?|[0-9]+)?"
    r"(?:\.(?P<prec>\*(?:[1-9][0-9]*\$)?|[0-9]*))?"
    r"(?P<len>hh|h|ll|l|L|q|j|z|Z|t)?"
    r"(?P<conv>[diouxXeEfFgGaAcspnm%])")

# Conversions that consume an argument of the same C type.
TYPE_CLASS = {
    "d": "int", "i": "int", "o": "uint", "u": "uint", "x": "uint",
    "X": "uint", "e": "double", "E": "double", "f": "double",
    "F": "double", "g": "double", "G": "double", "a": "double",
    "A": "double", "c": "char", "s": "string", "p": "pointer",
    "n": "count",
}


class PoError(Exception):
    pass


def unquote(s):
    """The C-style string literal of a .po line, decoded."""
    if len(s) < 2 or s[0] != '"' or s[-1] != '"':
        raise PoError("not a quoted string: %r" % s)
    out, i, body = [], 0, s[1:-1]
    esc = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r",
           "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            out.append(esc.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def parse_po(path):
    """Entries of a .po file: dicts with msgctxt, msgid, msgid_plural,
    msgstr (list), flags (set), obsolete, line."""
    entries, cur, field = [], None, None

    def flush():
        if cur is not None and "msgid" in cur:
            entries.append(cur)

    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            obsolete = line.startswith("#~")
            if obsolete:
                line = line[2:].lstrip()
            if not line.strip():
                flush()
                cur, field = None, None
                continue
            if line.startswith("#"):
                if cur is not None and "msgid" in cur:
                    flush()
                    cur, field = None, None
                if cur is None:
                    cur = {"flags": set(), "msgstr": {}, "line": n}
                if line.startswith("#,"):
                    cur["flags"].update(
                        x.strip() for x in line[2:].split(",") if x.strip())
                continue
            m = re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)'
                         r'\s+(".*")$', line)
            if m:
                key, idx, text = m.group(1), m.group(2), unquote(m.group(3))
                if key == "msgctxt" or (key == "msgid" and cur is not None
                                        and "msgid" in cur):
                    flush()
                    cur = None
                if cur is None:
                    cur = {"flags": set(), "msgstr": {}, "line": n}
                cur["obsolete"] = obsolete
                if key.startswith("msgstr"):
                    field = ("msgstr", int(idx) if idx else 0)
                    cur["msgstr"][field[1]] = text
                else:
                    field = (key, None)
                    cur[key] = text
                continue
            if line.startswith('"') and field is not None:
                text = unquote(line.strip())
                if field[0] == "msgstr":
                    cur["msgstr"][field[1]] += text
                else:
                    cur[field[0]] += text
                continue
            raise PoError("%s:%d: cannot parse %r" % (path, n, raw))
    flush()
    return [e for e in entries if not e.get("obsolete")]


def directives(text):
    """The printf arguments of text as a list of type classes, indexed by
    argument (positional directives placed at their position). Raises
    PoError on a malformed or mixed use."""
    args, seq, positional, plain = {}, 0, False, False
    for m in DIRECTIVE.finditer(text):
        if m.group("conv") == "%":
            continue
        for part in ("width", "prec"):
            star = m.group(part)
            if star and star.startswith("*"):
                seq += 1
                args[seq] = "int"
        if m.group("pos"):
            positional = True
            idx = int(m.group("pos"))
        else:
            plain = True
            seq += 1
            idx = seq
        kind = (m.group("len") or "") + TYPE_CLASS[m.group("conv")]
        if args.get(idx, kind) != kind:
            raise PoError("argument %d used as %s and %s" %
                          (idx, args[idx], kind))
        args[idx] = kind
    if positional and plain:
        raise PoError("mixes %N$ and plain directives")
    if args and sorted(args) != list(range(1, max(args) + 1)):
        raise PoError("skips an argument: %s" % sorted(args))
    return [args[i] for i in sorted(args)]


def stray_percent(text):
    """A '%' that starts no valid directive (e.g. a lone '%' at the end)."""
    rest = DIRECTIVE.sub("", text)
    return "%" in rest


def format_problems(entry):
    # xgettext flags every C string with a valid directive as c-format;
    # fuzzy entries are not used at run time.
    if "c-format" not in entry["flags"] or "fuzzy" in entry["flags"]:
        return []
    problems = []
    try:
        want = directives(entry["msgid"])
        want_plural = directives(entry.get("msgid_plural", entry["msgid"]))
    except PoError as e:
        return ["msgid: %s" % e]
    for idx, text in sorted(entry["msgstr"].items()):
        if not text:
            continue
        try:
            got = directives(text)
        except PoError as e:
            problems.append("msgstr[%d]: %s" % (idx, e))
            continue
        if stray_percent(text):
            problems.append("msgstr[%d]: a lone '%%'" % idx)
        ref = want if idx == 0 or "msgid_plural" not in entry \
            else want_plural
        if got != ref:
            problems.append("msgstr[%d] has %s, msgid has %s" %
                            (idx, got or "none", ref or "none"))
    return problems


def read_list(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                out.extend(line.split())
    return out


def header_of(entries):
    for e in entries:
        if e["msgid"] == "" and "msgctxt" not in e:
            return e["msgstr"].get(0, "")
    return ""


def check_catalogs(root, out):
    po_dir = os.path.join(root, "po")
    linguas = read_list(os.path.join(po_dir, "LINGUAS"))
    have = sorted(f[:-3] for f in os.listdir(po_dir) if f.endswith(".po"))
    missing = [l for l in linguas if l not in have]
    out(not missing, "every language in po/LINGUAS has a catalog",
        "no .po for: " + " ".join(missing))
    unlisted = [l for l in have if l not in linguas]
    out(not unlisted, "every po/*.po is listed in po/LINGUAS",
        "not listed: " + " ".join(unlisted))
    msgfmt = shutil.which("msgfmt")
    for lang in have:
        path = os.path.join(po_dir, lang + ".po")
        try:
            entries = parse_po(path)
        except (PoError, UnicodeDecodeError) as e:
            out(False, "%s.po parses" % lang, str(e))
            continue
        head = header_of(entries)
        ok = "charset=UTF-8" in head and "Plural-Forms:" in head and \
            re.search(r"Language: %s\b" % re.escape(lang), head)
        out(bool(ok), "%s.po header: Language, UTF-8, Plural-Forms" % lang,
            head.replace("\n", " | "))
        if msgfmt is None:
            out(None, "%s.po msgfmt --check --check-format" % lang,
                "msgfmt not installed")
        else:
            r = subprocess.run([msgfmt, "--check", "--check-format",
                                "-o", os.devnull, path],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
            out(r.returncode == 0 and "warning" not in r.stdout,
                "%s.po msgfmt --check --check-format" % lang, r.stdout)
        problems = []
        for e in entries:
            if e["msgid"] == "":
                continue
            for p in format_problems(e):
                problems.append("line %d %r: %s" % (e["line"],
                                                   e["msgid"][:50], p))
        checked = sum(1 for e in entries if "c-format" in e["flags"])
        out(not problems, "%s.po printf directives match (%d c-format "
            "strings)" % (lang, checked), "\n".join(problems))


def extract_pot(root, tmp):
    pot = os.path.join(tmp, "current.pot")
    files = read_list(os.path.join(root, "po", "POTFILES"))
    r = subprocess.run(["xgettext", "--package-name=offrec", "-o", pot,
                        "-D", root] + XGETTEXT_ARGS + files,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    if r.returncode != 0:
        raise PoError("xgettext failed: " + r.stdout)
    return parse_po(pot)


def check_complete(root, out):
    po_dir = os.path.join(root, "po")
    if shutil.which("xgettext") is None:
        out(None, "catalogs complete", "xgettext not installed")
        return
    with tempfile.TemporaryDirectory() as tmp:
        try:
            strings = [e for e in extract_pot(root, tmp) if e["msgid"]]
        except PoError as e:
            out(False, "strings extracted from po/POTFILES", str(e))
            return
    out(len(strings) > 0, "%d strings extracted from po/POTFILES" %
        len(strings), "no strings found")
    key = lambda e: (e.get("msgctxt"), e["msgid"])  # noqa: E731
    for lang in read_list(os.path.join(po_dir, "LINGUAS")):
        path = os.path.join(po_dir, lang + ".po")
        if not os.path.isfile(path):
            out(False, "%s.po complete" % lang, "no such file")
            continue
        done = {}
        for e in parse_po(path):
            done[key(e)] = e
        gaps = []
        for s in strings:
            e = done.get(key(s))
            if e is None:
                gaps.append("missing: %r" % s["msgid"])
            elif "fuzzy" in e["flags"]:
                gaps.append("fuzzy: %r" % s["msgid"])
            elif not e["msgstr"] or not all(e["msgstr"].values()):
                gaps.append("untranslated: %r" % s["msgid"])
        out(not gaps, "%s.po translates all %d strings" % (lang,
                                                          len(strings)),
            "%d gaps (run `ninja offrec-update-po`, then translate):\n%s" %
            (len(gaps), "\n".join(gaps)))


def main(argv):
    args = argv[1:]
    complete = False
    if args and args[0] == "--complete":
        complete = True
        args = args[1:]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    root = args[0]
    results = []

    def out(ok, name, detail=""):
        results.append((ok, name, detail))

    try:
        if complete:
            check_complete(root, out)
        else:
            check_catalogs(root, out)
    except (PoError, OSError) as e:
        out(False, "catalog checks ran", str(e))
    print("TAP version 13")
    print("1..%d" % len(results))
    failed = 0
    for i, (ok, name, detail) in enumerate(results, 1):
        if ok is None:
            print("ok %d - %s # SKIP %s" % (i, name, detail))
            continue
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok:
            failed += 1
            for line in detail.splitlines()[:40]:
                print("#   " + line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
