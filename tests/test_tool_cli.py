#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# The ffa-emu command line: --help everywhere, documented exit statuses
# (0 pass, 1 failures, 2 usage/syntax, 3 I/O), results on stdout and
# diagnostics on stderr, decode, rules, run --trace + trace.
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET


def run(exe, *args, stdin=None):
    return subprocess.run([exe] + list(args), capture_output=True, text=True, input=stdin)


def main():
    exe = sys.argv[1]
    for cmd in ([], ['conform'], ['run'], ['decode'], ['trace'], ['rules'], ['bench']):
        p = run(exe, *(cmd + ['--help']))
        assert p.returncode == 0, (cmd, p.returncode)
        assert 'usage: ffa-emu' in p.stdout and p.stderr == '', cmd
    assert run(exe, 'help', 'decode').stdout.startswith('usage: ffa-emu decode')
    p = run(exe)
    assert p.returncode == 2 and 'usage' in p.stderr and p.stdout == ''
    p = run(exe, 'frobnicate')
    assert p.returncode == 2 and 'unknown command' in p.stderr
    p = run(exe, 'conform', '--format', 'yaml')
    assert p.returncode == 2
    p = run(exe, 'conform', '--proxy', 'pkvm-1999')
    assert p.returncode == 2 and 'pkvm-2026' in p.stderr
    p = run(exe, '--version')
    assert p.returncode == 0 and p.stdout.startswith('ffa-emu ')

    # conform: suites listed, the summary table, exit status from results
    p = run(exe, 'conform', '--list')
    assert p.returncode == 0 and 'negotiation' in p.stdout and 'memory-share' in p.stdout
    p = run(exe, 'conform', '--suite', 'no-such-suite')
    assert p.returncode == 2 and 'no-such-suite' in p.stderr
    # --no-times: two runs print the same bytes, in every format
    for fmt in ('text', 'tap', 'junit'):
        a = run(exe, 'conform', '--no-times', '--format', fmt, '--suite', 'negotiation')
        b = run(exe, 'conform', '--no-times', '--format', fmt, '--suite', 'negotiation')
        assert a.returncode == 0 and a.stdout == b.stdout and a.stdout, fmt
    p = run(exe, 'conform', '--proxy', 'none', '--suite', 'negotiation')
    assert p.returncode == 0, p.stdout
    assert 'PASS:' in p.stdout and 'suite' in p.stdout and 'negotiation' in p.stdout
    # the text summary explains itself to a first-time reader: what ran
    # against which SPMC, grouped and named columns, a legend, and a last
    # line that is the verdict
    lines = p.stdout.rstrip('\n').splitlines()
    assert 'ffa-emu conform: 1 run (each suite' in p.stdout, p.stdout
    assert 'SPMC profile: hafnium-1.2 (default' in p.stdout, p.stdout
    head = next(i for i, ln in enumerate(lines) if ln.startswith('suite '))
    assert 'expectations' in lines[head - 1] and 'rule violations' in lines[head - 1], p.stdout
    assert lines[head].split() == ['suite', 'proxy', 'total', 'passed', 'failed', 'by-stack',
                                   'by-script'], lines[head]
    row = next(ln for ln in lines if ln.startswith('negotiation '))
    tot = next(ln for ln in lines if ln.startswith('total '))
    assert row.split()[2:] == tot.split()[1:], (row, tot)
    assert any(ln.strip().startswith('by-stack') and '--strict' in ln for ln in lines), p.stdout
    assert any(ln.strip().startswith('by-script') for ln in lines), p.stdout
    assert lines[-1].startswith('PASS: all %s expectations passed in 1 run' % row.split()[2]), \
        lines[-1]
    p = run(exe, 'conform', '--spmc', 'tfa-el3-1.2', '--suite', 'negotiation', '--no-times')
    assert 'SPMC profile: tfa-el3-1.2 (' in p.stdout and '(default' not in p.stdout, p.stdout
    p = run(exe, 'conform', '--strict', '--no-times', '--proxy', 'pkvm-2026', '--suite', 'smccc',
            '--suite', 'features')
    last = p.stdout.rstrip('\n').splitlines()[-1]
    assert p.returncode == 1 and last.startswith('FAIL: ') and '--strict' in last, last
    assert 'expectations passed' in last, last

    with tempfile.TemporaryDirectory() as d:
        good = os.path.join(d, 'good.ffa')
        with open(good, 'w') as f:
            f.write('call FFA_VERSION w1=1.2\nexpect version 1.2\n')
        bad = os.path.join(d, 'bad.ffa')
        with open(bad, 'w') as f:
            f.write('call FFA_VERSION w1=1.2\nexpect version 1.1\n')
        syntax = os.path.join(d, 'syntax.ffa')
        with open(syntax, 'w') as f:
            f.write('call FFA_VERSION\nexpect FFA_SUCCESS w2==3\n')
        trace = os.path.join(d, 'run.jsonl')
        p = run(exe, 'run', good)
        assert p.returncode == 0 and 'PASS' in p.stdout
        p = run(exe, 'run', bad)
        assert p.returncode == 1 and 'FAIL' in p.stdout and 'bad.ffa:2' in p.stdout
        assert 'expected version 0x10001' in p.stdout and 'got x0=0x10002' in p.stdout
        last = p.stdout.rstrip('\n').splitlines()[-1]
        assert last.startswith('FAIL: 1 of 1 expectations failed in 1 run'), last
        p = run(exe, 'run', '--no-times', good, good)
        last = p.stdout.rstrip('\n').splitlines()[-1]
        assert last.startswith('PASS: all 2 expectations passed in 2 runs'), last
        p = run(exe, 'run', syntax)
        assert p.returncode == 2 and p.stdout == ''
        assert p.stderr.startswith(syntax + ':2:'), p.stderr
        p = run(exe, 'run', os.path.join(d, 'missing.ffa'))
        assert p.returncode == 3 and 'missing.ffa' in p.stderr
        p = run(exe, 'run', '--proxy', 'pkvm-2026', '--trace', trace, good)
        assert p.returncode == 0, p.stdout + p.stderr
        with open(trace) as f:
            assert f.readline().startswith('{')
        p = run(exe, 'trace', trace)
        assert p.returncode == 0 and 'FFA_VERSION' in p.stdout
        p = run(exe, 'trace', '--format', 'mermaid', trace)
        assert p.returncode == 0 and 'sequenceDiagram' in p.stdout
        p = run(exe, 'trace', '--format', 'svg', trace)
        assert p.returncode == 0 and '<svg' in p.stdout
        # a real scenario draws as a ladder: lanes host, proxy, el3; one
        # arrow per call and per reply, each with its decoded line as a tooltip
        ns = '{http://www.w3.org/2000/svg}'
        root = ET.fromstring(p.stdout)
        lanes = [g.find(ns + 'text').text for g in root.iter(ns + 'g')
                 if g.get('class') == 'participant']
        assert lanes == ['host', 'proxy', 'el3'], lanes
        with open(trace) as f:
            calls = sum(1 for ln in f if ln.strip())
        arrows = [g for g in root.iter(ns + 'g') if g.get('class') in ('call', 'reply')]
        assert len(arrows) == 2 * calls, (len(arrows), calls)
        assert all(g.find(ns + 'title') is not None for g in arrows)
        assert any('FFA_VERSION' in ' '.join(t.itertext()) for t in root.iter(ns + 'text'))
        # the same run records the same trace, byte for byte
        trace2 = os.path.join(d, 'run2.jsonl')
        run(exe, 'run', '--proxy', 'pkvm-2026', '--trace', trace2, good)
        with open(trace) as f1, open(trace2) as f2:
            assert f1.read() == f2.read()
        # lanes are named after what the edges join: host -> proxy -> el3
        p = run(exe, 'trace', '--format', 'mermaid', trace)
        assert 'participant P0 as host\n' in p.stdout, p.stdout
        assert 'participant P1 as proxy\n' in p.stdout, p.stdout

        # replay: the same stack gives no difference; pkvm-2026 denies
        # DIRECT_REQ2 (pkvm-proxy 1.8) where the SPMC alone delivers it, so a
        # replay without a proxy differs, register by register
        msg = os.path.join(d, 'msg.ffa')
        with open(msg, 'w') as f:
            f.write('call FFA_VERSION w1=1.2\nexpect version 1.2\n'
                    'call FFA_ID_GET\nexpect FFA_SUCCESS w2=0\n'
                    'call FFA_MSG_SEND_DIRECT_REQ2 w1=0x00008001\n'
                    'expect any\n')
        mtrace = os.path.join(d, 'msg.jsonl')
        p = run(exe, 'run', '--proxy', 'pkvm-2026', '--trace', mtrace, msg)
        assert p.returncode == 0, p.stdout + p.stderr
        p = run(exe, 'trace', '--replay', '--proxy', 'pkvm-2026', mtrace)
        assert p.returncode == 0, p.stdout + p.stderr
        assert p.stdout == ('replayed 3 call(s) on 1 stack(s) (proxy pkvm-2026, '
                            'spmc default, partitions conform): 0 differ\n'), p.stdout
        p = run(exe, 'trace', '--replay', '--proxy', 'none', mtrace)
        assert p.returncode == 1, p.stdout + p.stderr
        assert '0 differ' not in p.stdout and '1 differ' in p.stdout, p.stdout
        assert '#' in p.stdout and 'FFA_MSG_SEND_DIRECT_REQ2' in p.stdout, p.stdout
        assert '  x0: recorded 0x0000000084000060 replayed 0x00000000c400008e' in p.stdout, p.stdout
        assert 'replayed => FFA_MSG_SEND_DIRECT_RESP2' in p.stdout, p.stdout
        # a recording that spans stacks (reset) replays on as many fresh stacks
        p = run(exe, 'run', '--proxy', 'pkvm-2026', '--trace', mtrace, msg, msg)
        assert p.returncode == 0, p.stdout + p.stderr
        p = run(exe, 'trace', '--replay', '--proxy', 'pkvm-2026', mtrace)
        assert p.returncode == 0 and 'replayed 6 call(s) on 2 stack(s)' in p.stdout, p.stdout
        # memory sharing replays: the trace keeps the descriptor the share
        # read from the TX buffer, and the replay writes it back first
        share = os.path.join(d, 'share.ffa')
        with open(share, 'w') as f:
            f.write('partitions conform\ncall FFA_VERSION w1=1.2\n'
                    'call FFA_RXTX_MAP_64 x1=0x80000000 x2=0x80001000 w3=1\n'
                    'desc share to 0x8005 rw pages 0x80100000+2\n'
                    'call FFA_MEM_SHARE_64 w1=$desc_len w2=$desc_len\nexpect FFA_SUCCESS\n'
                    'capture h = handle(w2)\n'
                    'call FFA_MEM_RECLAIM w1=lo($h) w2=hi($h)\nexpect FFA_SUCCESS\n')
        strace = os.path.join(d, 'share.jsonl')
        for prof in ('none', 'pkvm-2026'):
            p = run(exe, 'run', '--proxy', prof, '--trace', strace, share)
            assert p.returncode == 0, p.stdout + p.stderr
            with open(strace) as f:
                assert '"tx":{"pa":"0x0000000080000000","data":"' in f.read()
            p = run(exe, 'trace', '--replay', '--proxy', prof, strace)
            assert p.returncode == 0 and ': 0 differ' in p.stdout, p.stdout
        # a partition's own calls are recorded on its edge (sp8005->spmc),
        # nested inside the direct request that entered it, in call order:
        # the ladder shows host->...->spmc, then sp8005->spmc RETRIEVE_REQ
        # and RELINQUISH, then the DIRECT_RESP back to the host
        nest = os.path.join(d, 'nest.ffa')
        with open(nest, 'w') as f:
            f.write('partitions conform\ncall FFA_VERSION w1=1.2\n'
                    'call FFA_RXTX_MAP_64 x1=0x80000000 x2=0x80001000 w3=1\n'
                    'desc share to 0x8005 rw pages 0x80100000+1\n'
                    'call FFA_MEM_SHARE_64 w1=$desc_len w2=$desc_len\nexpect FFA_SUCCESS\n'
                    'capture h = handle(w2)\n'
                    'call FFA_MSG_SEND_DIRECT_REQ w1=ids(0,0x8005) w3=lo($h) w4=hi($h) w5=0\n'
                    'expect FFA_MSG_SEND_DIRECT_RESP w3=0\n')
        ntr = os.path.join(d, 'nest.jsonl')
        for prof, lanes_want in (('none', ['host', 'el3', 'spmc', 'sp8005']),
                                 ('pkvm-2026', ['host', 'proxy', 'el3', 'spmc', 'sp8005'])):
            p = run(exe, 'run', '--strict', '--proxy', prof, '--trace', ntr, nest)
            assert p.returncode == 0, p.stdout + p.stderr
            p = run(exe, 'trace', '--format', 'mermaid', ntr)
            assert p.returncode == 0, p.stderr
            body = [ln.strip() for ln in p.stdout.splitlines()]
            req = [i for i, ln in enumerate(body) if 'FFA_MSG_SEND_DIRECT_REQ' in ln and
                   ln.startswith('P0->>')]
            assert len(req) == 1, p.stdout
            order = [ln for ln in body[req[0]:] if '->>' in ln or '-->>' in ln or '--x' in ln]
            names = [[w for w in ln.split(':', 1)[1].split() if not w.startswith('[')][0]
                     for ln in order]
            i_ret = next(i for i, n in enumerate(names) if n.startswith('FFA_MEM_RETRIEVE_REQ'))
            i_rel = next(i for i, n in enumerate(names) if n.startswith('FFA_MEM_RELINQUISH'))
            i_resp = next(i for i, n in enumerate(names)
                          if n.startswith('FFA_MSG_SEND_DIRECT_RESP') and
                          order[i].split(':')[0].endswith('P0'))
            assert 0 < i_ret < i_rel < i_resp, (names, p.stdout)
            lanes = [ln.split(' as ', 1)[1] for ln in body if ln.startswith('participant ')]
            assert lanes == lanes_want, (lanes, p.stdout)
            sp, spmc = 'P%d' % lanes.index('sp8005'), 'P%d' % lanes.index('spmc')
            assert order[i_ret].startswith(sp + '->>' + spmc), order[i_ret]
            # the SVG shows the same lanes, and the offline checker agrees
            p = run(exe, 'trace', '--format', 'svg', ntr)
            root = ET.fromstring(p.stdout)
            assert [g.find(ns + 'text').text for g in root.iter(ns + 'g')
                    if g.get('class') == 'participant'] == lanes_want
            p = run(exe, 'trace', '--check', ntr)
            assert p.returncode == 0, p.stdout + p.stderr
            p = run(exe, 'trace', '--replay', '--proxy', prof, ntr)
            assert p.returncode == 0 and ': 0 differ' in p.stdout, p.stdout
        for bad_args in (['--proxy', 'none', mtrace], ['--replay', '--format', 'svg', mtrace],
                         ['--replay', '--check', mtrace], ['--replay', '--page-size', '5', mtrace],
                         ['--replay', '--proxy', 'pkvm-1999', mtrace]):
            p = run(exe, 'trace', *bad_args)
            assert p.returncode == 2 and p.stderr and p.stdout == '', (bad_args, p)

        # offline checking of a recording gives what the online checker found,
        # also across `reset` (new stacks) and a proxy installed mid-run
        scen = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'scenarios')
        ntrace = os.path.join(d, 'multi.jsonl')
        for name, prof in (('negotiation', 'none'), ('boot-order', 'none'),
                           ('memory-share', 'pkvm-2026')):
            p = run(exe, 'run', '--verbose', '--proxy', prof, '--trace', ntrace,
                    os.path.join(scen, name + '.ffa'))
            assert p.returncode == 0, p.stdout
            online = sum(1 for ln in p.stdout.splitlines() if ln.startswith('rule '))
            p = run(exe, 'trace', '--check', ntrace)
            offline = int(p.stderr.splitlines()[-1].split()[0])
            assert online == offline and online > 0, (name, online, offline)
            assert p.returncode == 1
        with open(trace, 'a') as f:
            f.write('{not json\n')
        p = run(exe, 'trace', trace)
        assert p.returncode == 2 and 'run.jsonl:' in p.stderr

    # decode: IDs, errors, versions, names, register dumps
    p = run(exe, 'decode', '0x84000063')
    assert p.returncode == 0 and 'FFA_VERSION' in p.stdout and 'SMC32' in p.stdout
    p = run(exe, 'decode', '0xfffffffe')
    assert 'INVALID_PARAMETERS' in p.stdout
    p = run(exe, 'decode', '-6')
    assert 'DENIED' in p.stdout
    p = run(exe, 'decode', '0x10002')
    assert '1.2' in p.stdout
    p = run(exe, 'decode', 'FFA_RXTX_MAP_64')
    assert '0xc4000066' in p.stdout
    p = run(exe, 'decode', 'x0=0x84000063 x1=0x10002')
    assert p.returncode == 0 and 'requested version: 1.2' in p.stdout
    p = run(exe, 'decode', 'x0 : 0000000084000060 x1 : 0 x2 : 00000000fffffffa')
    assert 'FFA_ERROR DENIED' in p.stdout, p.stdout
    p = run(exe, 'decode', '-', stdin='x0             = 0xc400006f\nx1 = 0x8001\nx2 = 0x0\n')
    assert '0x0000 -> 0x8001' in p.stdout, p.stdout
    # GDB "info registers": no separator, a 0x value, then a decimal column
    p = run(exe, 'decode', '-', stdin='x0             0x84000060          2214592608\n'
                                      'x2             0xfffffffa          4294967290\n')
    assert p.returncode == 0 and 'FFA_ERROR DENIED' in p.stdout, p.stdout
    for junk in ('nonsense', '0x', '0x-1', '- 1', 'x 1', 'x1 5'):
        p = run(exe, 'decode', junk)
        assert p.returncode == 2 and p.stderr, junk

    # rules: the checker's catalogue
    p = run(exe, 'rules')
    assert p.returncode == 0 and 'rules' in p.stdout.splitlines()[-1]
    assert run(exe, 'rules', '--severity', 'loud').returncode == 2
    p2 = run(exe, 'rules', '--severity', 'warning')
    last = p2.stdout.splitlines()[-1]
    assert p2.returncode == 0 and ' of ' in last and last.endswith(' rules'), last
    assert 'info ' not in p2.stdout
    # the man page documents every rule ID the catalogue has, and no other
    ids = {ln.split()[0] for ln in p.stdout.splitlines()
           if ln[:1].isalpha() and '-' in ln.split()[0]}
    assert len(ids) >= 30, ids
    man = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'doc', 'ffa-emu.1')
    with open(man) as f:
        documented = {ln.split()[1] for ln in f if ln.startswith('.BR ') and
                      ln.split()[1][:4] in ('FFA-', 'SMCC')}
    assert documented == ids, (sorted(ids - documented), sorted(documented - ids))
    print('CLI ok')


if __name__ == '__main__':
    main()
