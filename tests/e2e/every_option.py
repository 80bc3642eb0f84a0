#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Runs every command and every option that 'tfund help' and README document.

usage: every_option.py TFUND SOURCE_DIR

The list of what must be run is read from the program and the README, not
written here: every command of 'tfund help', every form of its usage
('donor add', 'donor list', 'export csv', ...), every option of each usage
line, every value an option or a form enumerates ('--format
text|csv|json', '--order submitted|cost|region', 'ledger|csv|json') and
every option README's commands table names. INVOCATIONS below are the
runs that cover them, each on its own copy of a sample fund; a command or
an option that none of them uses fails the test, so that a new one cannot
escape it. Each run must end with the exit status written beside it, and
none may crash: no death by a signal, no sanitizer report.
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

tfund, src = sys.argv[1:3]
sample = os.path.join(src, "samples", "gcm")
work = tempfile.mkdtemp(prefix="tfund-every.")
failures = []


def run(args, db=None, check=None, cwd=None):
    """Runs tfund ARGS; returns (status, stdout, stderr)."""
    cmd = [tfund] + (["--db", db] if db else []) + list(args)
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd or work,
                       errors="replace")
    crashed = p.returncode < 0 or p.returncode >= 128 or re.search(
        r"AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|"
        r"runtime error:", p.stderr)
    if crashed:
        failures.append(f"tfund {shlex.join(args)}: crashed (status "
                        f"{p.returncode}): {p.stderr.strip()[-400:]}")
    elif check is not None and p.returncode != check:
        failures.append(f"tfund {shlex.join(args)}: exit status "
                        f"{p.returncode}, expected {check}: "
                        f"{p.stderr.strip()[:300]}")
    return p.returncode, p.stdout, p.stderr


def must(args, db):
    rc, out, err = run(args, db)
    if rc != 0:
        sys.exit(f"every_option: setting up: tfund {shlex.join(args)}: "
                 f"{rc}: {err}")
    return out


# ---- What the program and README document ------------------------------

def usage_block(text):
    """The lines of the usage paragraph of a help text."""
    lines = []
    for line in text.splitlines():
        if not line.strip():
            break
        lines.append(line)
    return lines


TOKEN = re.compile(r"--?[a-z][a-z-]*(?: [a-zA-Z|.:_-]+)?")


def documented():
    """(command, form, option, value) requirements from 'tfund help'."""
    rc, out, _ = run(["help"])
    commands = []
    in_list = False
    for line in out.splitlines():
        if line.startswith("Commands:"):
            in_list = True
            continue
        if in_list:
            if not line.strip():
                break
            commands.append(line.split()[0])
    needs = set()
    for c in commands:
        needs.add((c, None, None, None))
        _, text, _ = run(["help", c])
        forms = [None]
        for line in usage_block(text):
            words = line.split()
            if words and words[0] == "usage:":
                words = words[1:]
            if words and words[0] == "tfund":
                # A new form: tfund [--db PATH] C [SUB] ...
                rest = [w for w in words[1:]]
                while rest and rest[0] in ("[--db", "PATH]"):
                    rest = rest[1:]
                if rest and rest[0] == c:
                    rest = rest[1:]
                sub = rest[0] if rest else ""
                if re.fullmatch(r"[a-z][a-z-]*(\|[a-z][a-z-]*)*", sub):
                    forms = sub.split("|")
                else:
                    forms = [None]
                for f in forms:
                    if f:
                        needs.add((c, f, None, None))
            for m in re.finditer(r"(?<![\w-])(--?[a-z][a-z-]*)(?: ([a-z]+(?:\|[a-z]+)+))?",
                                 line):
                opt, values = m.group(1), m.group(2)
                if opt in ("--db",) and c != "init":
                    continue
                group = tuple(forms)
                needs.add((c, group, opt, None))
                if values:
                    for v in values.split("|"):
                        needs.add((c, group, opt, v))
    return commands, needs


def readme_needs():
    """(commands of a row, option) from README's commands table."""
    needs = set()
    text = open(os.path.join(src, "README.md"), encoding="utf-8").read()
    table = text.split("## Commands", 1)[1].split("\n\n", 2)[1]
    for row in table.splitlines():
        if not row.startswith("| `"):
            continue
        cells = row.split(" | ")
        codes = re.findall(r"`([^`]+)`", cells[0])
        commands = {c.split()[0] for c in codes if re.match(r"[a-z]", c)}
        for opt in set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*|-o)(?![\w-])", row)):
            needs.add((tuple(sorted(commands)), opt))
    return needs


