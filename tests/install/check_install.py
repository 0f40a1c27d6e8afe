#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Install the build into a temporary DESTDIR, then build and run a small
program against the installed tree using only what pkg-config reports.

  check_install.py BUILD_ROOT PREFIX LIBDIR EXAMPLE_C MESON... -- CC...

The installed .pc file names the final prefix, so pkg-config runs with
PKG_CONFIG_SYSROOT_DIR=DESTDIR (the staging convention) and the program
runs with LD_LIBRARY_PATH pointing into DESTDIR.

FFAEMU_CONSUMER_CFLAGS (environment) is the one addition to pkg-config's
flags: the -fsanitize flags of a sanitizer build, without which the
sanitized library cannot be loaded by the program.
"""
import os
import shlex
import subprocess
import sys
import tempfile


def run(cmd, env=None):
    print('+ ' + ' '.join(shlex.quote(c) for c in cmd))
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True, env=env)
    print(p.stdout, end='')
    if p.returncode != 0:
        raise SystemExit('command failed with status %d' % p.returncode)
    return p.stdout


def staged(destdir, path):
    # os.path.join drops destdir when path is absolute.
    return os.path.join(destdir, path.lstrip(os.sep))


def main(argv):
    i = argv.index('--')
    build_root, prefix, libdir, example = argv[:4]
    meson = argv[4:i]
    cc = argv[i + 1:]
    libdir_abs = libdir if os.path.isabs(libdir) else os.path.join(prefix, libdir)

    with tempfile.TemporaryDirectory(prefix='ffaemu-install-') as destdir:
        run(meson + ['install', '-C', build_root, '--no-rebuild', '--destdir', destdir])

        pcdir = staged(destdir, os.path.join(libdir_abs, 'pkgconfig'))
        if not os.path.isfile(os.path.join(pcdir, 'ffa-emu.pc')):
            raise SystemExit('ffa-emu.pc not installed in ' + pcdir)

        env = dict(os.environ)
        # Our .pc first; the system's stay reachable for Requires.private (libffi).
        env['PKG_CONFIG_PATH'] = pcdir + os.pathsep + env.get('PKG_CONFIG_PATH', '')
        env['PKG_CONFIG_SYSROOT_DIR'] = destdir
        flags = shlex.split(run(['pkg-config', '--cflags', '--libs', 'ffa-emu'], env=env))
        if not any(f.startswith('-I' + destdir) for f in flags):
            raise SystemExit('pkg-config --cflags does not point into the staged tree')

        exe = os.path.join(destdir, 'example')
        extra = shlex.split(os.environ.get('FFAEMU_CONSUMER_CFLAGS', ''))
        run(cc + extra + [example, '-o', exe] + flags)

        env = dict(os.environ)
        env['LD_LIBRARY_PATH'] = (staged(destdir, libdir_abs) + os.pathsep +
                                  env.get('LD_LIBRARY_PATH', ''))
        out = run([exe], env=env)
        if 'SMCCC 1.2' not in out:
            raise SystemExit('unexpected example output')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
