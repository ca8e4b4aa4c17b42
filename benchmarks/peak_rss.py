"""Run a module as __main__ and report this process's peak RSS on the last line of stderr.

    python -m benchmarks.peak_rss MODULE ARGS...     ends stderr with "peak-rss <bytes>"

The peak is VmHWM from /proc/self/status: the high-water mark of this program's own
memory. (wait4's ru_maxrss is no good here: Linux keeps in it the size of the parent
process the child was forked from, so a child of a large parent looks large.)
"""

import runpy
import sys


def peak_rss():
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024  # kB
    raise RuntimeError("no VmHWM in /proc/self/status")


def main():
    module = sys.argv[1]
    sys.argv = [module] + sys.argv[2:]
    code = 0
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit as exit_:
        code = exit_.code
    sys.stderr.write("\npeak-rss %d\n" % peak_rss())
    sys.exit(code)


if __name__ == "__main__":
    main()
