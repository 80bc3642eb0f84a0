#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Runs scenarios through tfund and through the reference model and
compares them, to the cent, field by field.

For each scenario folder (see model.py for its files):
  1. the hand-worked expectations (`#= ` lines of `actions`), if any, are
     checked against the model, so the model itself is checked;
  2. a fresh fund is built with tfund from the same files (init; set the
     settings; import countries if present, rates, donors, sessions,
     pledges, receipts, requests, costs), the actions are run in order
     and their exit statuses recorded;
  3. every action's exit status, `allocation show S --format csv` of every
     session and `pools --format csv` are compared with the model's, and
     `tfund verify` must pass.

usage: check.py TFUND SCENARIO_DIR... [--jobs N]
Exit 0 when everything agrees, 1 on any disagreement.
"""

import csv
import io
import os
import shlex
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model  # noqa: E402

MAX_REPORTED = 25


def tfund_command(line):
    """An action line as tfund arguments."""
    w = shlex.split(line)
    cmd, args = w[0], w[1:]
    if cmd == "allocate":
        return ["allocate", args[0], "--date", args[1]] + args[2:]
    if cmd == "cancel":
        return ["cancel", args[0], "--date", args[1]]
    if cmd == "disburse":
        out = ["disburse", args[0], "--date", args[1]]
        if len(args) == 4:
            out += ["--amount", args[2], "--currency", args[3]]
        return out
    raise ValueError(f"unknown action {line!r}")


def parse_csv(text):
    return list(csv.reader(io.StringIO(text)))


def hand_expectations(folder):
    """The `#= ` lines of the actions file."""
    rows, exits = [], None
    with open(os.path.join(folder, "actions"), encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#= "):
                continue
            body = line[3:].strip()
            if body.startswith("exit "):
                exits = [int(x) for x in body[5:].split()]
            else:
                rows.append(next(csv.reader([body])))
    return rows, exits


def check_model_by_hand(name, folder, m, problems):
    rows, exits = hand_expectations(folder)
    if not rows and exits is None:
        return 0
    alloc = {}
    for sid in model.session_ids(folder):
        for r in m.allocation_rows(sid):
            alloc[r[0]] = r
    pools = {r[0]: r for r in m.pool_rows()}
    for want in rows:
        if len(want) == len(model.ALLOCATION_COLUMNS):
            got, cols = alloc.get(want[0]), model.ALLOCATION_COLUMNS
        elif len(want) == len(model.POOL_COLUMNS):
            got, cols = pools.get(want[0]), model.POOL_COLUMNS
        else:
            problems.append(f"{name}: bad hand expectation {want}")
            continue
        if got is None:
            problems.append(f"{name}: model has no row {want[0]}")
            continue
        for c, a, b in zip(cols, want, got):
            if a != b:
                problems.append(f"{name}: MODEL disagrees with the hand-worked result: "
                                f"row {want[0]} {c}: by hand {a!r}, model {b!r}")
    if exits is not None:
        got = [code for _, code in m.exits]
        if got != exits:
            problems.append(f"{name}: MODEL exit statuses {got}, by hand {exits}")
    return len(rows) + (1 if exits is not None else 0)


def run_scenario(tfund, folder):
    """Returns (name, number of requests, list of problems, hand checks)."""
    name = os.path.basename(os.path.normpath(folder))
    problems = []
    m = model.Model(folder)
    m.run()
    hand = check_model_by_hand(name, folder, m, problems)

    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "fund.db")

        def tf(*args):
            return subprocess.run([tfund, "--db", db] + list(args),
                                  capture_output=True, text=True)

        def must(*args):
            p = tf(*args)
            if p.returncode != 0:
                problems.append(f"{name}: tfund {' '.join(args)} exited {p.returncode}: "
                                f"{p.stderr.strip() or p.stdout.strip()}")
            return p

        must("init")
        path = os.path.join(folder, "settings.csv")
        if os.path.exists(path):
            for r in model.read_csv(path):
                must("set", r["key"], r["value"])
        kinds = ["countries", "rates", "donors", "sessions", "pledges", "receipts",
                 "requests", "costs"]
        for kind in kinds:
            path = os.path.join(folder, kind + ".csv")
            if os.path.exists(path):
                must("import", kind, path)
        if problems:
            return name, len(m.requests), problems, hand

        for line, want in m.exits:
            p = tf(*tfund_command(line))
            if p.returncode != want:
                msg = (p.stderr.strip() or p.stdout.strip()).splitlines()
                problems.append(f"{name}: action '{line}': exit status model {want}, "
                                f"tfund {p.returncode}" + (f" ({msg[-1]})" if msg else ""))

        for sid in model.session_ids(folder):
            p = tf("allocation", "show", sid, "--format", "csv")
            if p.returncode != 0:
                problems.append(f"{name}: allocation show {sid} exited {p.returncode}")
                continue
            got = parse_csv(p.stdout)
            cols = got[0] if got else []
            if cols[:len(model.ALLOCATION_COLUMNS)] != model.ALLOCATION_COLUMNS:
                problems.append(f"{name}: allocation show {sid}: header {cols}")
                continue
            have = {r[0]: r for r in got[1:]}
            for want in m.allocation_rows(sid):
                row = have.pop(want[0], None)
                if row is None:
                    problems.append(f"{name}: session {sid}: tfund has no row {want[0]}")
                    continue
                for c, a, b in zip(model.ALLOCATION_COLUMNS, want, row):
                    if a != b:
                        problems.append(f"{name}: session {sid} row {want[0]} {c}: "
                                        f"model {a!r}, tfund {b!r}")
            for ref in have:
                problems.append(f"{name}: session {sid}: tfund has an extra row {ref}")

        p = tf("pools", "--format", "csv")
        got = parse_csv(p.stdout) if p.returncode == 0 else []
        if not got or got[0][:len(model.POOL_COLUMNS)] != model.POOL_COLUMNS:
            problems.append(f"{name}: pools: exit {p.returncode}, header {got[:1]}")
        else:
            have = {r[0]: r for r in got[1:]}
            for want in m.pool_rows():
                row = have.get(want[0])
                if row is None:
                    problems.append(f"{name}: pools: tfund has no row {want[0]}")
                    continue
                for c, a, b in zip(model.POOL_COLUMNS, want, row):
                    if a != b:
                        problems.append(f"{name}: pools row {want[0]} {c}: "
                                        f"model {a!r}, tfund {b!r}")

        p = tf("verify")
        if p.returncode != 0:
            problems.append(f"{name}: tfund verify exited {p.returncode}: "
                            f"{(p.stdout + p.stderr).strip()}")
    return name, len(m.requests), problems, hand


def main(argv):
    args = argv[1:]
    jobs = 4
    if "--jobs" in args:
        i = args.index("--jobs")
        jobs = int(args[i + 1])
        del args[i:i + 2]
    if len(args) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    tfund, folders = os.path.abspath(args[0]), args[1:]
    with ThreadPoolExecutor(max_workers=jobs) as ex:
        results = list(ex.map(lambda f: run_scenario(tfund, f), folders))
    n_req = sum(r[1] for r in results)
    n_hand = sum(r[3] for r in results)
    bad = [r for r in results if r[2]]
    for name, _, problems, _ in bad:
        print(f"scenario {name}: {len(problems)} disagreement(s)")
        for msg in problems[:MAX_REPORTED]:
            print("  " + msg)
        if len(problems) > MAX_REPORTED:
            print(f"  ... and {len(problems) - MAX_REPORTED} more")
    if bad:
        print(f"{len(results)} scenarios, {n_req} requests, {len(bad)} scenario(s) disagree "
              f"({n_hand} hand-worked figures checked against the model)")
        return 1
    print(f"{len(results)} scenarios, {n_req} requests, all agree "
          f"({n_hand} hand-worked figures checked against the model)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
