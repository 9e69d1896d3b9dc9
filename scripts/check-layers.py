#!/usr/bin/env python3
"""Checks that the source tree's dependencies point one way (README, "The
source tree").

1. Includes: a file in src/ may include a private header only from its own
   folder or a folder below it in LAYERS; programs (cli, emulate, serve)
   reach the library only through include/bedrock and src/util.
2. Calls (with --objects DIR): no cycle between the object files of
   src/lib, read from `nm` of the library's objects.

Usage: check-layers.py SRC_ROOT [--objects OBJECT_FILE... | OBJECT_DIR]
"""
import collections
import os
import re
import subprocess
import sys

# Bottom first. A folder may include headers of its own rank or lower.
LIB_LAYERS = ["util", "lib/wire", "lib/messages", "lib/models", "lib/http", "lib/aws",
              "lib/google", "lib/platform", "lib"]
# Programs: what each may include besides public headers and src/util.
PROGRAMS = {
    "serve": {"serve"},
    "emulate": {"serve", "emulate"},
    "gateway": {"serve", "gateway"},
    "cli": {"serve", "emulate", "gateway", "cli"},
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def folder_of(rel):
    """'lib/aws/creds.c' -> 'lib/aws'; 'lib/platform/bedrock/x.c' -> 'lib/platform'."""
    parts = rel.split("/")[:-1]
    if parts[:2] == ["lib", "platform"]:
        return "lib/platform"
    return "/".join(parts[:2]) if parts[0] == "lib" else parts[0]


def rank(folder):
    return LIB_LAYERS.index(folder) if folder in LIB_LAYERS else None


def check_includes(src):
    headers = collections.defaultdict(list)
    files = []
    for root, _, names in os.walk(src):
        for n in names:
            rel = os.path.relpath(os.path.join(root, n), src)
            if n.endswith(".h"):
                headers[n].append(rel)
            if n.endswith((".c", ".h")):
                files.append(rel)
    errors = []
    for rel in sorted(files):
        me = folder_of(rel)
        text = open(os.path.join(src, rel), encoding="utf-8", errors="replace").read()
        for inc in INCLUDE.findall(text):
            if inc.startswith("bedrock/"):
                continue
            where = headers.get(os.path.basename(inc))
            if not where:
                continue  # a system header or a generated one
            if len(where) > 1:
                errors.append(f"{rel}: \"{inc}\" is ambiguous: {', '.join(where)}")
                continue
            them = folder_of(where[0])
            if them == me or them == "util":
                continue
            if me in PROGRAMS:
                if them not in PROGRAMS[me]:
                    errors.append(f"{rel}: includes {where[0]}: {me}/ may use only the public "
                                  f"API, src/util and {', '.join(sorted(PROGRAMS[me]))}")
                continue
            rm, rt = rank(me), rank(them)
            if rt is None or rm is None or rt > rm:
                errors.append(f"{rel}: includes {where[0]}: {me}/ sits below {them}/")
    return errors


def check_calls(paths):
    """Builds the object-file call graph of src/lib and reports cycles.
    paths: object files, or one folder to search for them."""
    # CTest passes $<TARGET_OBJECTS:...> as one ;-separated argument.
    paths = [q for p in paths for q in p.split(";") if q]
    objs = []
    if len(paths) == 1 and os.path.isdir(paths[0]):
        for root, _, names in os.walk(paths[0]):
            objs += [os.path.join(root, n) for n in names if n.endswith(".o")]
    else:
        objs = [p for p in paths if p.endswith(".o")]
    common = os.path.commonpath(objs) if objs else ""
    defs, uses = {}, {}
    for o in objs:
        name = os.path.relpath(o, common)
        out = subprocess.run(["nm", o], capture_output=True, text=True, check=True).stdout
        d, u = set(), set()
        for line in out.splitlines():
            f = line.split()
            if len(f) == 2 and f[0] == "U":
                u.add(f[1])
            elif len(f) == 3 and f[1] in "TDRB":
                d.add(f[2])
        defs[name], uses[name] = d, u
    owner = {s: o for o, ds in defs.items() for s in ds}
    graph = {o: {owner[s] for s in uses[o] if s in owner and owner[s] != o} for o in defs}
    # Tarjan's strongly connected components.
    index, low, stack, on, comps, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    errors = []
    for comp in comps:
        edges = []
        for a in comp:
            for b in comp:
                if b in graph[a]:
                    syms = sorted(s for s in uses[a] if owner.get(s) == b)
                    edges.append(f"{a} -> {b} ({', '.join(syms[:4])})")
        errors.append("call cycle: " + "; ".join(edges))
    return errors


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    src = sys.argv[1]
    errors = check_includes(src)
    if "--objects" in sys.argv:
        errors += check_calls(sys.argv[sys.argv.index("--objects") + 1:])
    for e in errors:
        print(e)
    print(f"{0 if errors else 1} passed, {1 if errors else 0} failed")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
