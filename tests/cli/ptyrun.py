"""Runs a command with its stdout and stderr on a pseudo-terminal (so it
sees a terminal) and returns (exit status, bytes the terminal received).
stdin is the given bytes through a pipe, or /dev/null. Every wait has a
deadline. The terminal turns "\\n" into "\\r\\n" (onlcr)."""
import os
import select
import subprocess


def run_tty(argv, env, stdin=None, timeout=60):
    master, slave = os.openpty()
    p = subprocess.Popen(argv, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                         stdout=slave, stderr=slave, env=env)
    os.close(slave)
    if stdin is not None:
        p.stdin.write(stdin)
        p.stdin.close()
    out = b""
    try:
        while True:
            ready, _, _ = select.select([master], [], [], timeout)
            if not ready:
                p.kill()
                break
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the command exited and the terminal closed
                break
            if not chunk:
                break
            out += chunk
        rc = p.wait(timeout=timeout)
    finally:
        os.close(master)
    return rc, out
