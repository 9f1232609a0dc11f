# Offrec — Debian packages the build, tests, demo and benchmarks need.
# Sourced by the scripts in this directory: `offrec_deps GROUP...` installs
# whatever of those groups is missing (as root, or through sudo).
# SPDX-License-Identifier: GPL-2.0-or-later

offrec_pkgs_build="gcc pkg-config meson ninja-build python3 libglib2.0-dev
  libgcrypt20-dev nettle-dev libgmp-dev"
offrec_pkgs_test="libotr5-dev libjson-glib-dev clang-14 libclang-rt-14-dev"
# The plugin, its real-parts tests (headless libpurple client, a private
# prosody, Finch in tmux) and scripts/demo.
offrec_pkgs_plugin="libpurple-dev libjson-glib-dev prosody lua-unbound finch
  tmux util-linux"
# Translations (msgfmt, xgettext) and the Debian package build and its
# checks (tests/package, suite 'package'); the -dev packages are the
# package's Build-Depends (debian/control).
offrec_pkgs_package="gettext debhelper dpkg-dev fakeroot lintian
  libpurple-dev pidgin-dev finch-dev libgnt-dev"

# The front-ends and their real-client tests. Pidgin: pidgin-dev (GTK 2 via
# pidgin.pc), libgtk-3-dev (GTK 3 build of the dialogs), real Pidgin under
# Xvfb driven with xdotool, screenshots with ImageMagick, the SVG pixbuf
# loader for the state icons.
offrec_pkgs_ui="pidgin pidgin-dev libgtk-3-dev xvfb xdotool imagemagick
  librsvg2-common fonts-dejavu-core"
# Finch: finch-dev and libgnt-dev build offrec-gnt.so (real Finch in tmux
# comes with the plugin group).
offrec_pkgs_ui="$offrec_pkgs_ui finch-dev libgnt-dev"

offrec_deps() {
    local want="" missing="" p group var
    for group in "$@"; do
        var="offrec_pkgs_$group"
        want="$want ${!var}"
    done
    for p in $want; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
            missing="$missing $p"
    done
    [ -z "$missing" ] && return 0
    echo "Installing:$missing"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq &&
        $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
}
