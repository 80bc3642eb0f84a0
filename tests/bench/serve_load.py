#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Helpers of the server's benchmarks (tests/bench/run, section 5).

    serve_load.py login BASE USER PASSWORD
        Logs in to tfund serve at BASE (http://127.0.0.1:PORT) through its
        form and prints the session cookie's value.

    serve_load.py get BASE COOKIE PATH
        One GET of PATH with the session cookie (COOKIE may be ""):
        prints its time in ms; exit status 1 unless it answers 200.

    serve_load.py wrk OUTPUT
        Reads what 'wrk --latency' printed and prints "REQ_PER_S P50_MS
        P99_MS REQUESTS ERRORS" (ERRORS: socket errors, timeouts and
        answers other than 2xx or 3xx).

    serve_load.py sessions DIR COUNT
        Turns the one session of tests/bench/gen_requests.py's files in
        DIR (S1 and its requests) into COUNT sessions S1..SCOUNT, each
        with a copy of the requests (refs prefixed with the session).

    serve_load.py writers TFUND DB BASE SECONDS OUTDIR
        Four writers at once for SECONDS: two HTTP clients posting
        receipts through the form of /receipts (users rec1 and rec2), one
        'tfund import pledges' of 200 new pledges after another, one
        'tfund allocate' of the next session after another. Then checks
        that nothing was lost (every receipt answered 303, every import
        and allocation that exited 0, is in the books; nothing answered
        otherwise), that no output says "database is locked", that the
        event log holds one event per write under the right actor, and
        that 'tfund verify' passes. Prints "KEY VALUE" lines.
