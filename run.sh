#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Quick start for ffa-emu on Debian 12 (as root or with sudo).
#
#   ./run.sh conform   install missing packages, build, run the conformance suite
#   ./run.sh test      install missing packages, build, run every test suite
#
# Both are idempotent: packages already present are not reinstalled and an
# existing build directory is reused. BUILD_DIR overrides the build directory.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=${BUILD_DIR:-$here/build}

# Required to build and test; optional ones enable examples that need them.
required_pkgs=(meson ninja-build pkg-config gcc g++ python3 libcmocka-dev libffi-dev)
optional_pkgs=(libunicorn-dev binutils-aarch64-linux-gnu valgrind)

usage() {
	sed -n '4,9p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		echo "run.sh: need root (or sudo) to install: ${*: -1}" >&2
		return 1
	fi
}

install_missing() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "run.sh: installing ${missing[*]}" >&2
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
}

deps() {
	install_missing "${required_pkgs[@]}"
	# Optional packages: a failure here only skips the examples that need them.
	install_missing "${optional_pkgs[@]}" || echo "run.sh: optional packages unavailable" >&2
}

build() {
	if [ ! -f "$build/build.ninja" ]; then
		meson setup "$build" "$here" -Dwerror=true >&2
	fi
	meson compile -C "$build" >&2
}

case "${1:-}" in
conform)
	shift
	deps
	build
	exec "$build/emu/ffa-emu" conform "$@"
	;;
test)
	shift
	deps
	build
	exec meson test -C "$build" --print-errorlogs "$@"
	;;
*)
	usage
	;;
esac
