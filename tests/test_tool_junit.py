#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# `ffa-emu ... --format junit` must follow the common JUnit XML schema CI
# systems read (Jenkins/Ant "JUnit XML"): <testsuites> with tests/failures/
# errors/time, <testsuite> with name/tests/failures/errors/skipped/time/
# timestamp/hostname, <testcase> with classname/name/time, and at most one
# <failure message type> or <error message type> per test case.
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

SUITE_ATTRS = {'name', 'tests', 'failures', 'errors', 'skipped', 'time', 'timestamp', 'hostname',
               'id', 'package'}
CASE_ATTRS = {'classname', 'name', 'time'}


def check(xml_text):
    root = ET.fromstring(xml_text)
    assert root.tag == 'testsuites', root.tag
    for a in ('tests', 'failures', 'errors', 'time'):
        assert a in root.attrib, 'testsuites lacks ' + a
    float(root.get('time'))
    total = fails = errs = 0
    for ts in root:
        assert ts.tag == 'testsuite', ts.tag
        assert set(ts.attrib) <= SUITE_ATTRS, set(ts.attrib) - SUITE_ATTRS
        for a in ('name', 'tests', 'failures', 'errors', 'time'):
            assert a in ts.attrib, 'testsuite lacks ' + a
        assert ts.get('name')
        float(ts.get('time'))
        n = f = e = 0
        seen_case = False
        for child in ts:
            if child.tag == 'properties':
                assert not seen_case, 'properties after test cases'
                for prop in child:
                    assert prop.tag == 'property' and 'name' in prop.attrib and 'value' in prop.attrib
                continue
            if child.tag in ('system-out', 'system-err'):
                continue
            assert child.tag == 'testcase', child.tag
            seen_case = True
            assert set(child.attrib) <= CASE_ATTRS | {'assertions', 'status', 'file', 'line'}
            for a in CASE_ATTRS:
                assert a in child.attrib, 'testcase lacks ' + a
            float(child.get('time'))
            n += 1
            kids = [k.tag for k in child]
            assert len(kids) <= 1, kids
            if kids == ['failure']:
                f += 1
                assert 'message' in child[0].attrib and 'type' in child[0].attrib
            elif kids == ['error']:
                e += 1
                assert 'message' in child[0].attrib and 'type' in child[0].attrib
            else:
                assert kids in ([], ['skipped']), kids
        assert int(ts.get('tests')) == n, (ts.get('name'), ts.get('tests'), n)
        assert int(ts.get('failures')) == f
        assert int(ts.get('errors')) == e
        total, fails, errs = total + n, fails + f, errs + e
    assert int(root.get('tests')) == total
    assert int(root.get('failures')) == fails
    assert int(root.get('errors')) == errs
    return total, fails, errs


def main():
    exe = sys.argv[1]
    p = subprocess.run([exe, 'conform', '--format', 'junit'], capture_output=True, text=True)
    assert p.returncode in (0, 1), 'conform exit %d: %s' % (p.returncode, p.stderr)
    total, fails, errs = check(p.stdout)
    assert total >= 300, total
    assert (fails + errs > 0) == (p.returncode == 1)
    with tempfile.TemporaryDirectory() as d:
        a = os.path.join(d, 'a&<b>.ffa')
        with open(a, 'w') as f:
            f.write('call FFA_VERSION w1=1.2\nexpect version 1.2\nexpect x0!=0x10002 # "<&>"\n'
                    'write 0x10 u8 1\n')
        p = subprocess.run([exe, 'run', '--format', 'junit', a], capture_output=True, text=True)
        assert p.returncode == 1
        assert check(p.stdout) == (3, 1, 1), p.stdout
    print('JUnit ok')


if __name__ == '__main__':
    main()
