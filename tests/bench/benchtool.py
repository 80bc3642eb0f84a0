#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Helpers of tests/bench/run.

    benchtool.py measure [--stdout FILE] -- COMMAND ARGS...
        Runs COMMAND once and prints "WALL_S CPU_S PEAK_RSS_KIB": wall
        time, user + system time and peak resident memory of that process
        and its children. The command's output goes to FILE (default:
        discarded); on failure its standard error is shown and the exit
        status passed on.

    benchtool.py repeat --runs N [--warmup W] -- COMMAND ARGS...
        Runs COMMAND W + N times and prints "MEAN_S MIN_S" of the last N
        (for when hyperfine is not installed).

    benchtool.py hyperfine JSON
        Prints "MEAN_S MIN_S" from a file of hyperfine --export-json.

    benchtool.py table RESULTS.csv [--markdown]
        Prints the results as an aligned table (or a Markdown one).
"""

import csv
import json
import os
import subprocess
import sys
import time


def run_once(cmd, stdout):
    out = open(stdout, "wb") if stdout else subprocess.DEVNULL
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE)
    # wait4 gives the usage of this child alone (and of its own children).
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if stdout:
        out.close()
    return proc.returncode, wall, usage.ru_utime + usage.ru_stime, \
        usage.ru_maxrss, err


def split_command(args):
    if "--" not in args:
        sys.exit("benchtool.py: the command goes after --")
    i = args.index("--")
    return args[:i], args[i + 1:]


def option(opts, name, default=None):
    if name in opts:
        return opts[opts.index(name) + 1]
    return default


def measure(args):
    opts, cmd = split_command(args)
    rc, wall, cpu, rss, err = run_once(cmd, option(opts, "--stdout"))
    if rc != 0:
        sys.stderr.write(err.decode("utf-8", "replace"))
        sys.stderr.write("benchtool.py: failed (%d): %s\n" % (rc, " ".join(cmd)))
        sys.exit(rc if rc > 0 else 1)
    print("%.6f %.6f %d" % (wall, cpu, rss))


def repeat(args):
    opts, cmd = split_command(args)
    runs, warmup = int(option(opts, "--runs", 10)), int(option(opts, "--warmup", 1))
    times = []
    for i in range(warmup + runs):
        rc, wall, _, _, err = run_once(cmd, None)
        if rc != 0:
            sys.stderr.write(err.decode("utf-8", "replace"))
            sys.exit(rc if rc > 0 else 1)
        if i >= warmup:
            times.append(wall)
    print("%.6f %.6f" % (sum(times) / len(times), min(times)))


def from_hyperfine(path):
    with open(path) as fp:
        r = json.load(fp)["results"][0]
    print("%.6f %.6f" % (r["mean"], r["min"]))


COLUMNS = ["section", "figure", "size", "unit", "tfund", "reference",
           "ratio", "goal", "met"]


def table(path, markdown):
    with open(path, newline="", encoding="utf-8") as fp:
        rows = [[r.get(c, "") for c in COLUMNS] for r in csv.DictReader(fp)]
    if markdown:
        print("| " + " | ".join(COLUMNS) + " |")
        print("|" + "|".join("---" for _ in COLUMNS) + "|")
        for r in rows:
            print("| " + " | ".join(r) + " |")
        return
    widths = [max(len(c), *(len(r[i]) for r in rows)) if rows else len(c)
              for i, c in enumerate(COLUMNS)]
    right = {"size", "tfund", "reference", "ratio"}
    def line(cells):
        return "  ".join(c.rjust(w) if COLUMNS[i] in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()
    print(line(COLUMNS))
    print(line(["-" * w for w in widths]))
    section = None
    for r in rows:
        if section is not None and r[0] != section:
            print()
        section = r[0]
        print(line(r))


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "measure":
        measure(args)
    elif cmd == "repeat":
        repeat(args)
    elif cmd == "hyperfine":
        from_hyperfine(args[0])
    elif cmd == "table":
        table(args[0], "--markdown" in args[1:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