"""

import csv
import http.client
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse

CSRF_RE = re.compile(r'name="csrf" value="([0-9a-f]{64})"')


class Client:
    def __init__(self, base):
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port
        self.cookie = None
        self.csrf = None
        self.conn = None

    def request(self, method, path, fields=None):
        headers = {}
        body = None
        if self.cookie:
            headers["Cookie"] = "tfund_session=" + self.cookie
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port,
                                                       timeout=120)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                r = self.conn.getresponse()
                data = r.read().decode("utf-8", "replace")
                break
            except (http.client.HTTPException, OSError):
                # A kept-alive connection the server closed: once more.
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                m = re.match(r"tfund_session=([^;]*)", v)
                if m:
                    self.cookie = m.group(1) or None
        m = CSRF_RE.search(data)
        if m:
            self.csrf = m.group(1)
        return r.status, data

    def login(self, user, password):
        self.request("GET", "/login")
        status, data = self.request("POST", "/login", {
            "csrf": self.csrf, "user": user, "password": password})
        if status != 303:
            sys.exit("serve_load: login of %s: %d %s" % (user, status,
                                                         data[:200]))
        self.request("GET", "/receipts")
        return self


def cmd_login(base, user, password):
    print(Client(base).login(user, password).cookie)


def cmd_get(base, cookie, path):
    u = urllib.parse.urlsplit(base)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=600)
    headers = {"Cookie": "tfund_session=" + cookie} if cookie else {}
    start = time.perf_counter()
    c.request("GET", path, headers=headers)
    r = c.getresponse()
    r.read()
    ms = (time.perf_counter() - start) * 1000
    c.close()
    print("%.4g" % ms)
    if r.status != 200:
        sys.exit(1)


def to_ms(text):
    m = re.match(r"([0-9.]+)(us|ms|s|m)$", text)
    if not m:
        raise ValueError(text)
    v = float(m.group(1))
    return v * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}[m.group(2)]


def cmd_wrk(path):
    text = open(path).read()
    rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", text).group(1))
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", text, re.M))
    requests = int(re.search(r"(\d+) requests in", text).group(1))
    errors = 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                  r"timeout (\d+)", text)
    if m:
        errors += sum(int(x) for x in m.groups())
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if m:
        errors += int(m.group(1))
    p50 = to_ms(lat["50"]) if "50" in lat else float("nan")
    p99 = to_ms(lat["99"]) if "99" in lat else float("nan")
    # wrk prints 0.00us when no request completed.
    if requests == 0:
        p50 = p99 = float("nan")
    print("%.6g %.6g %.6g %d %d" % (rps, p50, p99, requests, errors))


def cmd_sessions(d, count):
    with open(os.path.join(d, "sessions.csv"), newline="") as f:
        srows = list(csv.DictReader(f))
    with open(os.path.join(d, "requests.csv"), newline="") as f:
        rrows = list(csv.DictReader(f))
    scols, rcols = list(srows[0]), list(rrows[0])
    with open(os.path.join(d, "sessions.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, scols, lineterminator="\n")
        w.writeheader()
        for k in range(1, count + 1):
            w.writerow(dict(srows[0], id="S%d" % k,
                            name="Session %d" % k))
    with open(os.path.join(d, "requests.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, rcols, lineterminator="\n")
        w.writeheader()
        for k in range(1, count + 1):
            for r in rrows:
                w.writerow(dict(r, ref="S%d-%s" % (k, r["ref"]),
                                session="S%d" % k))


class Writer(threading.Thread):
    def __init__(self, name, until, fn):
        super().__init__(name=name)
        self.until, self.fn = until, fn
        self.ok, self.failed, self.outputs = [], [], []

    def run(self):
        k = 0
        while time.time() < self.until:
            k += 1
            try:
                self.fn(self, k)
            except Exception as e:  # reported, and the writer goes on
                self.failed.append("%s: %s" % (type(e).__name__, e))


def cmd_writers(tfund, db, base, seconds, outdir):
    seconds = float(seconds)
    donors = [r[0] for r in sqlite3.connect(db).execute(
        "SELECT id FROM donors ORDER BY id LIMIT 50")]
    sessions = [r[0] for r in sqlite3.connect(db).execute(
        "SELECT id FROM sessions ORDER BY rowid")]
    until = time.time() + seconds
    clients = {u: Client(base).login(u, "load password " + u)
               for u in ("rec1", "rec2")}

    def http_receipt(w, k):
        c = clients[w.name]
        ref = "W-%s-%06d" % (w.name, k)
        status, data = c.request("POST", "/receipts", {
            "csrf": c.csrf, "ref": ref, "donor": donors[k % len(donors)],
            # Each receipt its own amount (a receipt of the same donor,
            # day and amount is a duplicate the fund refuses).
            "date": "2025-01-16", "amount": "%d.%02d" % (
                100 + k, 1 if w.name == "rec1" else 2),
            "currency": "USD"})
        if status == 303:
            w.ok.append(ref)
        else:
            said = re.findall(r'id="error-[^"]*"[^>]*>([^<]*)', data)
            w.failed.append("%s: %d %s" % (ref, status, "; ".join(said) or
                                           re.sub(r"\s+", " ", data)[-300:]))
            w.outputs.append(data)

    def run(w, args):
        p = subprocess.run([tfund, "--db", db] + args, capture_output=True,
                           text=True)
        w.outputs.append(p.stdout + p.stderr)
        return p

    def cli_import(w, k):
        path = os.path.join(outdir, "pledges-%d.csv" % k)
        refs = ["WP-%04d-%03d" % (k, i) for i in range(200)]
        with open(path, "w") as f:
            f.write("ref,donor,date,amount,currency,pool\n")
            for i, ref in enumerate(refs):
                f.write("%s,%s,2025-01-10,%d.00,USD,travel\n" %
                        (ref, donors[i % len(donors)], 1000 + i))
        p = run(w, ["import", "pledges", path])
        if p.returncode == 0:
            w.ok.extend(refs)
        else:
            w.failed.append("import %d: exit %d %s" % (k, p.returncode,
                                                       p.stderr.strip()))

    def cli_allocate(w, k):
        if k > len(sessions):
            time.sleep(0.2)
            return
        s = sessions[k - 1]
        p = run(w, ["allocate", s, "--date", "2025-02-20", "--quiet"])
        if p.returncode == 0:
            w.ok.append(s)
        else:
            w.failed.append("allocate %s: exit %d %s" % (s, p.returncode,
                                                         p.stderr.strip()))

    writers = [Writer("rec1", until, http_receipt),
               Writer("rec2", until, http_receipt),
               Writer("import", until, cli_import),
               Writer("allocate", until, cli_allocate)]
    events_before = sqlite3.connect(db).execute(
        "SELECT count(*) FROM events").fetchone()[0]
    start = time.time()
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    elapsed = time.time() - start

    # What the books hold.
    def listed(*args):
        p = subprocess.run([tfund, "--db", db] + list(args) +
                           ["--format", "csv"], capture_output=True,
                           text=True, check=True)
        return {r["ref"] for r in csv.DictReader(io.StringIO(p.stdout))}
    receipts = listed("receipt", "list")
    pledges = listed("pledge", "list")
    con = sqlite3.connect(db)
    allocated = {r[0] for r in con.execute("SELECT session FROM runs")}
    events = con.execute("SELECT actor, command FROM events WHERE seq > ?",
                         (events_before,)).fetchall()
    lost = [r for w in writers[:2] for r in w.ok if r not in receipts]
    lost += [r for r in writers[2].ok if r not in pledges]
    lost += [s for s in writers[3].ok if s not in allocated]
    locked = sum("database is locked" in o for w in writers for o in w.outputs)
    want = {"rec1": len(writers[0].ok), "rec2": len(writers[1].ok)}
    got = {}
    for actor, command in events:
        got[actor] = got.get(actor, 0) + 1
    cli_events = len(events) - got.get("rec1", 0) - got.get("rec2", 0)
    p = subprocess.run([tfund, "--db", db, "verify"], capture_output=True,
                       text=True)
    print("seconds %.1f" % elapsed)
    print("http_receipts %d" % (len(writers[0].ok) + len(writers[1].ok)))
    print("cli_imports %d" % (len(writers[2].ok) // 200))
    print("cli_pledges %d" % len(writers[2].ok))
    print("allocations %d" % len(writers[3].ok))
    print("failed %d" % sum(len(w.failed) for w in writers))
    print("lost %d" % len(lost))
    print("locked %d" % locked)
    print("events_ok %s" % ("yes" if got.get("rec1", 0) == want["rec1"] and
                            got.get("rec2", 0) == want["rec2"] and
                            cli_events == len(writers[2].ok) // 200 +
                            len(writers[3].ok) else "no"))
    print("verify %s" % ("ok" if p.returncode == 0 else "FAILED"))
    with open(os.path.join(outdir, "writers.json"), "w") as f:
        json.dump({w.name: {"ok": len(w.ok), "failed": w.failed[:20]}
                   for w in writers}, f, indent=1)
        f.write("\n")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "login" and len(args) == 3:
        cmd_login(*args)
    elif cmd == "get" and len(args) == 3:
        cmd_get(*args)
    elif cmd == "wrk" and len(args) == 1:
        cmd_wrk(*args)
    elif cmd == "sessions" and len(args) == 2:
        cmd_sessions(args[0], int(args[1]))
    elif cmd == "writers" and len(args) == 5:
        cmd_writers(*args)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
