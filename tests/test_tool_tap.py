#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# `ffa-emu conform/run --format tap` must be TAP version 13: the version
# line first, one plan (1..N, here at the end), test lines numbered 1..N in
# order, YAML diagnostic blocks ("  ---" ... "  ...") only after a test line.
import os
import re
import subprocess
import sys
import tempfile

TEST = re.compile(r'^(not )?ok (\d+)( - [^#]*)?( # (SKIP|TODO)\b.*)?$')
PLAN = re.compile(r'^1\.\.(\d+)( # .*)?$')


def parse_tap(text):
    lines = text.splitlines()
    assert lines and lines[0] == 'TAP version 13', 'first line must be "TAP version 13"'
    plan = None
    numbers = []
    failed = 0
    in_yaml = False
    last_was_test = False
    for i, line in enumerate(lines[1:], start=2):
        if in_yaml:
            if line == '  ...':
                in_yaml = False
            else:
                assert line.startswith('  '), 'line %d: YAML block not indented' % i
            continue
        if line == '  ---':
            assert last_was_test, 'line %d: YAML block not after a test line' % i
            in_yaml = True
            last_was_test = False
            continue
        m = TEST.match(line)
        if m:
            assert plan is None, 'line %d: test after a trailing plan' % i
            numbers.append(int(m.group(2)))
            if m.group(1):
                failed += 1
            last_was_test = True
            continue
        last_was_test = False
        m = PLAN.match(line)
        if m:
            assert plan is None, 'line %d: second plan' % i
            plan = int(m.group(1))
            continue
        if line.startswith('#') or line == '':
            continue
        raise AssertionError('line %d: not TAP: %r' % (i, line))
    assert not in_yaml, 'unterminated YAML block'
    assert plan is not None, 'no plan'
    assert numbers == list(range(1, plan + 1)), 'tests not numbered 1..%d' % plan
    return plan, failed


def main():
    exe = sys.argv[1]
    # the shipped suites
    p = subprocess.run([exe, 'conform', '--format', 'tap'], capture_output=True, text=True)
    assert p.returncode in (0, 1), 'conform exit %d: %s' % (p.returncode, p.stderr)
    plan, failed = parse_tap(p.stdout)
    assert plan >= 300, 'only %d expectations' % plan
    assert (failed > 0) == (p.returncode == 1), 'exit status disagrees with the results'
    # a script with one failing expectation and one script error
    with tempfile.TemporaryDirectory() as d:
        a = os.path.join(d, 'a.ffa')
        with open(a, 'w') as f:
            f.write('call FFA_VERSION w1=1.2\nexpect version 1.2\nexpect version 1.1\n')
        b = os.path.join(d, 'b.ffa')
        with open(b, 'w') as f:
            f.write('call FFA_ID_GET\nexpect FFA_SUCCESS\nwrite 0x10 u32 1\n')
        p = subprocess.run([exe, 'run', '--format', 'tap', a, b], capture_output=True, text=True)
        assert p.returncode == 1, p.returncode
        plan, failed = parse_tap(p.stdout)
        assert (plan, failed) == (4, 2), (plan, failed, p.stdout)
        assert 'message:' in p.stdout
    print('TAP ok')


if __name__ == '__main__':
    main()
