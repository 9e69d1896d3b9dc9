#!/usr/bin/env python3
"""The installed bash and zsh completion: both load (bash with and without
the bash-completion package, zsh through compinit and its fpath), complete
command names, and know every command and option the built `bedrock` lists
in its --help output, plus the ask/chat/tokens options and the model
aliases of the catalog. zsh runs interactively on a pseudo-terminal; its
compadd is wrapped to record what it was given.
Usage: test_completion.py BUILD_DIR SOURCE_DIR"""
import os
import pty
import re
import select
import shutil
import signal
import tempfile
import time

from common import commands_of_help, check, finish, install, run

BASH_COMPLETION = "/usr/share/bash-completion/bash_completion"

# bash: complete LINE (the cursor at its end) and print COMPREPLY.
BASH_DRIVER = r'''
complete_line() {
	local line=$1
	COMP_LINE=$line
	COMP_POINT=${#line}
	read -ra COMP_WORDS <<< "$line"
	[[ $line == *" " ]] && COMP_WORDS+=("")
	COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
	COMPREPLY=()
	_bedrock bedrock "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}" 2>/dev/null
	printf '%s\n' "${COMPREPLY[@]}"
	echo "--end--"
}
'''

ZSH_SETUP = r'''
PS1='%% '
fpath=(%(fpath)s $fpath)
autoload -Uz compinit && compinit -u -D
setopt no_auto_list no_beep
__out=%(out)s
compadd() {
	local a
	for a in "$@"; do [[ $a == -[OAD] ]] && { builtin compadd "$@"; return; }; done
	local -a __h
	builtin compadd -O __h "$@"
	(( $#__h )) && print -rl -- $__h >> $__out
	builtin compadd "$@"
}
_done() { print -r -- --done-- >> $__out; }
print -r -- --ready-- >> $__out
'''


class Bash:
    def __init__(self, script, with_bash_completion, env):
        self.pre = ""
        if with_bash_completion:
            self.pre = "source %s\n" % BASH_COMPLETION
        self.pre += "source %s\n%s" % (script, BASH_DRIVER)
        self.env = env

    def complete(self, line):
        r = run(["bash", "--norc", "--noprofile", "-c",
                 self.pre + "complete_line %s\n" % shquote(line)], env=self.env, timeout=30)
        out = r.stdout.split("\n")
        return set(w for w in out[:out.index("--end--")] if w) if "--end--" in out else None


def shquote(s):
    return "'" + s.replace("'", "'\\''") + "'"


class Zsh:
    """One interactive zsh (compinit takes a second): for each line, point
    the recorder at a new file, type the line, press Tab, wait for the
    completion system's last hook, then erase the line (Ctrl-U)."""

    def __init__(self, fpath_dir, work, env):
        self.fpath, self.work, self.env, self.n = fpath_dir, work, env, 0
        self.pid = self.fd = None

    def start(self):
        out = self.next_file()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execvpe("zsh", ["zsh", "-f", "-i"], self.env)
        os.write(self.fd, (ZSH_SETUP % {"fpath": self.fpath, "out": out}).encode())
        return wait_for(out, "--ready--", self.fd)

    def next_file(self):
        self.n += 1
        return os.path.join(self.work, "zsh.%d" % self.n)

    def complete(self, line):
        if self.pid is None and not self.start():
            return None
        out = self.next_file()
        # comppostfuncs is emptied after each use.
        os.write(self.fd, ("__out=%s; comppostfuncs=(_done); print -r -- --ready-- >> $__out\n"
                           % out).encode())
        if not wait_for(out, "--ready--", self.fd):
            return None
        os.write(self.fd, (line + "\t").encode())
        ok = wait_for(out, "--done--", self.fd)
        os.write(self.fd, b"\x15")
        if not ok:
            return None
        words = open(out).read().split("\n")
        return set(w for w in words if w and w not in ("--ready--", "--done--"))

    def stop(self):
        if self.pid:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            os.close(self.fd)