# ---- The sample funds ---------------------------------------------------

def make_funds():
    """new: an empty fund; mid: the sample's records and its first run;
    end: the sample's whole cycle (cycle.py)."""
    funds = {}
    new = os.path.join(work, "new.db")
    must(["init", "--name", "Every option"], new)
    funds["new"] = new
    # team: a team fund whose admin is the login running the test.
    team = os.path.join(work, "team.db")
    must(["init", "--name", "Every option (team)"], team)
    must(["user", "add", "boss", "--name", "The administrator", "--role",
          "admin"], team)
    funds["team"] = team
    mid = os.path.join(work, "mid.db")
    must(["init", "--name", "Every option (mid)"], mid)
    for kind in ("rates", "donors", "sessions", "pledges", "receipts",
                 "requests", "costs"):
        must(["import", kind, os.path.join(sample, kind + ".csv")], mid)
    must(["allocate", "its1", "--date", "2017-05-01", "--quiet"], mid)
    funds["mid"] = mid
    # paid: mid with one of its grants paid (from its costs row) and
    # another cancelled; prop: mid with approvals on, a run of its2
    # proposed and a payment requested.
    shown = list(__import__("csv").DictReader(
        must(["allocation", "show", "its1", "--format", "csv"], mid)
        .splitlines()))
    funded = [r["ref"] for r in shown if r["status"] == "funded"]
    costs = {l.split(",")[0] for l in open(os.path.join(sample, "costs.csv"))}
    with_cost = [r for r in funded if r in costs]
    if len(funded) < 2 or not with_cost:
        sys.exit("every_option: the sample's first run funds too little")
    other = [r for r in funded if r != with_cost[0]][0]
    paid = os.path.join(work, "paid.db")
    shutil.copy(mid, paid)
    must(["disburse", with_cost[0]], paid)
    must(["cancel", other, "--date", "2017-05-03"], paid)
    funds["paid"] = paid
    prop = os.path.join(work, "prop.db")
    shutil.copy(mid, prop)
    must(["set", "approvals", "certify-approve"], prop)
    must(["allocate", "its2", "--date", "2017-05-10", "--quiet"], prop)
    must(["disburse", with_cost[0]], prop)
    funds["prop"] = prop
    end = os.path.join(work, "end.db")
    # cycle.py runs the whole cycle from the records.
    fresh = os.path.join(work, "cycle.db")
    must(["init", "--name", "Every option (end)"], fresh)
    for kind in ("rates", "donors", "sessions", "pledges", "receipts",
                 "requests", "costs"):
        must(["import", kind, os.path.join(sample, kind + ".csv")], fresh)
    p = subprocess.run([sys.executable, os.path.join(sample, "cycle.py"),
                        tfund, fresh, sample, os.path.join(work, "cycle-out")],
                       capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"every_option: the sample cycle failed: {p.stderr[-500:]}")
    shutil.move(fresh, end)
    funds["end"] = end
    return funds


# ---- The runs ---------------------------------------------------------

