#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Measure every benchmark case and print the RESULTS.md table.

  tests/bench/run_bench.py BUILD-DIR [--out tests/bench/RESULTS.md] [--cases a,b]

For each case: the median ns per operation over 11 repetitions (bench's own
timing, noisy on a shared machine), taken in 3 rounds over all the cases;
the lowest of the 3 medians is kept (the round least disturbed by other
tenants of the machine), and instructions per operation from
valgrind --tool=callgrind: the case runs twice, with N1 and N2 iterations,
and (Ir(N2) - Ir(N1)) / (N2 - N1) cancels the set-up cost (repeatable to a
few instructions). `ffa-emu conform` is timed as a whole (median of 5
runs) and counted once under callgrind.
"""
import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

# callgrind iteration pairs (N1, N2) per case family
CG_ITERS = {'share-262144': (1, 3), 'share-4096': (2, 12), 'share-16': (100, 1100),
            'share-1': (200, 2200), 'mem-cycle': (100, 1100)}
CG_DEFAULT = (1000, 11000)
REPS = 11  # timed repetitions per case; ns/op is their median
ROUNDS = 3  # rounds of REPS; the lowest median is kept


def build_kind(build):
    """'release, -O3, LTO' and the like, from the build directory's options."""
    try:
        opts = json.loads(subprocess.run(['meson', 'introspect', build, '--buildoptions'],
                                         check=True, stdout=subprocess.PIPE, text=True).stdout)
    except (OSError, subprocess.CalledProcessError, ValueError):
        return 'unknown build'
    o = {x['name']: x['value'] for x in opts}
    return '%s, -O%s%s' % (o.get('buildtype'), o.get('optimization'),
                           ', LTO' if o.get('b_lto') else '')


