#!/usr/bin/env python3
"""`make install` into a DESTDIR, then programs built against that tree the
three ways a user would: pkg-config (shared), pkg-config --static, and a
CMake project with find_package(bedrock); each runs against the installed
`bedrock emulate`. Usage: test_install.py BUILD_DIR SOURCE_DIR"""
import os
import re
import shutil
import tempfile

from common import (BUILD, CC, CFLAGS, CLIENT_ENV, SRC, Emulator, check, finish, libdir, run)

VERSION = re.search(r"project\(libbedrock VERSION (\d+)\.(\d+)\.(\d+)",
                    open(os.path.join(SRC, "CMakeLists.txt")).read()).groups()
EXAMPLE = os.path.join(SRC, "examples", "hello_world.c")
ANSWER = '"text":"You said: Hello, world"'


def needed(path):
    r = run(["readelf", "-d", path])
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", r.stdout)


def pkgconfig(dest, root, *args):
    env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(libdir(root), "pkgconfig"),
               PKG_CONFIG_SYSROOT_DIR=dest)
    env.pop("PKG_CONFIG_LIBDIR", None)
    r = run(["pkg-config"] + list(args), env=env)
    check("pkg-config " + " ".join(args), r.returncode == 0, r.stderr)
    return r.stdout.split()


def run_example(path, url, extra_env=None):
    env = dict(CLIENT_ENV, BEDROCK_ENDPOINT=url, **(extra_env or {}))
    return run([path], env=env, timeout=60)


def layout(root):
    ver = ".".join(VERSION)
    lib = libdir(root)
    check("bin/bedrock installed", os.access(os.path.join(root, "bin", "bedrock"), os.X_OK))
    real = os.path.join(lib, "libbedrock.so." + ver)
    check("shared library " + real, os.path.isfile(real) and not os.path.islink(real))
    check("libbedrock.so.%s -> .so.%s" % (VERSION[0], ver),
          os.readlink(os.path.join(lib, "libbedrock.so." + VERSION[0])) == "libbedrock.so." + ver)
    check("libbedrock.so -> .so.%s" % VERSION[0],
          os.readlink(os.path.join(lib, "libbedrock.so")) == "libbedrock.so." + VERSION[0])
    r = run(["readelf", "-d", real])
    check("SONAME libbedrock.so.%s" % VERSION[0],
          "Library soname: [libbedrock.so.%s]" % VERSION[0] in r.stdout, r.stdout)
    check("static library", os.path.isfile(os.path.join(lib, "libbedrock.a")))
    for h in sorted(os.listdir(os.path.join(SRC, "include", "bedrock"))):
        check("header " + h, os.path.isfile(os.path.join(root, "include", "bedrock", h)))
    for f in ("pkgconfig/bedrock.pc", "pkgconfig/libbedrock.pc", "cmake/bedrock/bedrockConfig.cmake",
              "cmake/bedrock/bedrockConfigVersion.cmake", "cmake/bedrock/bedrockTargets.cmake"):
        check(f, os.path.isfile(os.path.join(lib, f)))
    for f in ("share/man/man1/bedrock.1", "share/man/man3/libbedrock.3",
              "share/man/man3/bedrock_stream_next.3", "share/bash-completion/completions/bedrock",
              "share/zsh/site-functions/_bedrock"):
        check(f, os.path.isfile(os.path.join(root, f)))
    r = run([os.path.join(root, "bin", "bedrock"), "--version"])
    check("installed bedrock --version", r.returncode == 0 and ver in r.stdout, r.stdout + r.stderr)