# FIXTURE STATUS ARGS: ARGS run on a fresh copy of the fixture (none: no
# fund; the arguments say where). $W is a folder for outputs, $S the
# sample's folder, $FUNDED1/$FUNDED2 grants funded in 'mid', $HEAD and
# $EVENTS the heads 'verify' shows of 'end'.
INVOCATIONS = r"""
none 0  --version
none 0  --help
none 0  help
none 0  help --man
none 0  help allocate
none 0  --db $W/n1.db init --name "A new fund" --base EUR
none 0  --db $W/n2.db init
new  0  set base_currency CHF
new  0  set fund_name "Another name"
end  0  set psc_rate 0.12
end  0  set quota_ldc 3
end  0  set quota_developing 2
mid  0  set reserve_rate 0.01
end  1  set base_currency EUR
end  0  settings
end  0  settings --format csv
end  0  settings --format json
end  0  settings --format text
end  0  settings --history
end  0  settings --history psc_rate --format csv
new  0  import countries $SRC/sql/countries.csv
new  0  import rates $S/rates.csv
end  0  import donors $S/donors.csv
end  0  import pledges $S/pledges.csv
end  0  import receipts $S/receipts.csv
end  0  import receipts $S/receipts.csv --allow-duplicate
end  0  import sessions $S/sessions.csv
end  0  import requests $S/requests.csv
end  0  import costs $S/costs.csv
end  0  import spend $S/spend.csv
end  0  donor add zz-donor --name "Zed" --type foundation --country NOR
end  0  donor list
end  0  donor list --format csv
end  0  donor list --format json
end  0  donor list --format text
end  0  pledge add PZ-1 --donor norway --date 2018-06-01 --amount 10.00 --currency USD --pool travel --due 2018-12-31
end  0  pledge list
end  0  pledge list --donor norway --format csv
end  0  pledge list --format json
end  0  pledge list --format text
end  0  receipt add RZ-1 --pledge PL-2018-04 --date 2018-06-01 --amount 100.00 --currency GBP
mid  0  receipt add RZ-2 --donor norway --date 2018-06-01 --amount 5.00 --currency USD --pool prep
mid  0  receipt add RZ-3 --donor norway --date 2018-06-01 --amount 5.00 --currency USD --pool prep --allow-duplicate
end  0  receipt list
end  0  receipt list --donor norway --format csv
end  0  receipt list --format json
end  0  receipt list --format text
end  0  rate add EUR 2019-06-15 0.88
end  0  session add zz1 --name "Extra" --venue Geneva --start 2019-09-02 --days 3 --dsa 400 --terminal 110 --extra-days 1 --travel-budget 50000
end  0  session list
end  0  session list --format csv
end  0  session list --format json
end  0  session list --format text
end  0  request add ZQ-1 --session its2 --country NPL --delegate "Z Delegate" --submitted 2017-06-01T10:00:00Z --fare 900.00 --fare-currency USD --gender F
mid  0  allocate its2 --date 2017-05-10 --order submitted --budget days --quiet
mid  0  allocate its2 --date 2017-05-10 --order cost --budget all --cap 5000 --strict --format csv
mid  0  allocate its2 --date 2017-05-10 --order region --dry-run --format json
mid  0  allocate its2 --date 2017-05-10 --dry-run --format text
mid  1  allocate its2 --date 2017-06-20
mid  0  allocation envelope its2 --date 2017-05-10
mid  0  allocation envelope its1 --format csv
mid  0  allocation envelope its1 --format json
mid  0  allocation envelope its1 --format text
mid  0  allocation runs
mid  0  allocation runs its1 --format csv
mid  0  allocation runs --format json
mid  0  allocation runs --format text
mid  0  allocation decisions 1
mid  0  allocation decisions 1 --format csv
mid  0  allocation decisions 1 --format json
mid  0  allocation decisions 1 --format text
mid  0  allocation undo 1 --date 2017-05-02
prop 0  allocation decisions 2 --format csv
prop 1  allocate its2 --date 2017-05-11
prop 1  allocation certify 2 --date 2017-05-11
prop 1  allocation approve 2 --date 2017-05-11
prop 0  allocation reject 2 --reason "Figures to check" --date 2017-05-11
prop 0  payment list
prop 0  payment list --format csv
prop 0  payment list --format json
prop 0  payment list --format text
prop 1  payment certify 1 --date 2017-06-01
prop 1  payment approve 1 --date 2017-06-01
prop 0  payment reject 1 --reason "Receipt missing" --date 2017-06-01
mid  0  waitlist
mid  0  waitlist --session its1 --date 2017-05-02 --format csv
mid  0  waitlist --format json
mid  0  waitlist --format text
mid  0  headroom
mid  0  headroom its2 --date 2017-05-10 --format csv
mid  0  headroom --format json
mid  0  headroom --format text
mid  0  request amend R-its2-001 --fare 1700.00 --fare-currency USD --delegate "Shafiqul Hossain Khan" --gender M
mid  0  request amend R-its2-002 --gender F --allow-duplicate
end  0  request add ZQ-2 --session its2 --country NPL --delegate "Z Delegate" --submitted 2017-05-01T10:00:00Z --fare 900.00 --fare-currency USD --allow-duplicate
mid  0  disburse $FUNDED1 --date 2017-05-25 --amount 4000.00 --currency USD --force
paid 0  disburse $FUNDED1 --correct --amount 2000.00 --currency USD --date 2017-05-30
paid 0  undisburse $FUNDED1 --date 2017-05-30
paid 0  reinstate $FUNDED2 --date 2017-05-04
mid  0  allocation show its1
mid  0  allocation show its1 --format csv
mid  0  allocation show its1 --format json
mid  0  allocation show its1 --format text
mid  0  disburse $FUNDED1
mid  0  disburse $FUNDED1 --date 2017-05-25 --amount 1500.00 --currency USD
mid  0  cancel $FUNDED2 --date 2017-05-03
end  0  surplus --date 2019-03-31 --dry-run
end  1  surplus --date 2019-03-31
end  0  surplus --date 2019-03-31 --yes
end  0  spend ZS-1 --date 2019-01-10 --amount 1.00 --currency USD --memo "Courier"
end  0  spend list
end  0  spend list --format csv
end  0  spend list --format json
end  0  spend list --format text
end  0  attribution
end  0  attribution --as-of 2018-06-30 --donor norway --format csv
end  0  attribution --format json
end  0  attribution --format text
end  1  close --date 2019-06-30
new  0  close --date 2019-06-30
end  0  report donor norway -o $W/norway.xlsx --as-of 2018-12-31
end  0  report donors -o $W --as-of 2018-12-31
end  0  report fund -o $W/fund.xlsx --as-of 2018-12-31
end  0  report fund -o $W/fund-now.xlsx
end  0  report session its1 -o $W/its1.xlsx --as-of 2017-12-31
end  0  balance
end  0  balance --as-of 2017-12-31 --format csv
end  0  balance --format json
end  0  balance --format text
end  0  pools
end  0  pools --as-of 2017-12-31 --format csv
end  0  pools --format json
end  0  pools --format text
end  0  journal
end  0  journal --as-of 2017-03-31 --format csv
end  0  journal --format json
end  0  journal --format text
end  0  verify
end  0  verify --expect $HEAD
end  0  verify --expect $EVENTS
end  0  export ledger -o $W/books.ledger
end  0  export csv --as-of 2017-12-31 -o $W/books.csv
end  0  export json
end  0  period close 2017-01-31
mid  0  reverse $RECEIPT --date 2019-01-15 --memo "booked twice"
mid  0  reverse --ref RC-2018-05-1 --date 2019-01-15
end  1  reverse --ref RC-2016-01-1 --date 2019-01-15
end  0  log
end  0  log --since 2000-01-01 --actor $ACTOR --ref norway --format csv
end  0  log --format json
end  0  log --format text
end  0  history norway
end  0  history its1 --format csv
end  0  history PL-2016-01 --format json
end  0  history norway --format text
end  0  backup $W/copy.db
end  0  country list
end  0  country list --ldc-on 2018-01-01 --format csv
end  0  country list --format json
end  0  country list --format text
end  0  request list
end  0  request list --session its1 --status funded --format csv
end  0  request list --format json
end  0  request list --format text
none 0  import --kinds
none 0  import --kinds --format csv
none 0  import --kinds --format json
none 0  import --kinds --format text
end  0  import requests $S/requests-its3-excel.csv --delimiter ';' --encoding windows-1252 --date-format DD/MM/YYYY --decimal-comma --max-errors 5
mid  0  allocation show its1 --as-of 2017-05-02
end  0  psc pay --date 2019-01-15 --amount 100.00 --ref PSC-Z1 --memo "Remittance"
end  1  psc pay --date 2019-01-15 --amount 99999999.00
end  0  psc show
end  0  psc show --as-of 2018-06-30 --format csv
end  0  psc show --format json
end  0  psc show --format text
end  0  psc list
end  0  psc list --as-of 2018-06-30 --format csv
end  0  psc list --format json
end  0  psc list --format text
end  0  interest add --date 2019-01-15 --amount 12.34 --pool travel --ref INT-Z1 --memo "Bank interest"
end  0  interest list
end  0  interest list --as-of 2018-06-30 --format csv
end  0  interest list --format json
end  0  interest list --format text
end  0  statement norway
end  0  statement norway --from 2017-07-01 --to 2018-03-31 --format csv
end  0  statement norway --format json
end  0  statement norway --format text
end  0  report donor norway -o $W/norway-p.xlsx --from 2017-07-01 --to 2018-03-31
end  0  report donors -o $W/period --from 2017-07-01 --to 2018-03-31
end  0  report fund -o $W/fund-p.xlsx --from 2017-07-01 --to 2018-03-31
new  0  user roles
new  0  user roles --format csv
new  0  user roles --format json
new  0  user roles --format text
new  0  user add boss --name "The administrator" --role admin
new  0  user add boss --name "The administrator" --role admin --login $LOGIN
team 2  user add zz --name "A donor user" --role donor --donor nobody
new  0  user list
new  0  user list --format csv
new  0  user list --format json
new  0  user list --format text
team 2  user password nobody
team 2  user disable nobody
new  1  serve
team 2  serve --listen 10.0.0.1:8080 --threads 1
team 2  serve --listen 127.0.0.1:0 --tls-cert $W/none.pem --tls-key $W/none.pem --insecure-remote
"""


