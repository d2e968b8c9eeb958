"""Runs one command and prints what it cost, on one line:

    <wall seconds> <cpu seconds (user+sys)> <peak RSS KiB> <exit status>

usage: python3 measure.py CMD [ARG...]

The peak RSS is ru_maxrss of the children this process waited for: the
largest resident set of the command or of any process it waited for in
turn (binwalk's extractors, for instance).  A fresh interpreter per run
keeps runs apart.  The command's own output goes to /dev/null; its stderr
is kept in measure.log next to this file's working directory.
"""

import resource
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 2:
        print("usage: measure.py CMD [ARG...]", file=sys.stderr)
        return 2
    t0 = time.monotonic()
    with open("measure.log", "ab") as log:
        log.write(("$ " + " ".join(sys.argv[1:]) + "\n").encode())
        log.flush()
        rc = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL,
                             stderr=log)
    wall = time.monotonic() - t0
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    print("%.3f %.3f %d %d" % (wall, ru.ru_utime + ru.ru_stime,
                               ru.ru_maxrss, rc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