def callgrind_ir(cmd):
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, 'cg.out')
        p = subprocess.run(['valgrind', '--tool=callgrind', '--callgrind-out-file=' + out] + cmd,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        # ffa-emu conform exits 1 while an expectation fails: still counted
        m = re.search(r'Collected : (\d+)', p.stderr)
        if not m:
            raise RuntimeError('callgrind failed (%d): %s\n%s' % (p.returncode, ' '.join(cmd),
                                                                p.stderr[-2000:]))
        return int(m.group(1))


def cg_pair(case):
    for k, v in CG_ITERS.items():
        if case.startswith(k):
            return v
    return CG_DEFAULT


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('build')
    ap.add_argument('--out')
    ap.add_argument('--cases')
    a = ap.parse_args()
    bench = os.path.join(a.build, 'tests', 'bench', 'bench')
    tool = os.path.join(a.build, 'emu', 'ffa-emu')
    listing = subprocess.run([bench, '--list'], check=True, stdout=subprocess.PIPE,
                             text=True).stdout.splitlines()
    cases = [(l.split('\t')[0], int(l.split('\t')[1]), l.split('\t')[2]) for l in listing]
    if a.cases:
        keep = a.cases.split(',')
        cases = [c for c in cases if c[0] in keep or c[0] == 'baseline']

    def median_ns(name):
        out = subprocess.run([bench, name, '0', str(REPS)], check=True,
                             stdout=subprocess.PIPE, text=True).stdout
        return float(dict(f.split('=', 1) for f in out.split())['median_ns'])

    res = {}
    for name, nconst, what in cases:
        n1, n2 = cg_pair(name)
        ir = (callgrind_ir([bench, name, str(n2), '0']) -
              callgrind_ir([bench, name, str(n1), '0'])) / (n2 - n1)
        res[name] = dict(what=what, nconst=nconst, ns=median_ns(name), ir=ir)
        print('%-24s %12.1f ns %14.0f Ir' % (name, res[name]['ns'], ir), file=sys.stderr)
    # Further rounds over every case, so the rounds of one case lie apart in time.
    for _ in range(ROUNDS - 1):
        for name, _n, _w in cases:
            res[name]['ns'] = min(res[name]['ns'], median_ns(name))

    times = []
    for _ in range(5):
        t0 = time.monotonic()
        p = subprocess.run([tool, 'conform'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
        times.append(time.monotonic() - t0)
    conform_ir = callgrind_ir([tool, 'conform'])
    conform_rc = p.returncode
    conform_summary = (p.stdout.strip().splitlines() or [''])[-1]

    base = res['baseline']
    lines = []
    w = lines.append
    w('| case | what | ns/op (best of %d medians of %d) | ops/s | instructions/op (callgrind) '
      '| vs baseline (Ir) |' % (ROUNDS, REPS))
    w('|---|---|---:|---:|---:|---:|')
    for name, r in res.items():
        extra = ''
        if r['nconst'] > 1:
            extra = ' (%.1f ns, %.0f Ir per constituent)' % (r['ns'] / r['nconst'],
                                                            r['ir'] / r['nconst'])
        w('| %s | %s%s | %.1f | %.3g | %.0f | %.1fx |' % (
            name, r['what'], extra, r['ns'], 1e9 / r['ns'], r['ir'], r['ir'] / base['ir']))
    w('| ffa-emu conform | the whole conformance run (exit %d: %s) | %.1f ms | | %.0f | |' % (
        conform_rc, conform_summary.replace('|', '/'), statistics.median(times) * 1e3, conform_ir))

    # Targets of issue #7
    t = []
    def verdict(ok):
        return 'met' if ok else '**missed**'
    if 'req2-pkvm' in res:
        r = res['req2-pkvm']
        t.append('| proxied DIRECT_REQ2 within 8x the baseline | %.1fx (Ir), %.1fx (ns) | %s |' % (
            r['ir'] / base['ir'], r['ns'] / base['ns'],
            verdict(r['ir'] / base['ir'] <= 8 and r['ns'] / base['ns'] <= 8)))
        t.append('| proxied DIRECT_REQ2 >= 20 M calls/s on one core | %.2f M/s | %s |' % (
            1e3 / r['ns'], verdict(1e3 / r['ns'] >= 20)))
    worst = None
    for name, r in res.items():
        if name.endswith('-traced') and name[:-7] in res:
            f = r['ir'] / res[name[:-7]]['ir']
            worst = max(worst or 0, f)
            fns = r['ns'] / res[name[:-7]]['ns']
            t.append('| %s within 3x of untraced | %.1fx (Ir), %.1fx (ns) | %s |' % (
                name, f, fns, verdict(f <= 3) + ('' if fns <= 3 else ' in Ir; **not in ns**')))
    if 'share-262144' in res:
        r = res['share-262144']
        cps = 1e9 * r['nconst'] / r['ns']
        t.append('| share+reclaim >= 5 M constituents/s at 262,144 | %.1f M/s | %s |' % (
            cps / 1e6, verdict(cps >= 5e6)))
    t.append('| full conformance run < 1 s | %.0f ms | %s |' % (
        statistics.median(times) * 1e3, verdict(statistics.median(times) < 1)))

    cpu = platform.processor() or platform.machine()
    try:
        for l in open('/proc/cpuinfo'):
            if l.startswith('model name'):
                cpu = l.split(':', 1)[1].strip()
                break
    except OSError:
        pass
    text = '\n'.join(lines) + '\n\nTargets (issue #7):\n\n| target | measured | |\n|---|---:|---|\n' + \
        '\n'.join(t) + '\n\nBuild: %s (%s). Machine: %s, %d CPUs, load average %.1f at the end ' \
        'of the run.\n' % (a.build, build_kind(a.build), cpu, os.cpu_count(), os.getloadavg()[0])
    print(text)
    if a.out:
        head = open(a.out).read().split('<!-- table -->')[0] if os.path.exists(a.out) else ''
        with open(a.out, 'w') as f:
            f.write(head + '<!-- table -->\n' + text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
