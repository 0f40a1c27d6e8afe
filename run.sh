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

# ---- Sanitizer and valgrind steps of `test` ----
# The unit suites (and the fuzz corpora) once more, built with ASan+UBSan in
# a second build directory, then the unit suites' C programs under valgrind
# memcheck in the normal one (root meson.build: test setup 'valgrind').
asan_build=${ASAN_BUILD_DIR:-$build-asan}

sanitizer_tests() {
	if [ ! -f "$asan_build/build.ninja" ]; then
		meson setup "$asan_build" "$here" -Dwerror=true -Db_sanitize=address,undefined >&2
	fi
	meson compile -C "$asan_build" >&2
	# UBSan only prints by default: make every report fail the test.
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1} \
		meson test -C "$asan_build" --print-errorlogs --suite unit --suite fuzz-replay
}

valgrind_tests() {
	install_missing valgrind
	# Only the C test programs: valgrind on the python drivers tests python.
	local names
	names=$(meson introspect --tests "$build" | python3 -c '
import json, sys
for t in json.load(sys.stdin):
    if "ffa-emu:unit" in t["suite"] and "python" not in t["cmd"][0]:
        print(t["name"])')
	# shellcheck disable=SC2086 # one test name per word
	meson test -C "$build" --print-errorlogs --setup valgrind $names
}

# One closing line over every test run above: "N passed, N failed, N skipped".
summary() {
	python3 - "$@" <<'PY'
import json, os, sys
n = {"passed": 0, "failed": 0, "skipped": 0}
for log in sys.argv[1:]:
    if not os.path.exists(log):
        continue
    with open(log) as f:
        for line in f:
            r = json.loads(line).get("result")
            if r in ("OK", "EXPECTEDFAIL"):
                n["passed"] += 1
            elif r == "SKIP":
                n["skipped"] += 1
            else:
                n["failed"] += 1
print("%d passed, %d failed, %d skipped" % (n["passed"], n["failed"], n["skipped"]))
PY
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
	rc=0
	# 1. every suite of the normal build
	meson test -C "$build" --print-errorlogs "$@" || rc=1
	# 2. unit + fuzz-replay under ASan+UBSan; 3. unit under valgrind (see above)
	sanitizer_tests || rc=1
	valgrind_tests || rc=1
	summary "$build/meson-logs/testlog.json" "$asan_build/meson-logs/testlog.json" \
		"$build/meson-logs/testlog-valgrind.json"
	exit $rc
	;;
*)
	usage
	;;
esac