def invocations(values):
    for line in INVOCATIONS.strip().splitlines():
        fixture, status, rest = line.split(None, 2)
        # Longer names first: $SRC before $S.
        for k in sorted(values, key=len, reverse=True):
            rest = rest.replace("$" + k, values[k])
        yield fixture, int(status), shlex.split(rest)


def main():
    commands, needs = documented()
    funds = make_funds()
    end, mid = funds["end"], funds["mid"]
    shown = list(__import__("csv").DictReader(
        must(["allocation", "show", "its1", "--format", "csv"], mid)
        .splitlines()))
    funded = [r["ref"] for r in shown if r["status"] == "funded"]
    costs = {l.split(",")[0] for l in open(os.path.join(sample, "costs.csv"))}
    with_cost = [r for r in funded if r in costs]
    if len(funded) < 2 or not with_cost:
        sys.exit("every_option: the sample's first run funds too little")
    funded2 = [r for r in funded if r != with_cost[0]][0]
    verify = must(["verify"], end)
    head = re.search(r"head (\d+:[0-9a-f]+)", verify).group(1)
    events = re.search(r"head (event:\d+:[0-9a-f]+)", verify).group(1)
    journal = must(["journal", "--format", "csv"], mid).splitlines()
    receipt = next(l.split(",")[0] for l in journal
                   if l.split(",")[2] == "receipt"
                   and l.split(",")[3] == "RC-2017-05-1")
    actor = must(["log", "--format", "csv"], end).splitlines()[1].split(",")[2]
    values = {"W": os.path.join(work, "w"), "S": sample, "SRC": src,
              "FUNDED1": with_cost[0], "FUNDED2": funded2, "HEAD": head,
              "EVENTS": events, "RECEIPT": receipt, "ACTOR": actor,
              "LOGIN": __import__("pwd").getpwuid(os.geteuid()).pw_name}

    forms = {}  # command -> its literal forms ('add', 'list', ...)
    for c, group, opt, value in needs:
        if group and opt is None:
            forms.setdefault(c, set()).add(group)
    covered = set()  # (command, form, option, value)
    runs = 0
    for fixture, status, args in invocations(values):
        shutil.rmtree(values["W"], ignore_errors=True)
        os.makedirs(values["W"])
        db = None
        if fixture != "none":
            db = os.path.join(work, "copy.db")
            shutil.copy(funds[fixture], db)
        run(args, db, check=status)
        runs += 1
        # What this run covers.
        words = [a for a in args]
        if words[:1] == ["--db"]:
            covered.add(("init", None, "--db", None))
            words = words[2:]
        if not words or words[0].startswith("--"):
            continue
        cmd, rest = words[0], words[1:]
        form = rest[0] if rest and rest[0] in forms.get(cmd, ()) else None
        covered.add((cmd, None, None, None))
        if form:
            covered.add((cmd, form, None, None))
        for i, w in enumerate(rest):
            if w.startswith("-"):
                covered.add((cmd, form, w, None))
                if i + 1 < len(rest):
                    covered.add((cmd, form, w, rest[i + 1]))
    # Every command's help, both ways.
    for c in commands:
        run([c, "--help"], check=0)
        run(["help", c], check=0)
        runs += 2
        covered.add((c, None, "--help", None))

    missing = []
    for c, group, opt, value in sorted(needs, key=str):
        if opt is None:
            if (c, group, None, None) not in covered:
                missing.append(f"'tfund {c}{' ' + group if group else ''}'")
            continue
        forms = group if group else (None,)
        if not any((c, f, opt, value) in covered for f in forms):
            where = "/".join(f for f in forms if f) or ""
            missing.append(f"'tfund {c} {where + ' ' if where else ''}{opt}"
                           f"{' ' + value if value else ''}'")
    for cmds, opt in sorted(readme_needs()):
        if not any(k[0] in cmds and k[2] == opt for k in covered):
            missing.append(f"README's '{opt}' of {', '.join(cmds)}")
    for m in missing:
        failures.append(f"documented but never run: {m}")
    for f in failures:
        print("every_option: " + f, file=sys.stderr)
    shutil.rmtree(work, ignore_errors=True)
    if failures:
        sys.exit(1)
    print(f"every option: {len(commands)} commands, {len(needs)} documented "
          f"forms, options and values, {runs} runs, none crashed")


main()
