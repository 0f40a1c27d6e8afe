#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Static analysis of the whole tree (issue #7): clang's analyzer through
# meson's own scan-build target, then cppcheck. Exits 0 only when both
# tools ran over everything and reported nothing; 1 on any finding; 2 when
# a tool is missing or the analysed build failed (an analysis of half a
# build proves nothing). Takes minutes, so it is not a CI step; see
# tests/fuzz/ANALYSIS.md.
#
#   tests/static_analysis.sh [--scan-build-only | --cppcheck-only] [BUILDDIR]
#
# BUILDDIR (default build-static-analysis) is a scratch directory for the
# scan-build target; it is configured on first use and reused after.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"

run_scan=1
run_cppcheck=1
builddir=build-static-analysis
for arg in "$@"; do
	case "$arg" in
	--scan-build-only) run_cppcheck=0 ;;
	--cppcheck-only) run_scan=0 ;;
	-h | --help)
		sed -n '3,14p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	-*)
		echo "static_analysis.sh: unknown option $arg" >&2
		exit 2
		;;
	*) builddir=$arg ;;
	esac
done

need() {
	if ! command -v "$1" >/dev/null 2>&1; then
		echo "static_analysis.sh: $1 not found (Debian: apt-get install $2)" >&2
		exit 2
	fi
}

scan_reports=0
cppcheck_findings=0

if ((run_scan)); then
	need scan-build clang-tools
	need ninja ninja-build
	if [[ ! -f "$builddir/build.ninja" ]]; then
		meson setup "$builddir" >/dev/null
	fi
	echo "== scan-build (ninja -C $builddir scan-build)"
	# The target wipes meson-logs/scanbuild first and re-configures a
	# private build under scan-build, so every compile is analysed and
	# every report directory below is from this run. scan-build deletes
	# a report directory that stays empty.
	if ! ninja -C "$builddir" scan-build >"$builddir/static-analysis-scan.log" 2>&1; then
		tail -n 30 "$builddir/static-analysis-scan.log" >&2
		echo "static_analysis.sh: the analysed build failed; log in" \
			"$builddir/static-analysis-scan.log" >&2
		exit 2
	fi
	mapfile -t reports < <(find "$builddir/meson-logs/scanbuild" -name 'report-*.html' \
		2>/dev/null | sort)
	scan_reports=${#reports[@]}
	for f in "${reports[@]}"; do
		file=$(sed -n 's/^<!-- BUGFILE \(.*\) -->$/\1/p' "$f")
		line=$(sed -n 's/^<!-- BUGLINE \(.*\) -->$/\1/p' "$f")
		desc=$(sed -n 's/^<!-- BUGDESC \(.*\) -->$/\1/p' "$f")
		# Paths are seen from the private build: keep them tree-relative.
		file=$(realpath -m --relative-to="$top" "$file" 2>/dev/null || echo "$file")
		echo "$file:$line: $desc ($f)"
	done
	echo "scan-build: $scan_reports report(s)"
fi

if ((run_cppcheck)); then
	need cppcheck cppcheck
	echo "== cppcheck"
	if ! cppcheck -q -j "$(nproc 2>/dev/null || echo 2)" --std=c11 \
		--enable=warning,performance,portability --inline-suppr \
		-D__GNUC__ -DFFAEMU_BUILDING_LIBRARY -I include -I lib -I tests/support \
		--suppress=missingIncludeSystem --error-exitcode=1 \
		--template='{file}:{line}: {severity}: {message} [{id}]' \
		lib emu examples tests; then
		cppcheck_findings=1
	fi
	if ((cppcheck_findings)); then
		echo "cppcheck: findings above"
	else
		echo "cppcheck: 0 findings"
	fi
fi

if ((scan_reports || cppcheck_findings)); then
	exit 1
fi
echo "static analysis: clean"