def wait_for(path, marker, fd, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        # Keep the terminal drained so zsh never blocks writing to it.
        if select.select([fd], [], [], 0.05)[0]:
            try:
                os.read(fd, 65536)
            except OSError:
                return False
        if os.path.exists(path) and marker in open(path).read():
            return True
    return False


def help_of(binary, *cmd):
    r = run([binary] + list(cmd) + ["--help"])
    return r.stdout + r.stderr


def options_of(text):
    return set(re.findall(r"(?<![\w-])(--[a-z0-9][a-z0-9-]*)", text))


# The commands being added with issue 6, and their options (the brief's).
NEW = {
    "ask": "-m --model -s --system --max-tokens --temperature --top-p --top-k --stop -f --file "
           "--beta --1m --thinking --effort --tools --json --usage --no-stream --converse",
    "chat": "-m --model -s --system -f --file",
    "tokens": "-m --model -f --file",
    "models": "", "config": "",
}


def exercise(name, sh, binary, profile_dir):
    top = help_of(binary)
    commands = commands_of_help(top) | set(NEW)
    got = sh.complete("bedrock ")
    if not check(name + ": loads and completes commands", got is not None and len(got) > 5, got):
        return
    check(name + ": every command is offered", commands <= got, sorted(commands - got))
    got = sh.complete("bedrock as")
    check(name + ": 'bedrock as' completes to ask", got == {"ask"}, got)
    got = sh.complete("bedrock list-p")
    check(name + ": 'bedrock list-p' completes to list-profiles", got == {"list-profiles"}, got)

    para = top[top.find("Global options"):]
    global_opts = options_of(para[:para.find("\n\n")]) | {"--emulate", "--help"}
    check(name + ": global options read from --help", "--region" in global_opts, global_opts)
    cmds = [[c] for c in sorted(commands_of_help(top)) if c not in ("debug", "logging")]
    cmds += [["logging"], ["debug", "sign"], ["debug", "eventstream"], ["debug", "credentials"],
             ["gateway", "activity"]]
    for c in cmds:
        want = options_of(help_of(binary, *c)) - {"--help"}
        want -= {"--provider"} if c == ["get-model"] else set()
        got = sh.complete("bedrock %s --" % " ".join(c)) or set()
        check("%s: bedrock %s -- offers %s" % (name, " ".join(c), " ".join(sorted(want))),
              want <= got, sorted(want - got))
        if c == ["invoke"]:
            check(name + ": global options after a command", global_opts <= got,
                  sorted(global_opts - got))
    for c, opts in NEW.items():
        want = set(o for o in opts.split() if o.startswith("--"))
        got = sh.complete("bedrock %s --" % c) or set()
        check("%s: bedrock %s -- offers %s" % (name, c, opts), want <= got, sorted(want - got))
        shorts = set(o for o in opts.split() if not o.startswith("--"))
        if shorts:
            got = sh.complete("bedrock %s -" % c) or set()
            check("%s: bedrock %s - offers %s" % (name, c, " ".join(sorted(shorts))),
                  shorts <= got, sorted(shorts - got))

    got = sh.complete("bedrock ask -m so") or set()
    check(name + ": -m offers the catalog's aliases",
          {"sonnet", "sonnet-4.5", "sonnet-3.7"} <= got and not [w for w in got if "haiku" in w], got)
    got = sh.complete("bedrock --region us-east-1 chat --model op") or set()
    check(name + ": --model after a global option", {"opus", "opus-4.6"} <= got, got)
    got = sh.complete("bedrock ask --effort ") or set()
    check(name + ": --effort low medium high", {"low", "medium", "high"} <= got, got)
    got = sh.complete("bedrock --region eu-w") or set()
    check(name + ": --region from the catalog's Regions", {"eu-west-1", "eu-west-3"} <= got, got)
    got = sh.complete("bedrock --retry-mode ") or set()
    check(name + ": --retry-mode", {"standard", "adaptive", "legacy"} <= got, got)
    got = sh.complete("bedrock --profile ") or set()
    check(name + ": --profile from the shared files", {"dev", "default", "ci"} <= got, got)
    got = sh.complete("bedrock debug ") or set()
    check(name + ": debug's subcommands", {"sign", "eventstream", "credentials"} <= got, got)
    got = sh.complete("bedrock gateway ") or set()
    check(name + ": gateway's subcommands", {"activity"} <= got, got)
    got = sh.complete("bedrock gateway activity --by ") or set()
    check(name + ": gateway activity --by", {"key", "model", "session", "upstream"} <= got, got)
    got = sh.complete("bedrock logging ") or set()
    check(name + ": logging's actions", {"show", "enable", "disable"} <= got, got)
    got = sh.complete("bedrock invoke --body file://" + profile_dir + "/con") or set()
    check(name + ": --body file:// completes paths",
          [w for w in got if w.endswith("config")], got)
    got = sh.complete("bedrock ask -f " + profile_dir + "/cre") or set()
    check(name + ": -f completes files", [w for w in got if w.endswith("credentials")], got)


def main():
    work = tempfile.mkdtemp(prefix="bedrock-completion-")
    try:
        root = install(os.path.join(work, "dest"))
        binary = os.path.join(root, "bin", "bedrock")
        bash_script = os.path.join(root, "share", "bash-completion", "completions", "bedrock")
        zsh_dir = os.path.join(root, "share", "zsh", "site-functions")
        aws = os.path.join(work, "aws")
        os.makedirs(aws)
        with open(os.path.join(aws, "config"), "w") as f:
            f.write("[default]\nregion = us-east-1\n\n[profile dev]\nregion = eu-west-1\n")
        with open(os.path.join(aws, "credentials"), "w") as f:
            f.write("[ci]\naws_access_key_id = AKIDEXAMPLE\n")
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": work, "TERM": "xterm",
               "AWS_CONFIG_FILE": os.path.join(aws, "config"),
               "AWS_SHARED_CREDENTIALS_FILE": os.path.join(aws, "credentials")}

        r = run(["bash", "-n", bash_script])
        check("bash -n", r.returncode == 0, r.stderr)
        if check("bash-completion is installed", os.path.exists(BASH_COMPLETION)):
            exercise("bash+bash-completion", Bash(bash_script, True, env), binary, aws)
        exercise("bash", Bash(bash_script, False, env), binary, aws)
        r = run(["zsh", "-n", os.path.join(zsh_dir, "_bedrock")])
        check("zsh -n", r.returncode == 0, r.stderr)
        zsh = Zsh(zsh_dir, work, env)
        try:
            exercise("zsh", zsh, binary, aws)
        finally:
            zsh.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
    finish()
