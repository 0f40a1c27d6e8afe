#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The shared library exports exactly the functions the public headers
declare FFAEMU_API: nothing leaks (a private helper made visible) and
nothing declared is missing (declared but never implemented or hidden).

  check_symbols.py NM LIBRARY INCLUDE_DIR
"""
import os
import re
import subprocess
import sys

COMMENT = re.compile(r'/\*.*?\*/|//[^\n]*', re.S)
# FFAEMU_API <return type> name( -- the first identifier followed by '('.
DECL = re.compile(r'\bFFAEMU_API\b([^;{}()]*?)\b([A-Za-z_]\w*)\s*\(', re.S)


def declared(include_dir):
    names = {}
    hdir = os.path.join(include_dir, 'ffa')
    for f in sorted(os.listdir(hdir)):
        if not f.endswith('.h'):
            continue
        with open(os.path.join(hdir, f)) as fh:
            text = COMMENT.sub(' ', fh.read())
        # Skip the macro's own definition lines.
        text = re.sub(r'#\s*define\s+FFAEMU_API[^\n]*', ' ', text)
        for m in DECL.finditer(text):
            names[m.group(2)] = f
    return names


def exported(nm, library):
    out = subprocess.run([nm, '-D', '--defined-only', library], stdout=subprocess.PIPE,
                         universal_newlines=True, check=True).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        kind, name = parts[-2], parts[-1]
        if kind == 'A':  # version-node names from the linker script (FFAEMU_0)
            continue
        names.add(name.split('@')[0])
    return names


def main(argv):
    nm, library, include_dir = argv
    decl = declared(include_dir)
    exp = exported(nm, library)
    bad = 0
    for name in sorted(set(decl) - exp):
        print('declared FFAEMU_API in %s but not exported: %s' % (decl[name], name))
        bad += 1
    for name in sorted(exp - set(decl)):
        print('exported but not declared FFAEMU_API in any public header: %s' % name)
        bad += 1
    for name in sorted(n for n in decl if not n.startswith('ffaemu_')):
        print('FFAEMU_API name without the ffaemu_ prefix: %s' % name)
        bad += 1
    print('%d declared, %d exported, %d problems' % (len(decl), len(exp), bad))
    return 1 if bad or not decl else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
