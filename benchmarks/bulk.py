"""python -m benchmarks bulk: `talon-one profiles sync` on 10,000 and 100,000 profiles.

Each run is a separate process (the command line, as a cron job runs it) sending a
JSONL file to a FakeTalonOne served from this process on 127.0.0.1 (requests not
recorded). It reports profiles/s and the process's peak RSS (VmHWM), beside a
floor measured in the same rounds: a plain script doing the same job with urllib3 and
the json module (read lines, 1,000 per request, 4 threads; no validation, no spool, no
retries), also in its own process. Peak RSS for 100,000 vs 10,000 profiles shows
whether memory stays flat as the input grows (streaming: it should, ratio ~1.0).

    python -m benchmarks bulk            3 rounds (about 1 minute)
    python -m benchmarks bulk --quick    1 round
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import talon_one
from talon_one.testing import FakeTalonOne

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIZES = (10_000, 100_000)
WORKERS = 4


def write_profiles(path, count):
    """`count` profile rows like a CRM export: an integration ID and six attributes (about 200 bytes each)."""
    with open(path, "w", encoding="utf-8") as out:
        for i in range(count):
            out.write(json.dumps({
                "integrationId": "crm-%08d" % i,
                "attributes": {"Name": "Customer %d" % i, "Email": "customer%d@example.com" % i,
                               "City": ["Berlin", "Paris", "Madrid", "Rome"][i % 4], "Tier": i % 5,
                               "Newsletter": i % 2 == 0, "SignupDate": "2024-%02d-%02dT10:00:00Z" % (
                                   1 + i % 12, 1 + i % 28)},
            }) + "\n")


def run_measured(argv, env):
    """Run `python -m benchmarks.peak_rss argv...` to completion; (seconds, peak RSS in bytes, stderr)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "benchmarks.peak_rss"] + argv, stdin=subprocess.DEVNULL,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    seconds = time.perf_counter() - started
    stderr = done.stderr.decode("utf-8", "replace")
    if done.returncode != 0:
        raise RuntimeError("%s exited with %d:\n%s" % (argv[:4], done.returncode, stderr))
    rss = int(stderr.rstrip().rsplit("peak-rss ", 1)[1])
    return seconds, rss, stderr


def ours(path, env):
    return run_measured(["talon_one", "profiles", "sync", path, "--progress", "none", "--workers", str(WORKERS)], env)


def floor(path, env):
    return run_measured(["benchmarks.bulk_floor", path, str(WORKERS)], env)


def bare_rss(env):
    """Peak RSS of an interpreter that only imports talon_one, urllib3 and json: the fixed cost."""
    return run_measured(["benchmarks.imports_only"], env)[1]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks bulk", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one round (a smoke test)")
    args = parser.parse_args(argv)
    rounds = 1 if args.quick else 3
    started = time.perf_counter()
    folder = tempfile.mkdtemp(prefix="talon_one-bench-bulk-")
    paths = {}
    for size in SIZES:
        paths[size] = os.path.join(folder, "profiles-%d.jsonl" % size)
        write_profiles(paths[size], size)
    results = {(side, size): [] for side in ("ours", "floor") for size in SIZES}
    with FakeTalonOne(record_requests=False) as fake:
        env = dict(os.environ, TALON_ONE_BASE_URL=fake.base_url, TALON_ONE_API_KEY=fake.api_key)
        for index in range(rounds):
            for size in SIZES:
                sides = (("ours", ours), ("floor", floor))
                for side, run in (sides if index % 2 == 0 else sides[::-1]):
                    fake.reset()
                    seconds, rss, stderr = run(paths[size], env)
                    if len(fake.profiles) != size:
                        raise RuntimeError("%s sent %d of %d profiles" % (side, len(fake.profiles), size))
                    if side == "ours" and " %d accepted" % size not in stderr:
                        raise RuntimeError("unexpected summary: %s" % stderr)
                    results[(side, size)].append((size / seconds, rss))
        fixed = bare_rss(env)
    for path in paths.values():
        os.remove(path)
    os.rmdir(folder)

    def median(side, size, column):
        return statistics.median(row[column] for row in results[(side, size)])

    print("talon_one %s bulk benchmark: Python %s, %s, %d CPUs; `talon-one profiles sync` (4 workers, 1,000 per "
          "request) vs a plain urllib3 + json script, against FakeTalonOne; medians of %d rounds"
          % (talon_one.__version__, platform.python_version(), platform.machine(), os.cpu_count() or 1, rounds))
    print()
    print("%-34s %14s %14s %8s" % ("measurement", "talon-one", "floor", "ratio"))
    print("-" * 73)
    for size in SIZES:
        rate, rate_floor = median("ours", size, 0), median("floor", size, 0)
        print("%-34s %14s %14s %7.2fx" % ("profiles/s, %s profiles" % format(size, ","), "%.0f" % rate,
                                          "%.0f" % rate_floor, rate / rate_floor))
    for size in SIZES:
        rss, rss_floor = median("ours", size, 1), median("floor", size, 1)
        print("%-34s %14s %14s %7.2fx" % ("peak RSS, %s profiles" % format(size, ","), _mb(rss), _mb(rss_floor),
                                          rss / rss_floor))
    small, large = SIZES
    print("%-34s %14s %14s" % ("peak RSS, %s vs %s profiles" % (format(large, ","), format(small, ",")),
                               "%.2fx" % (median("ours", large, 1) / median("ours", small, 1)),
                               "%.2fx" % (median("floor", large, 1) / median("floor", small, 1))))
    print()
    print("peak RSS of `import talon_one, urllib3, json` alone: %s; total benchmark time: %.0f s"
          % (_mb(fixed), time.perf_counter() - started))


def _mb(size):
    return "%.1f MB" % (size / 1e6)


if __name__ == "__main__":
    main()
