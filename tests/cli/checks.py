"""The tally every contract test keeps: check() records one assertion (and
prints what failed), summary() prints "N passed, M failed" (the line CTest's
output shows) and returns the exit status."""
import sys

passed = failed = 0


def check(name, cond, detail=""):
    """Records one assertion; returns cond, so a test can stop early."""
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: %s %s" % (name, str(detail)[:2000]))
        sys.stdout.flush()
    return cond


def summary():
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0
