#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Run `ffa-emu conform` on a plug-in proxy and check what it reports.

  check_conform.py FFA_EMU PLUGIN_SPEC STATUS [+RULE | -RULE]...

Passes when conform exits with STATUS, every +RULE is reported against the
plug-in, and no -RULE is. The whole report is printed either way, so the
test log shows what the suites found in the proxy.
"""
import subprocess
import sys


def main(argv):
    tool, spec, status = argv[0], argv[1], int(argv[2])
    proc = subprocess.run([tool, 'conform', '--proxy', 'plugin:' + spec, '--format', 'tap'],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True)
    print(proc.stdout)
    bad = 0
    if proc.returncode != status:
        print('conform exited %d, expected %d' % (proc.returncode, status))
        bad += 1
    # a finding against the plug-in names it in brackets: "[plugin:PATH:...]"
    mine = [l for l in proc.stdout.splitlines() if '[plugin:' in l and 'rule violation' in l]
    for want in argv[3:]:
        rule = want[1:]
        hit = any(rule in l for l in mine)
        if want[0] == '+' and not hit:
            print('expected %s against the plug-in, not reported' % rule)
            bad += 1
        if want[0] == '-' and hit:
            print('%s reported against the plug-in, expected none' % rule)
            bad += 1
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
