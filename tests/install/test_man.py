#!/usr/bin/env python3
"""The installed manual: every page renders with groff -ww and passes
mandoc -Tlint without warnings, has a NAME line man-db can index, every
function the shared library exports has its own page that `man` finds,
and bedrock(1) names every command of `bedrock --help`.
Usage: test_man.py BUILD_DIR SOURCE_DIR"""
import os
import re
import shutil
import tempfile

from common import commands_of_help, check, finish, install, libdir, run


def exported_functions(lib):
    r = run(["nm", "-D", "--defined-only", os.path.join(lib, "libbedrock.so")])
    return sorted(m.group(1) for m in re.finditer(r"^\S+ T (\S+)$", r.stdout, re.M))


def main():
    work = tempfile.mkdtemp(prefix="bedrock-man-")
    try:
        root = install(os.path.join(work, "dest"))
        mandir = os.path.join(root, "share", "man")
        pages = []
        for sec in ("man1", "man3"):
            d = os.path.join(mandir, sec)
            pages += [os.path.join(sec, p) for p in sorted(os.listdir(d))]
        check("man pages installed", len(pages) > 10, pages)
        bad_groff, bad_mandoc, bad_name = [], [], []
        for p in pages:
            # From the man directory, as man-db runs it, so .so requests resolve.
            r = run(["groff", "-man", "-Tutf8", "-ww", "-z", p], cwd=mandir)
            if r.returncode != 0 or r.stderr.strip():
                bad_groff.append("%s: %s" % (p, r.stderr.strip()))
        # mandoc and lexgrog name the file in what they say: all at once.
        r = run(["mandoc", "-Tlint", "-W", "warning"] + pages, cwd=mandir)
        if r.returncode != 0 or r.stdout.strip() or r.stderr.strip():
            bad_mandoc.append(r.stdout.strip() + r.stderr.strip())
        r = run(["lexgrog"] + pages, cwd=mandir)
        bad_name = [ln for ln in r.stdout.split("\n") if "parse failed" in ln]
        if r.returncode != 0 and not bad_name:
            bad_name.append("lexgrog exit %d: %s" % (r.returncode, r.stderr))
        check("lexgrog read every page", r.stdout.count("\n") >= len(pages), r.stdout[-300:])
        check("every page renders with groff -ww, no warning (%d pages)" % len(pages),
              not bad_groff, "\n".join(bad_groff[:20]))
        check("every page passes mandoc -Tlint -W warning", not bad_mandoc, "\n".join(bad_mandoc[:20]))
        check("every page has a NAME section man-db can index", not bad_name, "\n".join(bad_name[:20]))

        funcs = exported_functions(libdir(root))
        check("libbedrock.so exports functions", len(funcs) > 100, len(funcs))
        missing = [f for f in funcs if not os.path.isfile(os.path.join(mandir, "man3", f + ".3"))]
        check("every exported function has a page (%d functions)" % len(funcs), not missing, missing)

        # `man` itself, pointed at the DESTDIR's manual.
        env = dict(os.environ, MANPATH=mandir, MANWIDTH="80", MAN_DISABLE_SECCOMP="1")
        for page, want in (("bedrock_stream_next", r"int bedrock_stream_next\(bedrock_event \*out"),
                           ("bedrock_client", r"bedrock_invoke_model"),
                           ("libbedrock", r"pkg-config"),
                           ("bedrock", r"bedrock emulate")):
            r = run(["man", "-P", "cat", page], env=env)
            text = re.sub(r".\x08", "", r.stdout)
            check("man %s" % page, r.returncode == 0 and re.search(want, text),
                  text[:300] + r.stderr)
        r = run(["man", "-P", "cat", "3", "bedrock_set_allocator"], env=env)
        check("man 3 bedrock_set_allocator shows the SEE ALSO to libbedrock(3)",
              "libbedrock(3)" in re.sub(r".\x08", "", r.stdout), r.stdout[-300:])

        # bedrock(1) covers every command the tool lists.
        r = run([os.path.join(root, "bin", "bedrock"), "--help"])
        cmds = commands_of_help(r.stdout)
        cmds.discard("debug")
        page = open(os.path.join(mandir, "man1", "bedrock.1"), encoding="utf-8").read()
        page = page.replace("\\-", "-")
        missing = sorted(c for c in cmds if not re.search(r"(^|\s|B )%s\b" % re.escape(c), page))
        check("bedrock(1) names every command of bedrock --help (%s)" % " ".join(sorted(cmds)),
              cmds and not missing, missing)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
    finish()
