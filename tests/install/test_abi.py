#!/usr/bin/env python3
"""What the built libraries expose. The shared library exports exactly the
functions declared in include/bedrock/*.h (no data, no bedrock__ helper, no
other name); its SONAME is libbedrock.so.<major version>; no function of
that SONAME's baseline (tests/install/abi/) has gone, which would need a new
SONAME; and every global symbol the static archive defines is bedrock_*,
so linking it never clashes with a program's own names; and the structs
the caller allocates keep the size and layout recorded in
tests/install/abi/structs.txt (they grow only into their reserved space).
Usage: test_abi.py BUILD_DIR SOURCE_DIR"""
import os
import re
import subprocess
import sys
import tempfile

from common import BUILD, SRC, check, finish, run


def main():
    so = os.path.join(BUILD, "libbedrock.so")
    major = re.search(r"project\(libbedrock VERSION (\d+)\.",
                      open(os.path.join(SRC, "CMakeLists.txt")).read()).group(1)
    r = run(["readelf", "-d", so])
    soname = re.search(r"Library soname: \[([^\]]+)\]", r.stdout)
    check("SONAME is libbedrock.so.%s" % major,
          soname and soname.group(1) == "libbedrock.so." + major, r.stdout)

    r = run(["nm", "-D", "--defined-only", so])
    syms = re.findall(r"^\S+ (\S) (\S+)$", r.stdout, re.M)
    funcs = sorted(n for t, n in syms if t == "T")
    check("the shared library exports functions", len(funcs) > 100, len(funcs))
    other = ["%s %s" % (t, n) for t, n in syms if t != "T" or not n.startswith("bedrock_")
             or n.startswith("bedrock__")]
    check("only bedrock_* functions are exported", not other, other)

    r = run([sys.executable, os.path.join(SRC, "docs", "man", "mkman.py"), "--list-functions",
             os.path.join(SRC, "include", "bedrock")])
    declared = sorted(r.stdout.split())
    check("the headers declare functions", len(declared) > 100, r.stderr)
    check("every exported function is declared in a public header",
          not set(funcs) - set(declared), sorted(set(funcs) - set(declared)))
    check("every function of the public headers is exported",
          not set(declared) - set(funcs), sorted(set(declared) - set(funcs)))

    base = os.path.join(SRC, "tests", "install", "abi", "libbedrock.so.%s.symbols" % major)
    if check("a baseline for libbedrock.so.%s exists" % major, os.path.isfile(base), base):
        want = [ln.strip() for ln in open(base) if ln.strip() and not ln.startswith("#")]
        gone = sorted(set(want) - set(funcs))
        check("no function of the libbedrock.so.%s baseline is gone (%d)" % (major, len(want)),
              not gone, "removed or renamed: %s -- an ABI break needs a new SONAME" % gone)

    r = run(["nm", "-g", "--defined-only", os.path.join(BUILD, "libbedrock.a")])
    glob = re.findall(r"^\S+ ([A-Z]) (\S+)$", r.stdout, re.M)
    foreign = sorted(set("%s %s" % (t, n) for t, n in glob if not n.startswith("bedrock_")
                         and not n.startswith("__")))   # __asan / __ubsan in sanitizer builds
    check("libbedrock.a defines only bedrock_* globals (%d)" % len(glob), glob and not foreign,
          foreign)


# The structs a caller allocates and the library fills: their size and the
# offset of their reserved tail are ABI (README, "Versioning and ABI").
def check_struct_layout():
    path = os.path.join(SRC, "tests", "install", "abi", "structs.txt")
    want = {}
    for ln in open(path):
        if ln.strip() and not ln.startswith("#"):
            name, size, off = ln.split()
            want[name] = (int(size), int(off))
    prog = ["#include <stddef.h>", "#include <stdio.h>", "#include <bedrock/bedrock.h>",
            "int main(void) {"]
    for name in want:
        prog.append('printf("%%s %%zu %%zu\\n", "%s", sizeof(%s), offsetof(%s, reserved));'
                    % (name, name, name))
    prog.append("return 0; }")
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "layout.c")
        exe = os.path.join(d, "layout")
        open(src, "w").write("\n".join(prog) + "\n")
        r = subprocess.run([os.environ.get("CC", "cc"), "-std=c11", "-I",
                            os.path.join(SRC, "include"), src, "-o", exe],
                           capture_output=True, text=True)
        if not check("the layout probe compiles", r.returncode == 0, r.stderr):
            return
        out = subprocess.run([exe], capture_output=True, text=True).stdout
    got = {n: (int(a), int(b)) for n, a, b in (ln.split() for ln in out.splitlines())}
    for name, (size, off) in want.items():
        check("%s keeps its size (%d) and reserved offset (%d)" % (name, size, off),
              got.get(name) == (size, off),
              "now %s: a field added outside the reserved space is an ABI break" % (got.get(name),))


if __name__ == "__main__":
    if os.uname().machine == "x86_64":  # the recorded layout is LP64 x86-64
        check_struct_layout()
    main()
    finish()
