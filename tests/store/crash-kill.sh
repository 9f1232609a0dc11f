#!/bin/bash
# Offrec tests — SIGKILL a writer of a big file at random points, many
# times, for a few seconds; the file must always be the complete old or new
# version (crash-writer does the forking, killing and checking). TAP.
# SPDX-License-Identifier: GPL-2.0-or-later
set -eu
writer=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$writer" kill "$dir" "${BUDGET_MS:-3000}" "${TRIALS:-400}"
leftover=$(find "$dir" -name '.f.*' | wc -l)
echo "# temporaries left by killed writers: $leftover"
