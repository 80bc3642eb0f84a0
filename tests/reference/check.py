#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Runs scenarios through tfund and through the reference model and
compares them, to the cent, field by field.

For each scenario folder (see model.py for its files):
  1. the model runs the actions; the hand-worked expectations written in
     `actions` are checked against it (`#= ` lines: final allocation rows,
     pools rows and `exit N N ...`; `#> ` lines after a view action: that
     view's rows, all of them, in order; `#> -` for none), and so are the
     model's own promises: after every run that wrote, without --cap, a
     re-run at the same date with the same --order and --strict (and no
     --budget) funds nothing and leaves the envelope as it is;
  2. unless --model-only, a fresh fund is built with tfund from the same
     files (init; set the settings; import countries if present, rates,
     donors, sessions, pledges, receipts, requests, costs), the actions
     are run in order and compared as they go: every action's exit status,
     and the CSV of every view action
       show S                  tfund allocation show S --format csv
       envelope S [D]          tfund allocation envelope S [--date D] --format csv
       waitlist [D] [--session S]
                               tfund waitlist [--date D] [--session S] --format csv
  3. then, at the end: `allocation show S --format csv` of every session,
     `pools --format csv`, `allocation envelope S --date L --format csv`
     of every session S at its last day L and `allocation envelope S
     --format csv` (today), `waitlist --date L --format csv` at every
     session's last day L and `waitlist --format csv` (today) are compared
     with the model's, and `tfund verify` must pass.

usage: check.py TFUND SCENARIO_DIR... [--jobs N]
       check.py --model-only SCENARIO_DIR...
Exit 0 when everything agrees, 1 on any disagreement.
"""

import copy
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
    if cmd == "show":
        return ["allocation", "show", args[0], "--format", "csv"]
    if cmd == "envelope":
        return envelope_command(args[0], args[1] if len(args) > 1 else None)
    if cmd == "waitlist":
        date, session = model.view_options(args)
        return waitlist_command(date, session)
    raise ValueError(f"unknown action {line!r}")


def envelope_command(sid, date=None):
    return (["allocation", "envelope", sid] + (["--date", date] if date else [])
            + ["--format", "csv"])


def waitlist_command(date=None, session=None):
    return (["waitlist"] + (["--date", date] if date else [])
            + (["--session", session] if session else []) + ["--format", "csv"])


def parse_csv(text):
    return list(csv.reader(io.StringIO(text)))


def hand_expectations(folder):
    """The `#= ` lines of the actions file (rows, exit statuses) and the
    `#> ` lines, by the index of the action they follow."""
    rows, exits, views = [], None, {}
    index = -1
    with open(os.path.join(folder, "actions"), encoding="utf-8") as f:
        for line in f:
            stripped = line.strip()
            if stripped and not stripped.startswith("#"):
                index += 1
                continue
            if line.startswith("#> "):
                body = line[3:].strip()
                want = views.setdefault(index, [])
                if body != "-":
                    want.append(next(csv.reader([body])))
                continue
            if not line.startswith("#= "):
                continue
            body = line[3:].strip()
            if body.startswith("exit "):
                exits = [int(x) for x in body[5:].split()]
            else:
                rows.append(next(csv.reader([body])))
    return rows, exits, views


def check_model_by_hand(name, folder, m, problems):
    rows, exits, views = hand_expectations(folder)
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
    for index, want in sorted(views.items()):
        line = m.exits[index][0] if 0 <= index < len(m.exits) else None
        if line is None or shlex.split(line)[0] not in model.VIEW_COLUMNS:
            problems.append(f"{name}: `#> ` lines after action {index + 1}, not a view")
            continue
        got = m.views.get(index)
        if got != want:
            problems.append(f"{name}: MODEL disagrees with the hand-worked view '{line}': "
                            f"by hand {want}, model {got}")
    if exits is not None:
        got = [code for _, code in m.exits]
        if got != exits:
            problems.append(f"{name}: MODEL exit statuses {got}, by hand {exits}")
    return len(rows) + sum(len(v) for v in views.values()) + (1 if exits is not None else 0)


def rerun_check(name, problems):
    """The model's promise that a re-run with nothing changed funds
    nothing: called after every action of the model."""

    def after(m, index, line, code):
        w = shlex.split(line)
        if w[0] != "allocate" or code != 0 or "--dry-run" in w or "--cap" in w:
            return
        args = w[3:]
        kw = {"strict": "--strict" in args}
        if "--order" in args:
            kw["order"] = args[args.index("--order") + 1]
        shadow = copy.deepcopy(m)
        before = {ref for ref, r in shadow.requests.items() if r["status"] == "funded"}
        envelope = copy.deepcopy(shadow.envelope)
        shadow.allocate(w[1], w[2], **kw)
        after_ = {ref for ref, r in shadow.requests.items() if r["status"] == "funded"}
        if after_ != before or shadow.envelope != envelope:
            problems.append(f"{name}: MODEL: a re-run right after '{line}' funds "
                            f"{sorted(after_ - before)} (envelope {shadow.envelope[w[1]]}, "
                            f"was {envelope[w[1]]})")
    return after


def compare_rows(problems, what, cols, want_rows, text, key_cols, ordered):
    """Compares a CSV output of tfund with the model's rows."""
    got = parse_csv(text)
    if not got or got[0][:len(cols)] != cols:
        problems.append(f"{what}: header {got[:1]}, expected {cols}")
        return
    body = [r for r in got[1:] if r]
    if ordered:
        for i in range(max(len(want_rows), len(body))):
            want = want_rows[i] if i < len(want_rows) else None
            row = body[i] if i < len(body) else None
            if want is None:
                problems.append(f"{what}: tfund has an extra row {row[:len(cols)]}")
            elif row is None:
                problems.append(f"{what}: tfund has no row {want}")
            else:
                for c, a, b in zip(cols, want, row):
                    if a != b:
                        problems.append(f"{what}: row {i + 1} ({want[key_cols]}) {c}: "
                                        f"model {a!r}, tfund {b!r}")
        return
    have = {r[key_cols]: r for r in body}
    for want in want_rows:
        row = have.pop(want[key_cols], None)
        if row is None:
            problems.append(f"{what}: tfund has no row {want[key_cols]}")
            continue
        for c, a, b in zip(cols, want, row):
            if a != b:
                problems.append(f"{what}: row {want[key_cols]} {c}: model {a!r}, tfund {b!r}")
    for k in have:
        problems.append(f"{what}: tfund has an extra row {k}")


def compare_view(problems, name, tf, kind, args, want_code, want_rows):
    """Runs one view with tfund and compares it with the model."""
    what = f"{name}: tfund {' '.join(args)}"
    p = tf(*args)
    if p.returncode != want_code:
        msg = (p.stderr.strip() or p.stdout.strip()).splitlines()
        problems.append(f"{what}: exit status model {want_code}, tfund {p.returncode}"
                        + (f" ({msg[-1]})" if msg else ""))
        return
    if want_code != 0:
        return
    if kind == "show":
        compare_rows(problems, what, model.ALLOCATION_COLUMNS, want_rows, p.stdout, 0, False)
    elif kind == "envelope":
        compare_rows(problems, what, model.ENVELOPE_COLUMNS, want_rows, p.stdout, 0, False)
    else:
        compare_rows(problems, what, model.WAITLIST_COLUMNS, want_rows, p.stdout, 2, True)


def model_view(fn):
    """(exit status, rows) of a model view."""
    try:
        return 0, fn()
    except model.Refused as e:
        return e.code, None


def run_scenario(tfund, folder):
    """Returns (name, number of requests, list of problems, hand checks)."""
    name = os.path.basename(os.path.normpath(folder))
    problems = []
    m = model.Model(folder)
    try:
        m.run(after=rerun_check(name, problems))
    except AssertionError as e:
        problems.append(f"{name}: MODEL broke one of its own rules: {e!r}")
        return name, len(m.requests), problems, 0
    hand = check_model_by_hand(name, folder, m, problems)
    if tfund is None:
        return name, len(m.requests), problems, hand

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

        for index, (line, want) in enumerate(m.exits):
            kind = shlex.split(line)[0]
            if kind in model.VIEW_COLUMNS:
                compare_view(problems, name, tf, kind, tfund_command(line), want,
                             m.views.get(index))
                continue
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
            compare_rows(problems, f"{name}: session {sid}", model.ALLOCATION_COLUMNS,
                         m.allocation_rows(sid), p.stdout, 0, False)

        p = tf("pools", "--format", "csv")
        if p.returncode != 0:
            problems.append(f"{name}: pools exited {p.returncode}")
        else:
            compare_rows(problems, f"{name}: pools", model.POOL_COLUMNS, m.pool_rows(),
                         p.stdout, 0, False)

        # The final envelopes and waitlists, at each session's last day
        # and today.
        lasts = sorted({s["last"] for s in m.sessions.values()})
        for sid in model.session_ids(folder):
            for date in (m.sessions[sid]["last"], None):
                code, rows = model_view(lambda: m.envelope_rows(sid, date))
                compare_view(problems, name, tf, "envelope", envelope_command(sid, date),
                             code, rows)
        for date in lasts + [None]:
            code, rows = model_view(lambda: m.waitlist_rows(date))
            compare_view(problems, name, tf, "waitlist", waitlist_command(date), code, rows)

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
    if "--model-only" in args:
        args.remove("--model-only")
        tfund, folders = None, args
    elif len(args) >= 2:
        tfund, folders = os.path.abspath(args[0]), args[1:]
    else:
        folders = []
    if not folders:
        print(__doc__.strip(), file=sys.stderr)
        return 2
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
    against = "the model alone" if tfund is None else "tfund against the model"
    if bad:
        print(f"{len(results)} scenarios, {n_req} requests, {len(bad)} scenario(s) disagree "
              f"({against}; {n_hand} hand-worked figures checked against the model)")
        return 1
    print(f"{len(results)} scenarios, {n_req} requests, all agree "
          f"({against}; {n_hand} hand-worked figures checked against the model)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
