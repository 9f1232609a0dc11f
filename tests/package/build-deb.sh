#!/usr/bin/env bash
# Offrec package test — builds the Debian package from a scratch copy and checks it.
# SPDX-License-Identifier: GPL-2.0-or-later
#
# TAP. usage: build-deb.sh SOURCE_ROOT [WORK_DIR]
# Copies the tree (without build directories and VCS data) to a scratch
# directory, runs `dpkg-buildpackage -us -uc -b`, lists the .deb (dpkg -c),
# unpacks it into a scratch root (dpkg-deb -x) and checks the plugins are in
# the plugin directories of libpurple, Pidgin and Finch, the catalogs of
# every po/LINGUAS language, the icons and the manual page are there; then
# runs lintian (errors and warnings fail unless overridden with a reason).
set -u
src=$(cd "${1:?usage: build-deb.sh SOURCE_ROOT [WORK_DIR]}" && pwd)
work=${2:-}
keep=1
if [ -z "$work" ]; then
    work=$(mktemp -d /tmp/offrec-deb.XXXXXX)
    keep=0
fi
mkdir -p "$work"
cleanup() { [ $keep -eq 1 ] || rm -rf "$work"; }
trap cleanup EXIT

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() {
    n=$((n + 1))
    failed=$((failed + 1))
    echo "not ok $n - $1"
    shift
    [ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/#   /'
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
check() { # check NAME COMMAND...
    local name=$1
    shift
    if "$@"; then ok "$name"; else not_ok "$name"; fi
}

echo "TAP version 13"
for tool in dpkg-buildpackage dh fakeroot msgfmt meson; do
    if ! command -v $tool >/dev/null; then
        echo "1..1"
        echo "ok 1 - build the Debian package # SKIP $tool not installed" \
            "(scripts/deps.sh group package)"
        exit 0
    fi
done

multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
purple_dir=/usr/lib/$multiarch/purple-2
pidgin_dir=/usr/lib/$multiarch/pidgin
finch_dir=/usr/lib/$multiarch/finch
langs=$(sed -e 's/#.*//' "$src/po/LINGUAS" | tr -s ' \t' '\n\n' | grep -v '^$')

# The plan: 4 build/list steps, 4 files, one per language, icons,
# nothing test-only, lintian.
plan=$((4 + 4 + $(echo "$langs" | grep -c .) + 3))
echo "1..$plan"

rm -f "$work"/offrec_* "$work"/offrec-dbgsym_*
tree=$work/offrec-src
rm -rf "$tree"
mkdir -p "$tree"
# A scratch copy: no build trees, no VCS data, nothing from earlier runs.
if tar -C "$src" --exclude='./.git' --exclude='./build*' \
    --exclude='./debian/offrec' --exclude='./debian/.debhelper' \
    --exclude='./obj-*' --exclude='__pycache__' -cf - . |
    tar -C "$tree" -xf -; then
    ok "scratch copy of the source tree"
else
    not_ok "scratch copy of the source tree"
fi

log=$work/dpkg-buildpackage.log
if (cd "$tree" && DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-parallel=2}" \
    dpkg-buildpackage -us -uc -b) >"$log" 2>&1; then
    ok "dpkg-buildpackage -us -uc -b"
else
    not_ok "dpkg-buildpackage -us -uc -b" "$(tail -n 40 "$log")"
fi
deb=$(ls "$work"/offrec_*_*.deb 2>/dev/null | head -n 1)

if [ -n "$deb" ] && dpkg -c "$deb" >"$work/contents.txt" 2>&1; then
    ok "dpkg -c $(basename "$deb") ($(wc -l <"$work/contents.txt") entries)"
else
    not_ok "dpkg -c lists the package" "no .deb was built (see $log)"
fi

root=$work/root
rm -rf "$root"
if [ -n "$deb" ] && dpkg-deb -x "$deb" "$root"; then
    ok "dpkg-deb -x into a scratch root"
else
    not_ok "dpkg-deb -x into a scratch root"
fi

has() { # has PATH: in the unpacked root and in the dpkg -c list
    [ -s "$root$1" ] && grep -q " \.$1\$" "$work/contents.txt" 2>/dev/null
}
check "offrec.so in libpurple's plugin dir $purple_dir" has "$purple_dir/offrec.so"
check "offrec-gtk.so in Pidgin's plugin dir $pidgin_dir" has "$pidgin_dir/offrec-gtk.so"
check "offrec-gnt.so in Finch's plugin dir $finch_dir" has "$finch_dir/offrec-gnt.so"
check "manual page offrec(7)" has /usr/share/man/man7/offrec.7.gz
for l in $langs; do
    mo=/usr/share/locale/$l/LC_MESSAGES/offrec.mo
    if has "$mo" && msgunfmt "$root$mo" 2>/dev/null | grep -q '^msgstr "..*"'; then
        ok "catalog $l: $mo"
    else
        not_ok "catalog $l: $mo"
    fi
done
icons=$(ls "$root"/usr/share/offrec/icons/*.svg 2>/dev/null | wc -l)
check "state icons in /usr/share/offrec/icons ($icons)" test "$icons" -ge 4

# Nothing test-only may be shipped.
extra=$(grep -E 'test-|peer|bench|fuzz|\.a$|/include/' "$work/contents.txt" || true)
check "no test programs, static libraries or headers shipped" test -z "$extra"

if command -v lintian >/dev/null; then
    changes=$(ls "$work"/offrec_*.changes 2>/dev/null | head -n 1)
    if [ -n "$changes" ]; then
        # Errors and warnings fail; info tags are printed for the record.
        lintian --fail-on error,warning --info --display-info \
            "$changes" >"$work/lintian.txt" 2>&1
        rc=$?
        sed 's/^/# lintian: /' "$work/lintian.txt"
        if [ $rc -eq 0 ]; then
            ok "lintian: no errors or warnings"
        else
            not_ok "lintian: no errors or warnings"
        fi
    else
        not_ok "lintian: no errors or warnings" "no .changes file"
    fi
else
    skip "lintian" "lintian not installed"
fi
[ $failed -eq 0 ]
