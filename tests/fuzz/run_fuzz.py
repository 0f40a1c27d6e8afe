#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Run each libFuzzer harness for FUZZ_TIME seconds (default 60).

Called by `meson compile -C <dir> fuzz` in a build configured with
-Dfuzzing=true. New inputs go to a work corpus in the build directory (the
committed seed corpus is only read); findings are written there too, as
crash-<sha1>, timeout-<sha1> or oom-<sha1>: copy one into
tests/fuzz/corpus/<harness>/ once fixed, so that the replay suite keeps it. FUZZ_JOBS (default 1) runs that many
harnesses at a time; FUZZ_ONLY=name limits the run to one harness.
FUZZ_CPU=S instead stops each harness once it has used S seconds of CPU
time (on a shared machine wall time overstates the work done); FUZZ_TIME
is then only an upper bound. The summary gives executions, coverage and
CPU seconds per harness.
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import time


# Harnesses whose interesting inputs are long from the start: libFuzzer's
# default length control grows the limit from a few bytes, which starves the
# malicious SPMC's reply stream and the descriptors with many ranges.
EXTRA = {
    'spmc_replies': ['-len_control=0', '-max_len=1024'],
    'memdesc': ['-len_control=0', '-max_len=8192'],
}


def cpu_seconds(pid):
    """utime + stime of a running process, in seconds."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            fields = f.read().rsplit(')', 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')
    except (OSError, IndexError, ValueError):
        return None


def summary(log):
    text = open(log, errors='replace').read()
    status = re.findall(r'^#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)', text, re.M)
    execs = re.search(r'stat::number_of_executed_units:\s+(\d+)', text)
    rate = re.search(r'stat::average_exec_per_sec:\s+(\d+)', text)
    # Sanitizer reports, the harness's own oracle, and libFuzzer's timeouts
    # and out-of-memory (written as timeout-*/oom-* artifacts).
    found = re.search(r'(ERROR: \w+Sanitizer|runtime error|invariant failed|deadly signal|'
                      r'libFuzzer: timeout|libFuzzer: out-of-memory)', text)
    last = status[-1] if status else ('0', '0', '0', '0')
    return '%s execs, %s exec/s, cov %s, ft %s, corpus %s%s' % (
        execs.group(1) if execs else last[0], rate.group(1) if rate else '?', last[1], last[2],
        last[3], ', FINDING: ' + found.group(1) if found else ', no finding')


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
    cpu_limit = float(os.environ.get('FUZZ_CPU', '0'))
    if cpu_limit:
        secs = max(secs, int(cpu_limit * 4))
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
               '-rss_limit_mb=2048', '-artifact_prefix=' + work + '/'] + EXTRA.get(name, []) + [work, seeds]
        runs.append((name, cmd))
    failed = 0
    while runs:
        batch, runs = runs[:jobs], runs[jobs:]
        procs = []
        for name, cmd in batch:
            print('fuzz: ' + ' '.join(cmd), flush=True)
            log = open(os.path.join(a.work, name + '.log'), 'w')
            procs.append((name, subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT), log))
        used = {}
        stopped = set()
        while any(p.poll() is None for _, p, _ in procs):
            time.sleep(2)
            for name, p, _ in procs:
                c = cpu_seconds(p.pid) if p.poll() is None else None
                if c is not None:
                    used[name] = c
                    if cpu_limit and c >= cpu_limit and name not in stopped:
                        p.send_signal(signal.SIGINT)  # libFuzzer prints its final stats
                        stopped.add(name)
        for name, p, log in procs:
            rc = p.wait()
            log.close()
            path = os.path.join(a.work, name + '.log')
            print('fuzz: %s: %.0f s CPU, %s' % (name, used.get(name, 0), summary(path)))
            if name in stopped and rc in (0, 72):
                rc = 0  # interrupted at the CPU budget: libFuzzer's interrupt exit code
            if rc != 0:
                print('fuzz: %s FAILED (rc %d): see %s' % (name, rc, os.path.join(a.work, name + '.log')))
                failed += 1
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