def with_pkgconfig(dest, root, work, url):
    ver = ".".join(VERSION)
    lib = libdir(root)
    check("pkg-config --modversion bedrock", pkgconfig(dest, root, "--modversion", "bedrock") == [ver])
    check("pkg-config --modversion libbedrock (the older name)",
          pkgconfig(dest, root, "--modversion", "libbedrock") == [ver])
    cflags = pkgconfig(dest, root, "--cflags", "bedrock")
    check("--cflags names the DESTDIR's include", "-I" + os.path.join(root, "include") in cflags, cflags)
    libs = pkgconfig(dest, root, "--libs", "bedrock")
    check("--libs is -L<libdir> -lbedrock", libs == ["-L" + lib, "-lbedrock"], libs)
    static = pkgconfig(dest, root, "--static", "--libs", "bedrock")
    # (No -lm of ours: the library does its few lines of floating point
    # itself; cJSON's and expat's static links still bring it.)
    for dep in ("-lcurl", "-lcjson", "-lz", "-lcrypto", "-lexpat"):
        check("--static --libs has " + dep, dep in static, static)

    # Shared: found through LD_LIBRARY_PATH in the DESTDIR, not elsewhere.
    exe = os.path.join(work, "hello_pc")
    r = run([CC] + CFLAGS + ["-o", exe, EXAMPLE] + cflags + libs)
    if check("cc $(pkg-config --cflags --libs bedrock)", r.returncode == 0, r.stderr):
        check("it needs libbedrock.so.%s" % VERSION[0], "libbedrock.so." + VERSION[0] in needed(exe))
        r = run(["ldd", exe], env=dict(os.environ, LD_LIBRARY_PATH=lib))
        check("ldd finds libbedrock in the DESTDIR",
              re.search(r"libbedrock\.so\.\d+ => %s/" % re.escape(lib), r.stdout), r.stdout)
        r = run_example(exe, url, {"LD_LIBRARY_PATH": lib})
        check("shared hello_world answers", r.returncode == 0 and ANSWER in r.stdout,
              r.stdout + r.stderr)

    # Static: libbedrock.a, its dependencies from Requires.private.
    archive = ["-l:libbedrock.a" if a == "-lbedrock" else a for a in static]
    exe = os.path.join(work, "hello_static_pc")
    r = run([CC] + CFLAGS + ["-o", exe, EXAMPLE] + cflags + archive)
    if check("cc ... $(pkg-config --static --libs bedrock) with libbedrock.a", r.returncode == 0,
             r.stderr):
        check("no libbedrock.so needed", not [n for n in needed(exe) if "bedrock" in n], needed(exe))
        r = run_example(exe, url)
        check("static hello_world answers", r.returncode == 0 and ANSWER in r.stdout,
              r.stdout + r.stderr)
    # ... and without --static the archive's dependencies are missing:
    # what Requires.private is for.
    r = run([CC] + CFLAGS + ["-o", exe + "_bad", EXAMPLE] + cflags +
            ["-l:libbedrock.a" if a == "-lbedrock" else a for a in libs])
    check("libbedrock.a without --static does not link", r.returncode != 0 and
          "undefined reference" in r.stderr, r.stderr[-500:])


def with_cmake(root, work, url):
    bdir = os.path.join(work, "consumer")
    flags = " ".join(CFLAGS)
    conf = ["cmake", "-S", os.path.join(SRC, "tests", "install", "consumer"), "-B", bdir,
            "-DCMAKE_PREFIX_PATH=" + root, "-DEXAMPLE=" + EXAMPLE, "-DCMAKE_BUILD_TYPE=Debug",
            "-DCMAKE_C_FLAGS=" + flags, "-DCMAKE_EXE_LINKER_FLAGS=" + flags]
    r = run(conf)
    if not check("find_package(bedrock 1.0) configures", r.returncode == 0, r.stdout + r.stderr):
        return
    check("it found version %s" % ".".join(VERSION),
          "found bedrock %s" % ".".join(VERSION) in r.stdout, r.stdout)
    r = run(["cmake", "--build", bdir, "-j", "2"])
    if not check("consumer builds", r.returncode == 0, r.stdout + r.stderr):
        return
    shared, static = os.path.join(bdir, "hello_shared"), os.path.join(bdir, "hello_static")
    check("bedrock::bedrock is the shared library", "libbedrock.so." + VERSION[0] in needed(shared))
    check("bedrock::bedrock_static is the archive",
          not [n for n in needed(static) if "bedrock" in n], needed(static))
    for exe in (shared, static):   # the shared one by its build RPATH
        r = run_example(exe, url)
        check(os.path.basename(exe) + " answers", r.returncode == 0 and ANSWER in r.stdout,
              r.stdout + r.stderr)
    # The package's version rule: another major version is not compatible.
    r = run(conf[:3] + ["-B", bdir + "2"] + conf[5:7] +
            ["-DWANT_VERSION=%d.0" % (int(VERSION[0]) + 1)])
    check("find_package(bedrock %d.0) is refused" % (int(VERSION[0]) + 1), r.returncode != 0,
          r.stdout[-300:])


def main():
    work = tempfile.mkdtemp(prefix="bedrock-install-")
    try:
        dest = os.path.join(work, "dest")
        env = dict(os.environ, MAKEFLAGS="", MAKELEVEL="")
        r = run(["make", "-s", "-C", SRC, "install", "BUILD_DIR=" + BUILD, "PREFIX=/usr/local",
                 "DESTDIR=" + dest, "JOBS=2"], env=env, timeout=600)
        if not check("make install PREFIX=/usr/local DESTDIR=...", r.returncode == 0,
                     r.stdout[-1000:] + r.stderr[-1000:]):
            return
        root = dest + "/usr/local"
        layout(root)
        emu = Emulator(os.path.join(root, "bin", "bedrock"))
        try:
            with_pkgconfig(dest, root, work, emu.url)
            with_cmake(root, work, emu.url)
        finally:
            emu.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
    finish()
