#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Run each libFuzzer harness for FUZZ_TIME seconds (default 60).

Called by `meson compile -C <dir> fuzz` in a build configured with
-Dfuzzing=true. New inputs go to a work corpus in the build directory (the
committed seed corpus is only read); crashes are written there too, as
crash-<sha1>: copy a crash into tests/fuzz/corpus/<harness>/ once fixed, so
that the replay suite keeps it. FUZZ_JOBS (default 1) runs that many
harnesses at a time; FUZZ_ONLY=name limits the run to one harness.
"""
import argparse
import os
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--engine', required=True)
    ap.add_argument('--corpus', required=True)
    ap.add_argument('--work', required=True)
    ap.add_argument('exes', nargs='+')
    a = ap.parse_args()
    if a.engine != 'libfuzzer':
        print('fuzz: this build has no fuzzing engine; configure a clang build with\n'
              '  CC=clang meson setup build-fuzz-engine -Dfuzzing=true '
              '-Db_sanitize=address,undefined -Db_lundef=false '
              '-Dc_args=-fsanitize=fuzzer-no-link\n'
              '(the replay tests run here: meson test --suite fuzz-replay)', file=sys.stderr)
        return 1
    secs = int(os.environ.get('FUZZ_TIME', '60'))
    jobs = int(os.environ.get('FUZZ_JOBS', '1'))
    only = os.environ.get('FUZZ_ONLY')
    runs = []
    for exe in a.exes:
        name = os.path.basename(exe)[len('fuzz_'):]
        if only and name != only:
            continue
        work = os.path.join(a.work, name)
        os.makedirs(work, exist_ok=True)
        seeds = os.path.join(a.corpus, name)
        cmd = [exe, '-max_total_time=%d' % secs, '-print_final_stats=1', '-timeout=20',
               '-rss_limit_mb=2048', '-artifact_prefix=' + work + '/', work, seeds]
        runs.append((name, cmd))
    failed = 0
    while runs:
        batch, runs = runs[:jobs], runs[jobs:]
        procs = []
        for name, cmd in batch:
            print('fuzz: ' + ' '.join(cmd), flush=True)
            log = open(os.path.join(a.work, name + '.log'), 'w')
            procs.append((name, subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT), log))
        for name, p, log in procs:
            rc = p.wait()
            log.close()
            tail = open(os.path.join(a.work, name + '.log')).read().splitlines()[-14:]
            print('\n'.join('  %s: %s' % (name, l) for l in tail))
            if rc != 0:
                print('fuzz: %s FAILED (rc %d): see %s' % (name, rc, os.path.join(a.work, name + '.log')))
                failed += 1
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
