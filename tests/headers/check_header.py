#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Compile one public header on its own (C11 pedantic or C++), or compile,
link and run a C++ program against the shared library.

  check_header.py c   INCLUDE_DIR HEADER [EXTRA_FLAG...] -- CC...
  check_header.py cpp INCLUDE_DIR HEADER [EXTRA_FLAG...] -- CXX...
  check_header.py cpp-link INCLUDE_DIR SOURCE LIBRARY -- CXX...
  check_header.py list INCLUDE_DIR HEADER...

'list' checks that every header in INCLUDE_DIR/ffa is in the list meson
installs (include/meson.build public_headers), so a new header cannot be
left out of the install or of these tests.

FFAEMU_CONSUMER_CFLAGS (environment) is added when linking against the
library: a sanitizer build needs the consumer built with the same
-fsanitize flags, or the runtime refuses to load.
"""
import os
import shlex
import subprocess
import sys
import tempfile

C_FLAGS = ['-std=c11', '-pedantic', '-Werror', '-Wall', '-Wextra']
CXX_FLAGS = ['-std=c++11', '-pedantic', '-Werror', '-Wall', '-Wextra']


def split(argv):
    if '--' not in argv:
        sys.exit('usage: see the docstring')
    i = argv.index('--')
    return argv[:i], argv[i + 1:]


def run(cmd, **kw):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True, **kw)
    if p.returncode != 0:
        print(' '.join(cmd))
        print(p.stdout)
    return p.returncode


def compile_alone(lang, include_dir, header, extra, compiler):
    ext, flags = ('.c', C_FLAGS) if lang == 'c' else ('.cpp', CXX_FLAGS)
    # Twice: the include guard must hold. Nothing else: the header brings what it needs.
    src = ('#include <ffa/{0}>\n#include <ffa/{0}>\n'
           'int main(void) {{ return 0; }}\n').format(header)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'header' + ext)
        with open(path, 'w') as f:
            f.write(src)
        return run(compiler + flags + ['-I', include_dir] + extra + ['-c', path,
                                       '-o', os.path.join(tmp, 'header.o')])


def cpp_link(include_dir, source, library, compiler):
    with tempfile.TemporaryDirectory() as tmp:
        exe = os.path.join(tmp, 'cxx_link')
        extra = shlex.split(os.environ.get('FFAEMU_CONSUMER_CFLAGS', ''))
        if run(compiler + CXX_FLAGS + extra + ['-I', include_dir, source, library, '-o', exe]):
            return 1
        env = dict(os.environ)
        libdir = os.path.dirname(os.path.abspath(library))
        env['LD_LIBRARY_PATH'] = libdir + os.pathsep + env.get('LD_LIBRARY_PATH', '')
        return run([exe], env=env)


def check_list(include_dir, listed):
    present = sorted(f for f in os.listdir(os.path.join(include_dir, 'ffa'))
                     if f.endswith('.h'))
    listed = sorted(os.path.basename(h) for h in listed)
    missing = sorted(set(present) - set(listed))
    gone = sorted(set(listed) - set(present))
    for h in missing:
        print('include/ffa/%s is not in public_headers (include/meson.build)' % h)
    for h in gone:
        print('public_headers lists %s, which does not exist' % h)
    return 1 if missing or gone else 0


def main(argv):
    mode = argv[0]
    if mode == 'list':
        return check_list(argv[1], argv[2:])
    head, compiler = split(argv)
    if mode in ('c', 'cpp'):
        return compile_alone(mode, head[1], head[2], head[3:], compiler)
    if mode == 'cpp-link':
        return cpp_link(head[1], head[2], head[3], compiler)
    sys.exit('unknown mode ' + mode)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
