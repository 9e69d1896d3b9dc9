#!/usr/bin/env python3
"""The Debian package: CPack builds it from this build, its control data
has a Depends line computed by dpkg-shlibdeps (libcurl, libssl, cJSON, ...)
and a shlibs file, it holds everything `make install` installs, and dpkg
installs it into a scratch root (--root with its own admin directory,
maintainer scripts run outside a chroot with a recording stand-in for
ldconfig, so the machine's own state is never touched). The installed CLI
and shared library then run from that root.
Usage: test_deb.py BUILD_DIR SOURCE_DIR"""
import glob
import os
import re
import shutil
import tempfile

from common import BUILD, CLIENT_ENV, SRC, Emulator, check, finish, run

VECTOR = os.path.join(
    SRC, "tests", "vectors", "bedrock",
    "newrelic__invoke_stream__anthropic.claude-3-sonnet-20240229-v1_3A0__What_is_212_degrees_"
    "Fahrenheit_converted", "response.body")


def control(deb):
    r = run(["dpkg-deb", "-f", deb])
    fields, key = {}, None
    for ln in r.stdout.split("\n"):
        m = re.match(r"([A-Za-z-]+): ?(.*)", ln)
        if m:
            key = m.group(1)
            fields[key] = m.group(2)
        elif key and ln.startswith(" "):
            fields[key] += "\n" + ln
    return fields


def main():
    work = tempfile.mkdtemp(prefix="bedrock-deb-")
    try:
        r = run(["cpack", "-G", "DEB", "-B", work, "--config",
                 os.path.join(BUILD, "CPackConfig.cmake")], timeout=600)
        debs = glob.glob(os.path.join(work, "*.deb"))
        if not check("cpack -G DEB makes one .deb", r.returncode == 0 and len(debs) == 1,
                     r.stdout[-1500:] + r.stderr[-1500:]):
            return
        deb = debs[0]
        f = control(deb)
        check("Package: bedrock", f.get("Package") == "bedrock", f)
        dep = f.get("Depends", "")
        for lib in ("libcurl4", "libssl3", "libcjson1", "zlib1g", "libexpat1", "libc6"):
            check("Depends names " + lib, re.search(r"(^|, )%s( |,|$)" % lib, dep), dep)
        check("Depends has versions (dpkg-shlibdeps)", re.search(r"libc6 \(>= [0-9.]+\)", dep), dep)
        r = run(["sh", "-c", "dpkg-deb --ctrl-tarfile '%s' | tar -xO ./shlibs" % deb])
        check("shlibs file for libbedrock.so.1", re.match(r"libbedrock 1 bedrock \(>= ", r.stdout),
              r.stdout + r.stderr)

        files = run(["dpkg-deb", "-c", deb]).stdout
        for path in (r"\./usr/bin/bedrock$", r"/libbedrock\.so\.1\.\d+\.\d+$", r"/libbedrock\.so\.1 -> ",
                     r"/libbedrock\.a$", r"\./usr/include/bedrock/bedrock\.h$",
                     r"/pkgconfig/bedrock\.pc$", r"/cmake/bedrock/bedrockConfig\.cmake$",
                     r"\./usr/share/man/man1/bedrock\.1$", r"\./usr/share/man/man3/bedrock_stream_next\.3$",
                     r"\./usr/share/bash-completion/completions/bedrock$",
                     r"\./usr/share/zsh/site-functions/_bedrock$"):
            check("the package holds " + path, re.search(path, files, re.M), "")
        check("nothing outside /usr", not re.search(r"^\S+ \S+ +\d+ \S+ \S+ \./(?!usr/)\S",
                                                      files, re.M))

        # dpkg --root: a scratch root with an empty package database.
        root = os.path.join(work, "root")
        admin = os.path.join(root, "var", "lib", "dpkg")
        for d in ("info", "updates", "triggers"):
            os.makedirs(os.path.join(admin, d))
        for name in ("status", "available"):
            open(os.path.join(admin, name), "w").close()
        stub = os.path.join(work, "bin")
        os.makedirs(stub)
        log = os.path.join(work, "ldconfig.log")
        with open(os.path.join(stub, "ldconfig"), "w") as fh:
            fh.write("#!/bin/sh\necho \"ldconfig $*\" >> '%s'\n" % log)
        os.chmod(os.path.join(stub, "ldconfig"), 0o755)
        env = dict(os.environ, PATH=stub + ":" + os.environ.get("PATH", "/usr/bin:/bin"))
        r = run(["dpkg", "--root=" + root, "--admindir=" + admin, "--force-depends",
                 "--force-script-chrootless", "--force-not-root", "--no-triggers", "--log=/dev/null",
                 "-i", deb], env=env)
        check("dpkg -i into the scratch root", r.returncode == 0, r.stdout + r.stderr)
        r = run(["dpkg-query", "--admindir=" + admin, "-W", "-f=${Status} ${Version}", "bedrock"])
        check("dpkg says it is installed", r.stdout.startswith("install ok installed"),
              r.stdout + r.stderr)
        check("postinst ran ldconfig", os.path.exists(log), "")

        usr = os.path.join(root, "usr")
        bedrock = os.path.join(usr, "bin", "bedrock")
        r = run([bedrock, "--version"])
        check("the packaged bedrock runs", r.returncode == 0 and re.search(r"\d+\.\d+\.\d+", r.stdout),
              r.stdout + r.stderr)
        r = run([bedrock, "debug", "eventstream", "--text", VECTOR])
        check("the packaged bedrock decodes a recorded stream",
              "212 degrees Fahrenheit is equivalent to 100 degrees Celsius" in r.stdout, r.stdout[:300])
        libs = [os.path.dirname(p) for p in glob.glob(os.path.join(usr, "lib", "**", "libbedrock.so.1"),
                                                      recursive=True)]
        if check("libbedrock.so.1 is in the package", libs, ""):
            # The packaged shared library, loaded by python3's ctypes; the
            # packaged CLI against the packaged emulator.
            emu = Emulator(bedrock)
            try:
                prog = ("import ctypes, sys\n"
                        "lib = ctypes.CDLL('libbedrock.so.1')\n"
                        "lib.bedrock_version.restype = ctypes.c_char_p\n"
                        "print(lib.bedrock_version().decode())\n")
                r = run(["python3", "-c", prog], env=dict(CLIENT_ENV, LD_LIBRARY_PATH=libs[0]))
                check("the packaged libbedrock.so.1 loads and answers bedrock_version()",
                      r.returncode == 0 and re.match(r"\d+\.\d+\.\d+", r.stdout), r.stdout + r.stderr)
                r = run([bedrock, "--endpoint-url", emu.url, "--region", "us-east-1", "invoke",
                         "--model-id", "global.anthropic.claude-sonnet-4-5-20250929-v1:0", "--body",
                         '{"anthropic_version":"bedrock-2023-05-31","max_tokens":50,'
                         '"messages":[{"role":"user","content":"Hello, world"}]}'],
                        env=CLIENT_ENV, timeout=60)
                check("the packaged bedrock invokes the packaged emulator",
                      r.returncode == 0 and "You said: Hello, world" in r.stdout, r.stdout + r.stderr)
            finally:
                emu.stop()
        r = run(["dpkg", "--root=" + root, "--admindir=" + admin, "--force-script-chrootless",
                 "--force-not-root", "--no-triggers", "--log=/dev/null", "--purge", "bedrock"], env=env)
        check("dpkg --purge removes it", r.returncode == 0 and not os.path.exists(bedrock),
              r.stdout + r.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
    finish()
