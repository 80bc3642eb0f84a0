#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""tfund serve over HTTP (DESIGN.md section 12): every route's status
logged out and with each role; the CSV and JSON of every list equal the
command line's; forms that keep what was typed and name the field in
error (400), rules refused (409); CSRF tokens; the login lockout; session
fixation; disabled users; donor users changing the id in a URL; path-like
ids; bodies over the limit refused (413) before they are read; a donor
named like a script shown as text; the security headers.

usage: test_http.py TFUND SOURCE_DIR"""

import csv
import decimal
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from webtest import (STAFF, USERS, XSS_NAME, Fund, check,  # noqa: E402
                     fail)

GET_STAFF = ["/", "/donors", "/donors/norway", "/donors/acme",
             "/pledges", "/receipts", "/sessions", "/sessions/its1",
             "/balance", "/journal", "/verify", "/log", "/reports/fund.xlsx",
             "/donors/norway/statement.xlsx", "/sessions/its1/report.xlsx"]
# What a donor user (of acme) may read, and what it may not.
GET_DONOR_OK = ["/", "/donors", "/donors/acme", "/donors/acme/statement.xlsx",
                "/pledges", "/receipts", "/pledges?donor=acme"]
GET_DONOR_403 = ["/donors/norway", "/donors/norway/statement.xlsx",
                 "/donors/evil", "/pledges?donor=norway",
                 "/receipts?donor=norway", "/sessions", "/sessions/its1",
                 "/sessions/its1/report.xlsx", "/balance", "/journal",
                 "/verify", "/log", "/reports/fund.xlsx", "/import"]
POSTS = ["/donors", "/pledges", "/receipts", "/sessions", "/import",
         "/logout"]
PA_PASSWORD = "pa password 1"
# The routes of the approvals and the grant's life.
GET_GRANTS = ["/runs/1", "/payments", "/waitlist", "/requests/R-its1-001"]
POST_GRANTS = ["/sessions/its2/allocate", "/runs/1/certify", "/runs/1/approve",
               "/runs/1/reject", "/requests/R-its1-001/disburse",
               "/requests/R-its1-001/cancel", "/requests/R-its1-001/reinstate",
               "/payments/1/certify", "/payments/1/approve",
               "/payments/1/reject", "/runs/1/undo",
               "/requests/R-its1-001/undisburse",
               "/requests/R-its1-001/amend"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    fund = Fund(sys.argv[1], sys.argv[2])
    try:
        run(fund)
    finally:
        fund.close()
    print("ok")
    return 0


def run(fund):
    # ---- Only a team fund is served --------------------------------------
    fund.build(users=False)
    p = fund.run("serve", "--listen", "127.0.0.1:0", check_rc=False)
    check(p.returncode == 1 and "team fund" in p.stderr,
          "serve of a single-user fund: exit %d %s" % (p.returncode,
                                                       p.stderr))
    fund.add_users()
    # A user who proposes and approves: the separation of duties is the
    # core's to enforce, whatever its roles.
    fund.run("user", "add", "pa", "--name", "Programme and approving",
             "--role", "programme,approving")
    fund.run("user", "password", "pa", stdin=PA_PASSWORD + "\n")
    srv = fund.serve()

    public(srv)
    logged_out(srv)
    roles(srv)
    lists_match_the_command_line(fund, srv)
    forms(fund, srv)
    approvals(fund, srv)
    corrections(fund, srv)
    csrf(srv)
    routes_covered(fund)
    lockout(srv)
    fixation(srv)
    donor_tampering(srv)
    path_like_ids(srv)
    too_large(srv)
    xss(srv)
    imports(fund, srv)
    event_log(fund, srv)
    cached_pages(fund, srv)
    disabled(fund, srv)
    check(srv.stop() == 0, "the server did not stop cleanly")
    listen(fund)
    tls(fund)
    p = fund.run("verify", check_rc=False)
    check(p.returncode == 0, "verify after the tests: %s" % p.stdout)


def public(srv):
    c = srv.client()
    r = c.get("/healthz")
    check(r.status == 200 and r.body == b"ok\n", "GET /healthz: %d %r" %
          (r.status, r.body))
    r = c.get("/static/style.css")
    check(r.status == 200 and r.header("Content-Type").startswith("text/css"),
          "the style sheet: %d" % r.status)
    r = c.get("/login")
    check(r.status == 200 and 'name="password"' in r.text, "GET /login")
    r = c.request("HEAD", "/healthz")
    check(r.status == 200 and r.body == b"", "HEAD /healthz: %d %r" %
          (r.status, r.body))
    for h, v in [("X-Content-Type-Options", "nosniff"),
                 ("X-Frame-Options", "DENY")]:
        check(r.header(h) == v, "header %s is %r" % (h, r.header(h)))
    print("  public: /healthz, /static/style.css, /login, HEAD")


def logged_out(srv):
    c = srv.client()
    for path in GET_STAFF + ["/import"]:
        r = c.get(path)
        check(r.status == 401, "GET %s logged out: %d" % (path, r.status))
        check("/login" in r.text, "the 401 page of %s has no way to log in" %
              path)
    for path in GET_GRANTS:
        r = c.get(path)
        check(r.status == 401, "GET %s logged out: %d" % (path, r.status))
    for path in POSTS + POST_GRANTS:
        r = c.post(path, {"x": "1"})
        check(r.status == 401, "POST %s logged out: %d" % (path, r.status))
    r = c.get("/nowhere")
    check(r.status == 404, "GET /nowhere: %d" % r.status)
    r = c.request("DELETE", "/")
    check(r.status == 405, "DELETE /: %d" % r.status)
    r = c.post("/balance", {})
    check(r.status == 405, "POST /balance: %d" % r.status)
    print("  logged out: 401 on every page, 404, 405")


def roles(srv):
    # Reads: every staff role reads all the books.
    for user in STAFF:
        c = srv.client().login(user)
        for path in GET_STAFF:
            r = c.get(path)
            check(r.status == 200, "GET %s as %s: %d" % (path, user,
                                                         r.status))
            if path.endswith(".xlsx"):
                check(r.header("Content-Type") == XLSX and
                      r.body[:2] == b"PK", "%s as %s is not a workbook" %
                      (path, user))
        r = c.get("/import")
        want = 200 if user in ("rec", "boss") else 403
        check(r.status == want, "GET /import as %s: %d" % (user, r.status))
        # Writes: only the recorder records.
        for path, fields in [
                ("/donors", {"id": "d-" + user, "name": "D", "type": "state"}),
                ("/pledges", {"ref": "P-" + user, "donor": "acme",
                              "date": "2017-04-01", "amount": "10",
                              "currency": "USD", "pool": "travel"}),
                ("/receipts", {"ref": "R-" + user, "donor": "acme",
                               "date": "2017-04-01", "amount": "10",
                               "currency": "USD"}),
                ("/sessions", {"id": "s-" + user, "name": "S",
                               "venue": "Geneva", "start": "2019-01-07",
                               "days": "2", "dsa": "300",
                               "terminal": "100"})]:
            r = c.post(path, fields)
            want = 303 if user == "rec" else 403
            check(r.status == want, "POST %s as %s: %d %s" %
                  (path, user, r.status, r.text[:200]))
        r = c.post("/logout", {})
        check(r.status == 303 and r.header("Location") == "/login",
              "logout of %s: %d" % (user, r.status))
        check(c.session is None, "logout did not clear the cookie")
    print("  each staff role: every page 200, writes 303 for the recorder "
          "and 403 for the others")

    c = srv.client().login("acme-user")
    for path in GET_DONOR_OK:
        r = c.get(path)
        check(r.status == 200, "GET %s as a donor user: %d" % (path,
                                                               r.status))
    for path in GET_DONOR_403:
        r = c.get(path)
        check(r.status == 403, "GET %s as the donor user of acme: %d" %
              (path, r.status))
    for path in POSTS[:-1]:
        r = c.post(path, {"id": "x"})
        check(r.status == 403, "POST %s as a donor user: %d" % (path,
                                                                r.status))
    # Its lists hold its own donor only.
    r = c.get("/pledges?format=csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    check(rows and all(row["donor"] == "acme" for row in rows),
          "a donor user's pledges: %r" % rows)
    r = c.get("/donors?format=json")
    check([d["id"] for d in json.loads(r.text)] == ["acme"],
          "a donor user's donors: %s" % r.text)
    r = c.get("/")
    check("Acme Foundation" in r.text and "Pools" not in r.text,
          "a donor user's home page shows more than its donor")
    print("  donor user: its own pages 200, everything else 403")


def cli_csv(fund, *args):
    return fund.run(*args).stdout


def lists_match_the_command_line(fund, srv):
    c = srv.client().login("aud")
    for path, args in [
            ("/donors", ["donor", "list"]),
            ("/pledges", ["pledge", "list"]),
            ("/pledges?donor=norway", ["pledge", "list", "--donor",
                                       "norway"]),
            ("/receipts", ["receipt", "list"]),
            ("/sessions", ["session", "list"]),
            ("/sessions/its1", ["allocation", "show", "its1"]),
            ("/balance", ["balance"]),
            ("/balance?as_of=2017-06-30", ["balance", "--as-of",
                                           "2017-06-30"]),
            ("/journal", ["journal"]),
            ("/log", ["log"]),
            ("/log?actor=boss", ["log", "--actor", "boss"]),
            ("/log?since=2000-01-01&ref=norway", ["log", "--since",
                                                  "2000-01-01", "--ref",
                                                  "norway"])]:
        sep = "&" if "?" in path else "?"
        for fmt in ("csv", "json"):
            r = c.get(path + sep + "format=" + fmt)
            check(r.status == 200, "GET %s as %s: %d" % (path, fmt, r.status))
            want = cli_csv(fund, *(args + ["--format", fmt]))
            if fmt == "csv":
                check(r.text == want, "%s?format=csv differs from tfund %s:\n"
                      "%s\n---\n%s" % (path, " ".join(args), r.text[:500],
                                       want[:500]))
                check(r.header("Content-Type").startswith("text/csv"),
                      "CSV content type of %s" % path)
            else:
                want = json.loads(want)
                # allocation show gives, in JSON, the session's envelope
                # and its requests; the page's list is the requests.
                if isinstance(want, dict) and "requests" in want:
                    want = want["requests"]
                check(json.loads(r.text) == want,
                      "%s?format=json differs from tfund %s" %
                      (path, " ".join(args)))
    r = c.get("/pledges?format=xml")
    check(r.status == 400, "an unknown format: %d" % r.status)
    r = c.get("/balance?as_of=2017-02-30")
    check(r.status == 400, "a bad as_of: %d" % r.status)
    r = c.get("/verify?format=csv")
    check(r.status == 200 and r.text == "entry,failure\n",
          "verify finds failures: %s" % r.text)
    r = c.get("/verify")
    check("ok: " in r.text, "the verify page does not say ok")
    r = c.get("/journal?page=2")
    check(r.status == 200 and "page 2 of" in r.text, "journal page 2")
    print("  every list's CSV and JSON equal the command line's")


def forms(fund, srv):
    c = srv.client().login("rec")
    r = c.get("/pledges")
    check('action="/pledges"' in r.text, "no pledge form for the recorder")
    # Bad input: 400, the form again with what was typed and the error by
    # its field.
    r = c.post("/pledges", {"ref": "P-BAD", "donor": "norway",
                            "date": "2017-05-01", "amount": "12.345",
                            "currency": "USD", "pool": "travel"})
    check(r.status == 400, "a bad amount: %d" % r.status)
    check('id="error-amount"' in r.text and "more decimals" in r.text,
          "the amount's error is not beside it")
    check('value="P-BAD"' in r.text and 'value="12.345"' in r.text,
          "the form lost what was typed")
    check('<option value="travel" selected>' in r.text,
          "the pool chosen was lost")
    r = c.post("/pledges", {"ref": "P-BAD", "donor": "norway",
                            "date": "2017-05-01", "amount": "12",
                            "currency": "USD"})
    check(r.status == 400 and 'id="error-pool"' in r.text,
          "a missing pool: %d" % r.status)
    r = c.post("/pledges", {"ref": "P-BAD", "donor": "nobody",
                            "date": "2017-05-01", "amount": "12",
                            "currency": "USD", "pool": "travel"})
    check(r.status == 400 and "nobody" in r.text, "an unknown donor: %d" %
          r.status)
    # A rule of the fund: 409.
    r = c.post("/pledges", {"ref": "P-OLD", "donor": "norway",
                            "date": "2016-05-01", "amount": "12",
                            "currency": "USD", "pool": "travel"})
    check(r.status == 409, "a pledge in a closed period: %d %s" %
          (r.status, r.text[-600:]))
    check("P-BAD" not in cli_csv(fund, "pledge", "list", "--format", "csv"),
          "a refused pledge was recorded")
    # Good input: 303, the record is there, the next page says so.
    r = c.post("/pledges", {"ref": "P-WEB", "donor": "norway",
                            "date": "2017-05-01", "amount": " 1234.50 ",
                            "currency": "EUR", "pool": "travel",
                            "due": "2017-12-31"})
    check(r.status == 303 and r.header("Location") == "/pledges",
          "a good pledge: %d %s" % (r.status, r.text[:300]))
    r = c.get("/pledges")
    check("pledge P-WEB: recorded" in r.text, "no message after the POST")
    check("P-WEB,norway,2017-05-01,travel,EUR,1234.50" in
          cli_csv(fund, "pledge", "list", "--format", "csv"),
          "the pledge is not in the books")
    # The same again: nothing added, and said so.
    r = c.post("/pledges", {"ref": "P-WEB", "donor": "norway",
                            "date": "2017-05-01", "amount": "1234.50",
                            "currency": "EUR", "pool": "travel",
                            "due": "2017-12-31"})
    check(r.status == 303, "the same pledge again: %d" % r.status)
    check("already recorded" in c.get("/pledges").text,
          "a known pledge is not said to be known")
    r = c.post("/receipts", {"ref": "R-WEB", "pledge": "P-WEB",
                             "date": "2017-06-01", "amount": "1234.50",
                             "currency": "EUR"})
    check(r.status == 303, "a receipt: %d %s" % (r.status, r.text[-500:]))
    # The same money again under another reference (and another pledge of
    # the donor): refused as a duplicate by the reference, with the form's
    # box named; recorded when the box says both were paid.
    r = c.post("/pledges", {"ref": "P-WEB2", "donor": "norway",
                            "date": "2017-05-01", "amount": "1234.50",
                            "currency": "EUR", "pool": "travel"})
    check(r.status == 303, "a second pledge: %d" % r.status)
    dup = {"ref": "R-WEB-2", "pledge": "P-WEB2", "date": "2017-06-01",
           "amount": "1234.50", "currency": "EUR"}
    r = c.post("/receipts", dup)
    check(r.status == 400 and 'id="error-ref"' in r.text and
          "duplicates receipt" in r.text and "the form&#39;s box" in r.text,
          "a duplicate receipt: %d %s" % (r.status, r.text[-600:]))
    check('name="allow_duplicate"' in r.text, "the form has no box to allow "
          "a duplicate")
    r = c.post("/receipts", dict(dup, allow_duplicate="1"))
    check(r.status == 303, "a duplicate allowed: %d %s" % (r.status,
                                                           r.text[-500:]))
    r = c.post("/donors", {"id": "web-donor", "name": "Web donor",
                           "type": "private"})
    check(r.status == 303, "a donor: %d" % r.status)
    r = c.post("/donors", {"id": "bad id", "name": "X", "type": "private"})
    check(r.status == 400 and 'id="error-id"' in r.text,
          "a bad donor id: %d" % r.status)
    r = c.post("/sessions", {"id": "web-s", "name": "Web session",
                             "venue": "Vienna", "start": "2019-03-04",
                             "days": "3", "dsa": "300", "terminal": "120"})
    check(r.status == 303, "a session: %d %s" % (r.status, r.text[-500:]))
    r = c.post("/sessions", {"id": "web-s2", "name": "S", "venue": "V",
                             "start": "2019-02-30", "days": "3",
                             "dsa": "300", "terminal": "120"})
    check(r.status == 400 and 'id="error-start"' in r.text,
          "a bad session date: %d" % r.status)
    print("  forms: 303 and recorded; 400 with the error by its field and "
          "the values kept; 409 for a closed period")


def csrf(srv):
    c = srv.client().login("rec")
    fields = {"ref": "P-CSRF", "donor": "norway", "date": "2017-05-01",
              "amount": "1", "currency": "USD", "pool": "travel"}
    r = c.post("/pledges", fields, csrf=False)
    check(r.status == 403, "a POST without its CSRF token: %d" % r.status)
    r = c.post("/pledges", fields, csrf="0" * 64)
    check(r.status == 403, "a POST with a wrong CSRF token: %d" % r.status)
    other = srv.client().login("rec")
    r = c.post("/pledges", fields, csrf=other.csrf)
    check(r.status == 403, "a POST with another session's token: %d" %
          r.status)
    r = c.post("/logout", {}, csrf=False)
    check(r.status == 403, "a logout without its token: %d" % r.status)
    r = c.get("/pledges")
    check("P-CSRF" not in r.text, "a POST without its token was recorded")
    # A login form needs its token too.
    d = srv.client()
    r = d.post("/login", {"user": "rec", "password": "recorder password 1"})
    check(r.status == 403, "a login without a form's token: %d" % r.status)
    # Every POST route, by a user whose role it takes, without its token:
    # past the role check, stopped by the token (403 "Form expired"), and
    # nothing written.
    staff = {u: srv.client().login(u) for u in STAFF}
    before = cli_csv(srv.fund, "log", "--format", "csv")
    for path in POSTS + POST_GRANTS:
        expired = []
        for u, cl in staff.items():
            r = cl.post(path, {"date": "2017-05-20", "reason": "x"},
                        csrf=False)
            check(r.status == 403, "POST %s by %s without its token: %d" %
                  (path, u, r.status))
            if "Form expired" in r.text:
                expired.append(u)
        check(expired, "POST %s: no role reached its token check" % path)
    check(cli_csv(srv.fund, "log", "--format", "csv") == before,
          "a POST without its token wrote")
    print("  CSRF: missing, wrong or another session's token -> 403; every "
          "POST route checked by a user holding its role")


def routes_covered(fund):
    """Every POST route of the server's table is in the lists the tests
    above walk (logged out, each role, without a token)."""
    with open(os.path.join(fund.src, "src", "web", "pages.c")) as f:
        table = re.findall(r'\{"POST", "([^"]+)"', f.read())
    ours = {re.sub(r"/(its1|its2|R-its1-001|1)(?=/|$)", "/{}", p)
            for p in POSTS + POST_GRANTS} | {"/login"}
    missing = [p for p in table if p not in ours]
    check(table and not missing, "POST routes no test walks: %s" % missing)
    print("  every POST route of the table (%d) is walked" % len(table))


def lockout(srv):
    c = srv.client()
    c.get("/login")
    for i in range(5):
        r = c.post("/login", {"user": "cert", "password": "wrong %d" % i})
        want = 401
        check(r.status == want, "failed login %d: %d" % (i + 1, r.status))
        check('type="password"' in r.text and "wrong password" in r.text,
              "the failed login page")
        check("wrong 0" not in r.text, "a password was shown back")
    check("locked" in r.text, "the fifth failure does not say it locks")
    r = c.post("/login", {"user": "cert",
                          "password": "certifying password 1"})
    check(r.status == 403 and "locked" in r.text,
          "the right password during the lock: %d" % r.status)
    # Another user is not locked.
    srv.client().login("appr")
    # Unknown users answer alike.
    r = c.post("/login", {"user": "ghost", "password": "whatever"})
    check(r.status == 401 and "Unknown user or wrong password" in r.text,
          "an unknown user: %d" % r.status)
    print("  lockout: five failures lock the user; the right password is "
          "then refused (403)")


def fixation(srv):
    planted = "ab" * 32
    c = srv.client()
    c.session = planted
    r = c.get("/login")
    check(c.session and c.session != planted,
          "an unknown session id set before login was kept")
    before = c.session
    c.login("aud")
    check(c.session != before, "the session id before login was kept after")
    stale = srv.client()
    stale.session = before
    r = stale.get("/")
    check(r.status == 401, "the pre-login session id still works: %d" %
          r.status)
    r = c.get("/")
    check(r.status == 200, "the new session does not work")
    # The cookie's flags.
    d = srv.client()
    r = d.get("/login")
    v = r.header("Set-Cookie")
    for flag in ("HttpOnly", "SameSite=Strict", "Path=/"):
        check(flag in v, "the session cookie lacks %s: %s" % (flag, v))
    check("Secure" not in v, "Secure on a plain HTTP cookie")
    check(len(d.session) == 64 and int(d.session, 16) >= 0,
          "the session id is not 256 bits in hex")
    print("  session fixation: a planted id is replaced; the pre-login id "
          "ends at login")


def donor_tampering(srv):
    c = srv.client().login("norway-user")
    for path in ["/donors/norway", "/donors/norway/statement.xlsx",
                 "/pledges?donor=norway"]:
        check(c.get(path).status == 200, "%s for its own donor" % path)
    for other in ["acme", "sweden", "evil", "Norway", "norway.", "norway-",
                  "norway%2F..%2Facme", "..%2Facme", "nobody"]:
        for path in ["/donors/%s" % other, "/donors/%s/statement.xlsx" % other,
                     "/pledges?donor=%s" % other,
                     "/receipts?donor=%s" % other]:
            r = c.get(path)
            check(r.status in (403, 404),
                  "%s as the donor user of norway: %d" % (path, r.status))
            check(r.header("Content-Type") != XLSX,
                  "%s gave a workbook" % path)
    print("  donor id tampering: every other id in every donor URL refused")


def path_like_ids(srv):
    c = srv.client().login("aud")
    for path in ["/donors/..", "/donors/../statement.xlsx",
                 "/donors/%2e%2e/statement.xlsx",
                 "/donors/..%2F..%2Fetc%2Fpasswd/statement.xlsx",
                 "/sessions/..%2Fits1/report.xlsx", "/sessions/%00/report.xlsx",
                 "/donors/a%2Fb", "/sessions/its1%2F..", "/donors//statement.xlsx"]:
        r = c.get(path)
        check(r.status == 404, "GET %s: %d" % (path, r.status))
    print("  path-like ids: 404")


def too_large(srv):
    c = srv.client().login("rec")
    # A form body over 64 KiB.
    r = c.post("/pledges", {"ref": "P-BIG", "memo": "x" * 70000})
    check(r.status == 413, "a 70 KB form: %d" % r.status)
    # An upload announced at 9 MiB is refused before it is sent: the
    # answer comes with only the headers sent.
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    s.sendall(("POST /import HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               "Cookie: tfund_session=%s\r\n"
               "Content-Type: multipart/form-data; boundary=x\r\n"
               "Content-Length: %d\r\n\r\n" % (c.session, 9 * 1024 * 1024)
               ).encode())
    head = s.recv(4096).decode("latin-1")
    s.close()
    check(head.startswith("HTTP/1.1 413"), "an upload of 9 MiB: %r" %
          head[:80])
    # Without a length, a body that grows past the limit ends the
    # connection.
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=30)
    s.sendall(("POST /pledges HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               "Cookie: tfund_session=%s\r\n"
               "Content-Type: application/x-www-form-urlencoded\r\n"
               "Transfer-Encoding: chunked\r\n\r\n" % c.session).encode())
    chunk = b"a" * 8192
    closed = False
    try:
        for _ in range(64):
            s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    except (BrokenPipeError, ConnectionResetError):
        closed = True
    if not closed:
        try:
            data = s.recv(4096)
            closed = data == b"" or data.startswith(b"HTTP/1.1 413")
        except ConnectionResetError:
            closed = True
    s.close()
    check(closed, "a chunked body of 512 KiB was read")
    print("  bodies over the limit: 413 (or the connection ended) before "
          "they are read")


def xss(srv):
    c = srv.client().login("aud")
    for path in ["/donors", "/donors/evil", "/"]:
        r = c.get(path)
        check("<script>" not in r.text.lower(), "%s holds a script" % path)
    r = c.get("/donors")
    check("&lt;script&gt;alert(1)&lt;/script&gt;" in r.text,
          "the donor's name is not shown as text")
    r = c.get("/donors?format=json")
    check(XSS_NAME in [d["name"] for d in json.loads(r.text)],
          "the JSON lost the donor's name")
    # The fund's name holds & and <: escaped in the title and header.
    r = c.get("/")
    check("Test fund &amp; &lt;friends&gt;" in r.text,
          "the fund's name is not escaped")
    print("  a donor named %s is shown as text" % XSS_NAME)


def imports(fund, srv):
    c = srv.client().login("rec")
    good = (b"id,name,type,country\nimp-1,Imported One,state,\n"
            b"imp-2,\"Imported, Two\",foundation,\n")
    r = c.post_multipart("/import", {"kind": "donors"},
                         {"file": ("new donors.csv", good)})
    check(r.status == 303 and r.header("Location") == "/import",
          "an import: %d %s" % (r.status, r.text[-500:]))
    check("2 rows: 2 added" in c.get("/import").text,
          "the import's counts are not shown")
    bad = (b"ref,donor,date,amount,currency,pool\n"
           b"P-I1,norway,2017-05-01,10,USD,travel\n"
           b"P-I2,norway,2017-05-01,1e5,USD,travel\n")
    r = c.post_multipart("/import", {"kind": "pledges"},
                         {"file": ("../../etc/pledges.csv", bad)})
    check(r.status == 400 and "pledges.csv:3:4" in r.text and
          "nothing was imported" in r.text, "a bad import: %d %s" %
          (r.status, r.text[-700:]))
    check("P-I1" not in cli_csv(fund, "pledge", "list", "--format", "csv"),
          "a bad import wrote its first row")
    r = c.post_multipart("/import", {"kind": "countries"},
                         {"file": ("c.csv", b"iso3\n")})
    check(r.status == 403, "countries by the recorder: %d" % r.status)
    r = c.post_multipart("/import", {"kind": "donors"}, {}, csrf=False)
    check(r.status == 403, "an import without its token: %d" % r.status)
    a = srv.client().login("boss")
    r = a.post_multipart("/import", {"kind": "donors"},
                         {"file": ("d.csv", good)})
    check(r.status == 403, "donors by the admin: %d" % r.status)
    print("  imports: 303 with the counts, 400 naming line and column, "
          "roles by kind")


def event_log(fund, srv):
    """Every POST that wrote is one event with the user as its actor and
    the request as its command; a refused POST, a login and a read append
    nothing."""
    def events():
        return list(csv.DictReader(io.StringIO(
            cli_csv(fund, "log", "--format", "csv"))))
    rows = events()
    web = [r for r in rows if r["command"].startswith("POST ")]
    by_ref = {}
    for r in web:
        by_ref.setdefault(r["summary"].split(":")[0], []).append(r)
    for ref, path in [("P-WEB", "/pledges"), ("R-WEB", "/receipts"),
                      ("web-donor", "/donors"), ("web-s", "/sessions"),
                      ("d-rec", "/donors"), ("P-rec", "/pledges")]:
        got = by_ref.get(ref, [])
        check(len(got) == 1, "events of %s: %r" % (ref, got))
        e = got[0]
        check(e["actor"] == "rec", "%s: actor %r" % (ref, e["actor"]))
        check(e["command"].startswith("POST %s " % path) and
              ("ref=%s" % ref in e["command"] or "id=%s" % ref in
               e["command"]), "%s: command %r" % (ref, e["command"]))
        check(e["summary"] == "%s: recorded" % ref, "%s: summary %r" %
              (ref, e["summary"]))
    imp = [r for r in web if r["command"].startswith("POST /import")]
    check(len(imp) == 1 and imp[0]["actor"] == "rec" and
          "'file=@new donors.csv (" in imp[0]["command"] and
          imp[0]["summary"].startswith("new donors.csv: 2 rows: 2 added"),
          "the import's event: %r" % imp)
    for r in rows:
        check("csrf" not in r["command"], "a CSRF token in the log: %r" % r)
        check("password" not in r["command"] or
              r["command"].startswith("tfund user password"),
              "a password in the log: %r" % r)
    for ref in ("P-BAD", "P-OLD", "P-CSRF", "P-BIG", "P-I1", "P-boss",
                "P-aud"):
        check(not any(ref in r["command"] for r in rows),
              "a refused POST appended an event: %s" % ref)
    # A refused write, a login and reads append nothing.
    c = srv.client().login("appr")
    c.get("/balance")
    c.post("/pledges", {"ref": "P-NO", "donor": "acme",
                        "date": "2017-04-01", "amount": "1",
                        "currency": "USD", "pool": "travel"})
    check(len(events()) == len(rows), "a login, a read or a refused POST "
          "appended an event")
    # A write by another user is under that user.
    c = srv.client().login("rec")
    r = c.post("/pledges", {"ref": "P-LOG", "donor": "acme",
                            "date": "2017-04-02", "amount": "3",
                            "currency": "USD", "pool": "travel",
                            "memo": "it's \"quoted\" & <b>"})
    check(r.status == 303, "P-LOG: %d" % r.status)
    after = events()
    check(len(after) == len(rows) + 1, "one POST, one event")
    last = after[-1]
    check(last["actor"] == "rec" and "P-LOG" in last["command"] and
          "'memo=it'\\''s \"quoted\" & <b>'" in last["command"],
          "the last event: %r" % last)
    # The log page shows it, escaped; the filters and errors.
    a = srv.client().login("aud")
    r = a.get("/log")
    check(r.status == 200 and "P-LOG" in r.text and "&lt;b&gt;" in r.text
          and "<b>" not in r.text, "the log page: %d" % r.status)
    r = a.get("/log?actor=rec&format=json")
    got = json.loads(r.text)
    check(got and all(e["actor"] == "rec" for e in got) and
          [e["seq"] for e in got] == sorted(e["seq"] for e in got),
          "the log filtered by actor: %s" % r.text[:300])
    check(a.get("/log?since=2017-02-30").status == 400, "a bad since")
    check(a.get("/log?page=0").status == 400, "a bad page")
    check(a.get("/log?format=xml").status == 400, "a bad format")
    print("  the event log: each POST that wrote is one event under its "
          "user; refused POSTs, logins and reads append none")


def cached_pages(fund, srv):
    """The parts of pages kept in memory are rendered again after any
    write: through this server or by another process."""
    c = srv.client().login("aud")
    for _ in range(2):  # the second answer comes from the cache
        check(c.get("/balance?format=csv").text ==
              cli_csv(fund, "balance", "--format", "csv"),
              "the cached balance differs from the command line's")
        dash = c.get("/").text
    check("P-EARLY" not in dash, "P-EARLY before it is recorded")
    # A write by another process (the command line, as the admin): a
    # reserve rate changes the pools' figures.
    fund.run("set", "reserve_rate", "0.001")
    after = c.get("/").text
    pools = list(csv.DictReader(io.StringIO(cli_csv(fund, "pools",
                                                    "--format", "csv"))))
    check(after != dash and all("%s</td>" % "{:,.2f}".format(
        float(p["reserve"])) in after for p in pools),
        "the dashboard after a write by the command line is stale")
    # Writes through this server.
    r = srv.client().login("rec")
    check(r.post("/pledges", {
        "ref": "P-EARLY", "donor": "acme", "date": "2016-07-01",
        "amount": "77", "currency": "USD", "pool": "travel"}).status == 303,
        "P-EARLY")
    check(c.get("/balance?format=csv").text ==
          cli_csv(fund, "balance", "--format", "csv"),
          "the balance after a write through the server is stale")
    check("P-EARLY" in c.get("/").text,
          "the dashboard after a write through the server is stale")
    check(r.post("/receipts", {
        "ref": "R-EARLY", "pledge": "P-EARLY", "date": "2016-07-02",
        "amount": "77", "currency": "USD"}).status == 303, "R-EARLY")
    check(c.get("/balance?format=csv").text ==
          cli_csv(fund, "balance", "--format", "csv"),
          "the balance after a receipt is stale")
    check("P-EARLY" not in c.get("/").text,
          "a paid pledge is still outstanding on the dashboard")
    # As of a date: another part, kept apart.
    for as_of in ("2017-06-30", "2017-12-31", "2017-06-30"):
        check(c.get("/balance?format=csv&as_of=" + as_of).text ==
              cli_csv(fund, "balance", "--as-of", as_of, "--format", "csv"),
              "the balance as of %s" % as_of)
    print("  kept parts of pages: rendered again after writes by the "
          "command line and by the server")


def csv_rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def status_of(fund, session, ref):
    for row in csv_rows(cli_csv(fund, "allocation", "show", session,
                                "--format", "csv")):
        if row["ref"] == ref:
            return row["status"]
    fail("no request %s in %s" % (ref, session))


def login_pa(srv):
    return srv.client().login("pa", PA_PASSWORD)


def approvals(fund, srv):
    """Allocation runs and payment requests walked through the browser's
    routes: a dry run writes nothing; a run is proposed, certified and
    approved by three users, each step refused to a role that lacks it
    (403) and to the user a rule forbids (409, with the core's message);
    bad input 400 by its field; unknown ids 404; the run's, the payments'
    and the waitlist's CSV and JSON are the command line's."""
    def events():
        return csv_rows(cli_csv(fund, "log", "--format", "csv"))

    prog = srv.client().login("prog")
    cert = srv.client().login("cert")
    appr = srv.client().login("appr")
    aud = srv.client().login("aud")
    pa = login_pa(srv)
    donor = srv.client().login("acme-user")

    # Who may read and who may write.
    for path in GET_GRANTS:
        check(donor.get(path).status == 403, "GET %s as a donor user" % path)
        check(aud.get(path).status == 200, "GET %s as the auditor: %d" %
              (path, aud.get(path).status))
    for path in POST_GRANTS:
        r = donor.post(path, {"date": "2017-05-15", "reason": "x"})
        check(r.status == 403, "POST %s as a donor user: %d" % (path,
                                                                r.status))
    page = prog.get("/sessions/its2").text
    check('action="/sessions/its2/allocate"' in page,
          "no allocation form for the programme officer")
    check('action="/sessions/its2/allocate"' not in
          aud.get("/sessions/its2").text,
          "the allocation form is shown to the auditor")

    # A dry run: the decisions and the envelope, nothing written.
    before = len(events())
    want = csv_rows(cli_csv(fund, "allocate", "its2", "--date", "2017-05-15",
                            "--dry-run", "--format", "csv"))
    r = prog.post("/sessions/its2/allocate", {"date": "2017-05-15",
                                              "order": "submitted",
                                              "budget": "days",
                                              "dry_run": "1"})
    check(r.status == 200 and "Dry run" in r.text, "a dry run: %d %s" %
          (r.status, r.text[-400:]))
    check("Propose this run" in r.text and
          'name="date" value="2017-05-15"' in r.text,
          "the dry run has no button to propose the same run")
    check(want and all(w["ref"] in r.text for w in want),
          "the dry run's table lacks the command line's requests")
    check(">envelope<" in r.text and ">allowance<" in r.text,
          "the dry run shows no envelope")
    proposes = "<dt>Proposes</dt><dd>%d: %d funded" % (
        len(want), sum(w["status"] == "funded" for w in want))
    funded = [w["ref"] for w in want if w["status"] == "funded"]
    waitlisted = [w["ref"] for w in want if w["status"] == "waitlisted"]
    check(funded and waitlisted, "its2 on 2017-05-15 funds %r, waitlists %r"
          % (funded, waitlisted))
    r = cert.post("/sessions/its2/allocate", {"date": "2017-05-15",
                                              "dry_run": "1"})
    check(r.status == 200 and "Propose this run" not in r.text,
          "a dry run of the certifying officer: %d" % r.status)
    check(len(events()) == before, "a dry run appended an event")

    # Bad input: 400, the message by its field, the form kept.
    for fields, field in [({"date": "2017-02-30"}, "date"),
                          ({"date": "2017-05-15", "cap": "12.345"}, "cap"),
                          ({"date": "2017-05-15", "order": "random"},
                           "order"),
                          ({"date": "2017-05-15", "strict": "maybe"},
                           "strict")]:
        r = prog.post("/sessions/its2/allocate", dict(fields, dry_run="1"))
        check(r.status == 400 and ('id="error-%s"' % field) in r.text,
              "allocate with %r: %d" % (fields, r.status))
    r = prog.post("/sessions/its2/allocate", {"date": "2017-02-30"})
    check('value="2017-02-30"' in r.text, "the form lost the date typed")
    # A rule: no run after the session's last day.
    r = prog.post("/sessions/its2/allocate", {"date": "2017-06-30"})
    check(r.status == 409 and "last day" in r.text, "a run after the "
          "session: %d %s" % (r.status, r.text[-400:]))
    r = prog.post("/sessions/nowhere/allocate", {"date": "2017-05-15"})
    check(r.status == 404, "allocate an unknown session: %d" % r.status)
    r = prog.post("/sessions/its2/allocate", {"date": "2017-05-15"},
                  csrf=False)
    check(r.status == 403, "allocate without the token: %d" % r.status)
    # A real run needs the programme role.
    r = cert.post("/sessions/its2/allocate", {"date": "2017-05-15"})
    check(r.status == 403, "a run by the certifying officer: %d" % r.status)
    r = aud.post("/sessions/its2/allocate", {"date": "2017-05-15",
                                             "dry_run": "1"})
    check(r.status == 403, "a POST of the auditor: %d" % r.status)
    check(len(events()) == before, "a refused run appended an event")

    # Proposed by the user who also approves.
    r = pa.post("/sessions/its2/allocate", {"date": "2017-05-15",
                                            "order": "submitted",
                                            "budget": "days", "cap": "",
                                            "strict": ""})
    check(r.status == 303 and r.header("Location").startswith("/runs/"),
          "the proposal: %d %s" % (r.status, r.text[-400:]))
    run = r.header("Location")[len("/runs/"):]
    check(status_of(fund, "its2", funded[0]) == "pending",
          "a proposal changed a request")
    r = pa.get("/runs/" + run)
    check(r.status == 200 and "proposed" in r.text and
          "awaits its certification" in r.text, "the run's page: %s" %
          r.text[-600:])
    check("run %s proposed" % run in r.text, "no message after proposing")
    check("in order of submission; the session&#39;s share by its days; "
          "no cap" in r.text or "in order of submission; the session's "
          "share by its days; no cap" in r.text,
          "the run's options are not in words")
    check(proposes in r.text, "the run's page does not count what it "
          "proposes (%s)" % proposes)
    for fmt in ("csv", "json"):
        want = cli_csv(fund, "allocation", "decisions", run, "--format", fmt)
        got = aud.get("/runs/%s?format=%s" % (run, fmt))
        check(got.status == 200, "/runs/%s?format=%s: %d" % (run, fmt,
                                                              got.status))
        if fmt == "csv":
            check(got.text == want, "the run's CSV differs from 'allocation "
                  "decisions':\n%s\n---\n%s" % (got.text[:400], want[:400]))
        else:
            check(json.loads(got.text) == json.loads(want),
                  "the run's JSON differs from 'allocation decisions'")
    r = prog.post("/sessions/its2/allocate", {"date": "2017-05-15"})
    check(r.status == 409 and "awaits its approval" in r.text,
          "a second proposal while one awaits: %d" % r.status)

    # The buttons follow who may act; the server refuses regardless.
    check('class="certify"' in cert.get("/runs/" + run).text,
          "no certify button for the certifying officer")
    page = pa.get("/runs/" + run).text
    check('class="approve"' not in page and 'class="certify"' not in page,
          "the proposer is offered a step of its own run")
    check('class="approve"' not in appr.get("/runs/" + run).text,
          "an approve button on an uncertified run")
    check('href="/runs/%s"' % run in cert.get("/").text,
          "the run does not await the certifying officer on its dashboard")
    check('href="/runs/%s"' % run not in appr.get("/").text,
          "an uncertified run awaits the approving officer")
    r = prog.post("/runs/%s/certify" % run, {"date": "2017-05-16"})
    check(r.status == 403, "certify by the programme officer: %d" % r.status)
    r = prog.post("/runs/%s/approve" % run, {"date": "2017-05-16"})
    check(r.status == 403, "approve by the programme officer: %d" % r.status)
    r = pa.post("/runs/%s/approve" % run, {"date": "2017-05-16"})
    check(r.status == 409 and "pa proposed run %s" % run in r.text,
          "the proposer approves its run: %d %s" % (r.status,
                                                    r.text[-500:]))
    r = appr.post("/runs/%s/approve" % run, {"date": "2017-05-16"})
    check(r.status == 409 and "not certified yet" in r.text,
          "an uncertified run approved: %d %s" % (r.status, r.text[-500:]))
    r = appr.post("/runs/%s/reject" % run, {"date": "2017-05-16",
                                            "reason": "no"})
    check(r.status == 409 and "awaits its certification" in r.text,
          "the approving officer rejects what awaits certification: %d" %
          r.status)
    r = cert.post("/runs/%s/reject" % run, {"date": "2017-05-16"})
    check(r.status == 400 and 'id="error-reason"' in r.text,
          "a rejection without a reason: %d" % r.status)
    r = cert.post("/runs/%s/certify" % run, {"date": "2017-05-32"})
    check(r.status == 400 and 'id="error-date"' in r.text,
          "a bad date: %d" % r.status)
    r = cert.post("/runs/%s/certify" % run, {"date": "2017-05-16"},
                  csrf=False)
    check(r.status == 403, "certify without the token: %d" % r.status)
    check(status_of(fund, "its2", funded[0]) == "pending",
          "a refused step changed a request")
    r = cert.post("/runs/%s/certify" % run, {"date": "2017-05-16"})
    check(r.status == 303 and r.header("Location") == "/runs/" + run,
          "certify: %d %s" % (r.status, r.text[-500:]))
    r = cert.post("/runs/%s/certify" % run, {"date": "2017-05-16"})
    check(r.status == 409 and "already certified" in r.text,
          "certified twice: %d" % r.status)
    check('href="/runs/%s"' % run in appr.get("/").text,
          "the certified run does not await the approving officer")
    check('href="/runs/%s"' % run not in pa.get("/").text,
          "the proposer's own run awaits it on its dashboard")
    check('class="approve"' in appr.get("/runs/" + run).text,
          "no approve button for the approving officer")
    r = appr.post("/runs/%s/approve" % run, {"date": "2017-05-16"})
    check(r.status == 303, "approve: %d %s" % (r.status, r.text[-500:]))
    check(status_of(fund, "its2", funded[0]) == "funded",
          "the approved run funded nothing")
    r = aud.get("/runs/" + run)
    check("awaits" not in r.text and ">approved<" in r.text and
          ">cert<" in r.text and ">appr<" in r.text and ">pa<" in r.text,
          "the run's steps with who took them")
    log = events()
    steps = [(e["actor"], e["command"].split(" ")[1]) for e in log
             if e["command"].startswith("POST /runs/" + run + "/") or
             e["command"].startswith("POST /sessions/its2/allocate")]
    check(steps == [("pa", "/sessions/its2/allocate"),
                    ("cert", "/runs/%s/certify" % run),
                    ("appr", "/runs/%s/approve" % run)],
          "the events of the run: %r" % steps)

    # Unknown and path-like ids.
    for path in ["/runs/999", "/runs/0", "/runs/abc", "/runs/-1",
                 "/runs/01", "/runs/1%2F..", "/requests/nowhere",
                 "/requests/..", "/requests/%2e%2e",
                 "/requests/R-its1-001%2F..", "/requests/%00"]:
        r = aud.get(path)
        check(r.status == 404, "GET %s: %d" % (path, r.status))
    check(appr.post("/runs/999/approve", {"date": "2017-05-16"}).status ==
          404, "approve an unknown run")
    check(cert.post("/payments/999/certify", {}).status == 404,
          "certify an unknown payment request")
    check(prog.post("/requests/nowhere/cancel", {}).status == 404,
          "cancel an unknown request")

    # The grant's life: a payment request, certified and approved.
    ref = funded[0]
    r = prog.get("/requests/" + ref)
    check(r.status == 200 and 'action="/requests/%s/disburse"' % ref in
          r.text, "the request's page has no disburse form")
    for fields, field in [({"date": "2017-05-30", "amount": "12.345",
                            "currency": "USD"}, "amount"),
                          ({"date": "2017-05-30", "amount": "100"},
                           "currency"),
                          ({"date": "2017-05-30", "amount": "100",
                            "currency": "XXX"}, "currency"),
                          ({"date": "2017-13-01"}, "date")]:
        r = prog.post("/requests/%s/disburse" % ref, fields)
        check(r.status == 400 and 'id="error-%s"' % field in r.text,
              "disburse with %r: %d" % (fields, r.status))
    check(aud.post("/requests/%s/disburse" % ref, {}).status == 403,
          "disburse by the auditor")
    check(cert.post("/requests/%s/disburse" % ref, {}).status == 403,
          "disburse by the certifying officer")
    r = prog.post("/requests/%s/disburse" % ref, {"date": "2017-05-30",
                                                  "amount": "2000.00",
                                                  "currency": "USD"})
    check(r.status == 303 and r.header("Location") == "/requests/" + ref,
          "disburse: %d %s" % (r.status, r.text[-500:]))
    check("payment request" in prog.get("/requests/" + ref).text,
          "no message after the payment request")
    check(status_of(fund, "its2", ref) == "funded",
          "a payment request paid before its approval")
    payments = csv_rows(cli_csv(fund, "payment", "list", "--format", "csv"))
    pay = payments[-1]["payment"]
    check(payments[-1]["ref"] == ref and payments[-1]["state"] ==
          "requested", "the payment request: %r" % payments[-1])
    for fmt in ("csv", "json"):
        want = cli_csv(fund, "payment", "list", "--format", fmt)
        got = aud.get("/payments?format=" + fmt).text
        check(got == want if fmt == "csv" else
              json.loads(got) == json.loads(want),
              "/payments?format=%s differs from 'payment list'" % fmt)
    check('href="/payments#payment-%s"' % pay in cert.get("/").text,
          "the payment request does not await the certifying officer")
    r = prog.post("/payments/%s/certify" % pay, {"date": "2017-05-31"})
    check(r.status == 403, "a payment certified by the programme officer")
    r = appr.post("/payments/%s/approve" % pay, {"date": "2017-05-31"})
    check(r.status == 409 and "not certified yet" in r.text,
          "an uncertified payment approved: %d" % r.status)
    r = cert.post("/payments/%s/certify" % pay, {"date": "2017-05-31"})
    check(r.status == 303 and r.header("Location") == "/payments",
          "certify the payment: %d %s" % (r.status, r.text[-500:]))
    r = appr.post("/payments/%s/approve" % pay, {"date": "2017-05-31"})
    check(r.status == 303, "approve the payment: %d %s" % (r.status,
                                                           r.text[-500:]))
    check(status_of(fund, "its2", ref) == "disbursed",
          "the approved payment was not posted")

    # Cancel and reinstate a waitlisted request.
    wl = waitlisted[0]
    r = prog.post("/requests/%s/cancel" % wl, {"date": "2016-06-01"})
    check(r.status == 409 and "closed" in r.text,
          "a cancellation in a closed period: %d %s" % (r.status,
                                                        r.text[-300:]))
    r = prog.post("/requests/%s/cancel" % wl, {"date": "2017-05-17"})
    check(r.status == 303 and status_of(fund, "its2", wl) == "cancelled",
          "cancel: %d %s" % (r.status, r.text[-300:]))
    check('action="/requests/%s/reinstate"' % wl in
          prog.get("/requests/" + wl).text, "no reinstate form")
    r = prog.post("/requests/%s/cancel" % wl, {"date": "2017-05-17"})
    check(r.status == 409, "cancelled twice: %d" % r.status)
    r = prog.post("/requests/%s/reinstate" % wl, {"date": "2017-05-17"})
    check(r.status == 303 and status_of(fund, "its2", wl) == "pending",
          "reinstate: %d %s" % (r.status, r.text[-300:]))

    # A run rejected by the officer its step awaits.
    r = prog.post("/sessions/its3/allocate", {"date": "2017-06-10"})
    check(r.status == 303, "a proposal for its3: %d %s" % (r.status,
                                                          r.text[-400:]))
    run3 = r.header("Location")[len("/runs/"):]
    r = cert.post("/runs/%s/reject" % run3, {"date": "2017-06-11",
                                             "reason": "the <fares> are old"})
    check(r.status == 303, "reject: %d %s" % (r.status, r.text[-400:]))
    page = aud.get("/runs/" + run3).text
    check("the &lt;fares&gt; are old" in page and "<fares>" not in page,
          "the rejection's reason is not shown as text")
    r = appr.post("/runs/%s/approve" % run3, {"date": "2017-06-11"})
    check(r.status == 409, "a rejected run approved: %d" % r.status)

    # With approvals none, a run is posted at once; a disbursement pays.
    fund.run("set", "approvals", "none")
    r = prog.post("/sessions/its4/allocate", {"date": "2017-07-17"})
    check(r.status == 303 and r.header("Location").startswith("/runs/"),
          "a run with approvals none: %d %s" % (r.status, r.text[-400:]))
    run4 = r.header("Location")
    page = aud.get(run4).text
    check("in force" in page and "awaits" not in page and
          "<dt>Decided</dt>" in page, "the posted run's page")
    shown = csv_rows(cli_csv(fund, "allocation", "show", "its4", "--format",
                             "csv"))
    paid = [row["ref"] for row in shown if row["status"] == "funded"]
    check(paid, "a run with approvals none funded nothing")
    r = prog.post("/requests/%s/disburse" % paid[0], {
        "date": "2017-07-30", "amount": "1500.00", "currency": "USD"})
    check(r.status == 303 and status_of(fund, "its4", paid[0]) ==
          "disbursed", "a disbursement with approvals none: %d %s" %
          (r.status, r.text[-300:]))
    fund.run("set", "approvals", "certify-approve")

    # The dashboard: the envelopes of the sessions to come, as 'headroom'.
    rec = srv.client().login("rec")
    r = rec.post("/sessions", {"id": "far", "name": "A far session",
                               "venue": "Nairobi", "start": "2099-01-05",
                               "days": "3", "dsa": "300",
                               "terminal": "100"})
    check(r.status == 303, "the far session: %d" % r.status)
    room = csv_rows(cli_csv(fund, "headroom", "far", "--format", "csv"))
    left = sum(decimal.Decimal(row["allowance"]) for row in room
               if not row["what"].startswith("tier"))
    check(left > 0, "the far session has nothing left to spend: %r" % room)
    dash = aud.get("/").text
    check('<a href="/sessions/far">far</a>' in dash and
          ("%s</td>" % "{:,.2f}".format(left)) in dash and
          "Envelopes of the sessions to come" in dash,
          "the dashboard's envelopes: %s" % dash[-1500:])

    # The waitlist, as the command line's.
    for fmt in ("csv", "json"):
        want = cli_csv(fund, "waitlist", "--date", "2017-05-17", "--format",
                       fmt)
        got = aud.get("/waitlist?date=2017-05-17&format=" + fmt)
        check(got.status == 200 and (got.text == want if fmt == "csv" else
                                     json.loads(got.text) ==
                                     json.loads(want)),
              "/waitlist?format=%s differs from 'waitlist'" % fmt)
    r = aud.get("/waitlist?date=2017-05-17")
    check(r.status == 200 and "position" in r.text, "the waitlist page")
    check(aud.get("/waitlist?date=2017-02-30").status == 400,
          "the waitlist with a bad date")
    check(aud.get("/waitlist?session=nowhere").status == 404,
          "the waitlist of an unknown session")
    check(aud.get("/waitlist?session=its1&date=2017-06-01").status == 409,
          "the waitlist of a session over")
    print("  approvals: a dry run writes nothing; a run proposed, certified "
          "and approved by three users (403 by role, 409 by rule), a "
          "payment request walked the same way, a cancellation and a "
          "reinstatement; 400 by the field, 404 for unknown ids; CSV and "
          "JSON of runs, payments and the waitlist as the command line's")


def corrections(fund, srv):
    """The command line's corrections in the browser: a run undone, a
    disbursement taken back or corrected, a request amended; each for the
    programme officer only (403), with its token (403), bad input 400 by
    its field, a rule refused 409 with the core's message, unknown ids
    404; what each wrote is in the command line's lists and in the log
    under the web user."""
    def events():
        return csv_rows(cli_csv(fund, "log", "--format", "csv"))

    def last_event():
        return events()[-1]

    prog = srv.client().login("prog")
    cert = srv.client().login("cert")
    aud = srv.client().login("aud")
    anon = srv.client()
    fund.run("set", "approvals", "none")
    runs = csv_rows(cli_csv(fund, "allocation", "runs", "--format", "csv"))
    run4 = [r for r in runs if r["session"] == "its4"][-1]["run"]
    shown = csv_rows(cli_csv(fund, "allocation", "show", "its4", "--format",
                             "csv"))
    paid = [row["ref"] for row in shown if row["status"] == "disbursed"]
    check(paid, "its4 has no disbursed grant: %r" % shown)
    ref = paid[0]

    # ---- Undo a run -------------------------------------------------------
    undo = "/runs/%s/undo" % run4
    page = prog.get("/runs/" + run4).text
    check('action="%s"' % undo in page, "no undo form on a run in force")
    check('action="%s"' % undo not in aud.get("/runs/" + run4).text,
          "an undo form for the auditor")
    check(anon.post(undo, {"date": "2017-08-01"}).status == 401,
          "undo logged out")
    check(cert.post(undo, {"date": "2017-08-01"}).status == 403,
          "undo by the certifying officer")
    check(prog.post(undo, {"date": "2017-08-01"}, csrf=False).status == 403,
          "undo without the token")
    r = prog.post(undo, {})
    check(r.status == 400 and 'id="error-date"' in r.text,
          "undo without a date: %d" % r.status)
    r = prog.post(undo, {"date": "2017-02-30"})
    check(r.status == 400 and 'id="error-date"' in r.text and
          'value="2017-02-30"' in r.text, "undo with a bad date: %d" %
          r.status)
    r = prog.post(undo, {"date": "2017-08-01"})
    check(r.status == 409 and "cannot be undone" in r.text,
          "undo of a run with a disbursed grant: %d %s" % (r.status,
                                                           r.text[-400:]))
    check(prog.post("/runs/999/undo", {"date": "2017-08-01"}).status == 404,
          "undo of an unknown run")

    # ---- Undisburse ---------------------------------------------------------
    back = "/requests/%s/undisburse" % ref
    check('action="%s"' % back in prog.get("/requests/" + ref).text,
          "no undisburse form on a disbursed request")
    check(anon.post(back, {"date": "2017-08-01"}).status == 401,
          "undisburse logged out")
    check(aud.post(back, {"date": "2017-08-01"}).status == 403,
          "undisburse by the auditor")
    check(prog.post(back, {"date": "2017-08-01"}, csrf=False).status == 403,
          "undisburse without the token")
    r = prog.post(back, {"date": "2017-13-01"})
    check(r.status == 400 and 'id="error-date"' in r.text,
          "undisburse with a bad date: %d" % r.status)
    check(prog.post("/requests/nowhere/undisburse",
                    {"date": "2017-08-01"}).status == 404,
          "undisburse of an unknown request")
    r = prog.post(back, {"date": "2017-08-01"})
    check(r.status == 303 and r.header("Location") == "/requests/" + ref,
          "undisburse: %d %s" % (r.status, r.text[-400:]))
    check(status_of(fund, "its4", ref) == "funded",
          "undisbursed, the grant is not funded again")
    e = last_event()
    check(e["actor"] == "prog" and e["command"].startswith("POST " + back)
          and "back to funded" in e["summary"], "the undisbursement's "
          "event: %r" % e)
    r = prog.post(back, {"date": "2017-08-01"})
    check(r.status == 409, "undisburse of a funded request: %d %s" %
          (r.status, r.text[-300:]))

    # ---- Disburse, then correct ---------------------------------------------
    pay = "/requests/%s/disburse" % ref
    r = prog.post(pay, {"date": "2017-08-02", "amount": "1500.00",
                        "currency": "USD"})
    check(r.status == 303 and status_of(fund, "its4", ref) == "disbursed",
          "disburse again: %d %s" % (r.status, r.text[-300:]))
    page = prog.get("/requests/" + ref).text
    check('action="%s"' % pay in page and 'name="correct"' in page,
          "no correction form on a disbursed request")
    check(aud.post(pay, {"correct": "1"}).status == 403,
          "a correction by the auditor")
    r = prog.post(pay, {"date": "2017-08-03", "correct": "1"})
    check(r.status == 400 and 'id="error-amount"' in r.text,
          "a correction without an amount: %d" % r.status)
    r = prog.post(pay, {"date": "2017-08-03", "amount": "x", "currency":
                        "USD", "correct": "1"})
    check(r.status == 400 and 'id="error-amount"' in r.text and
          'value="x"' in r.text, "a correction with a bad amount: %d" %
          r.status)
    r = prog.post(pay, {"date": "2017-08-03", "amount": "1400.00",
                        "currency": "USD", "correct": "maybe"})
    check(r.status == 400 and 'id="error-correct"' in r.text,
          "a bad correct box: %d" % r.status)
    r = prog.post(pay, {"date": "2017-08-03", "amount": "1400.00",
                        "currency": "USD", "correct": "1"})
    check(r.status == 303, "a correction: %d %s" % (r.status,
                                                    r.text[-400:]))
    e = last_event()
    check(e["actor"] == "prog" and "disbursement corrected" in e["summary"]
          and "1,400.00" in e["summary"], "the correction's event: %r" % e)
    check("disbursement corrected" in prog.get("/requests/" + ref).text,
          "no message after the correction")
    disb = csv_rows(cli_csv(fund, "allocation", "show", "its4", "--format",
                            "csv"))
    check(any(row["ref"] == ref and row["status"] == "disbursed"
              for row in disb), "the corrected grant is not disbursed")

    # ---- Undo the run at last -------------------------------------------------
    check(prog.post(back, {"date": "2017-08-04"}).status == 303,
          "undisburse before the undo")
    r = prog.post(undo, {"date": "2017-08-04"})
    check(r.status == 303 and r.header("Location") == "/runs/" + run4,
          "undo: %d %s" % (r.status, r.text[-400:]))
    check("undone on 2017-08-04" in prog.get("/runs/" + run4).text,
          "no message after the undo")
    check(status_of(fund, "its4", ref) == "pending",
          "the undone run's grant is not pending")
    runs = csv_rows(cli_csv(fund, "allocation", "runs", "--format", "csv"))
    row = [r for r in runs if r["run"] == run4][0]
    check("undone" in ",".join(row.values()),
          "allocation runs does not show the run undone: %r" % row)
    e = last_event()
    check(e["actor"] == "prog" and e["command"].startswith("POST " + undo)
          and "undone on 2017-08-04" in e["summary"],
          "the undo's event: %r" % e)
    r = prog.post(undo, {"date": "2017-08-05"})
    check(r.status == 409, "undo of a run already undone: %d" % r.status)
    check('action="%s"' % undo not in prog.get("/runs/" + run4).text,
          "an undo form on an undone run")

    # ---- Amend a pending request ---------------------------------------------
    amend = "/requests/%s/amend" % ref
    page = prog.get("/requests/" + ref).text
    check('action="%s"' % amend in page, "no amend form on a pending request")
    details = [row for row in csv_rows(cli_csv(fund, "request", "list",
                                               "--format", "csv"))
               if row["ref"] == ref][0]
    check('value="%s"' % details["delegate"] in page,
          "the amend form is not filled with the delegate: %r" % details)
    check(anon.post(amend, {"delegate": "X"}).status == 401,
          "amend logged out")
    check(cert.post(amend, {"delegate": "X"}).status == 403,
          "amend by the certifying officer")
    check(prog.post(amend, {"delegate": "X"}, csrf=False).status == 403,
          "amend without the token")
    r = prog.post(amend, {"fare": "12.345", "fare_currency": "USD",
                          "delegate": "Ms <Web>"})
    check(r.status == 400 and 'id="error-fare"' in r.text and
          'value="12.345"' in r.text and "Ms &lt;Web&gt;" in r.text,
          "amend with a bad fare: %d" % r.status)
    r = prog.post(amend, {"fare": "100"})
    check(r.status == 400 and 'id="error-fare_currency"' in r.text,
          "a fare without its currency: %d" % r.status)
    r = prog.post(amend, {})
    check(r.status == 400, "an amendment of nothing: %d" % r.status)
    check(prog.post("/requests/nowhere/amend", {"delegate": "X"}).status ==
          404, "amend of an unknown request")
    r = prog.post("/requests/%s/amend" % disbursed_ref(fund),
                  {"delegate": "X"})
    check(r.status == 409, "amend of a disbursed request: %d %s" %
          (r.status, r.text[-300:]))
    r = prog.post(amend, {"delegate": "Web Amended", "fare": "1234.50",
                          "fare_currency": "USD"})
    check(r.status == 303 and r.header("Location") == "/requests/" + ref,
          "amend: %d %s" % (r.status, r.text[-400:]))
    reqs = cli_csv(fund, "request", "list", "--format", "csv")
    check(any(row["ref"] == ref and "Web Amended" in row.values()
              for row in csv_rows(reqs)),
          "request list does not show the amendment")
    e = last_event()
    check(e["actor"] == "prog" and e["command"].startswith("POST " + amend)
          and "amended" in e["summary"], "the amendment's event: %r" % e)
    page = prog.get("/requests/" + ref).text
    check('value="Web Amended"' in page, "the amend form is not filled "
          "with the request's details")
    fund.run("set", "approvals", "certify-approve")
    print("  corrections: undo, undisburse, a corrected disbursement and "
          "an amendment through the browser; 401, 403 by role and token, "
          "400 by the field, 404, 409 with the core's message")


def disbursed_ref(fund):
    for session in ("its1", "its2", "its3", "its4"):
        for row in csv_rows(cli_csv(fund, "allocation", "show", session,
                                    "--format", "csv")):
            if row["status"] == "disbursed":
                return row["ref"]
    fail("no disbursed request")


def disabled(fund, srv):
    c = srv.client().login("prog")
    fund.run("user", "disable", "prog")
    r = c.get("/")
    check(r.status == 401, "a disabled user's session: %d" % r.status)
    d = srv.client()
    d.get("/login")
    r = d.post("/login", {"user": "prog", "password": "programme password 1"})
    check(r.status == 401, "a disabled user logs in: %d" % r.status)
    print("  a disabled user's session ends; it cannot log in")


def listen(fund):
    for args in (["--listen", "0.0.0.0:0"], ["--listen", "[::]:0"],
                 ["--listen", "192.0.2.1:8080"]):
        p = fund.run("serve", *args, check_rc=False)
        check(p.returncode == 2 and "without TLS" in p.stderr,
              "serve %s without TLS: exit %d %s" % (args, p.returncode,
                                                    p.stderr))
    for args in (["--listen", "127.0.0.1"], ["--listen", "host:80"],
                 ["--listen", "127.0.0.1:65536"],
                 ["--tls-cert", "/nonexistent"]):
        p = fund.run("serve", *args, check_rc=False)
        check(p.returncode == 2, "serve %s: exit %d" % (args, p.returncode))
    # Behind a TLS proxy, by choice.
    proc = subprocess.Popen([fund.tfund, "--db", fund.db, "serve", "--listen",
                             "0.0.0.0:0", "--insecure-remote"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    line = proc.stdout.readline()
    proc.terminate()
    out, err = proc.communicate(timeout=30)
    check("http://0.0.0.0:" in line and proc.returncode == 0,
          "serve --insecure-remote: %r %s" % (line, err))
    print("  listen: loopback only without TLS, unless --insecure-remote")


def tls(fund):
    import ssl
    if not shutil.which("openssl"):
        fail("openssl is missing (.ci/install-deps installs it)")
    cert = os.path.join(fund.dir, "cert.pem")
    key = os.path.join(fund.dir, "key.pem")
    p = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                        "-nodes", "-keyout", key, "-out", cert, "-days", "2",
                        "-subj", "/CN=127.0.0.1", "-addext",
                        "subjectAltName=IP:127.0.0.1"],
                       capture_output=True, text=True)
    check(p.returncode == 0, "openssl: %s" % p.stderr)
    srv = fund.serve("--tls-cert", cert, "--tls-key", key)
    check(srv.scheme == "https", "the TLS server announces %s" % srv.scheme)
    ctx = ssl.create_default_context(cafile=cert)
    c = srv.client(context=ctx)
    r = c.get("/login")
    v = r.header("Set-Cookie")
    check("Secure" in v and "HttpOnly" in v, "the cookie under TLS: %s" % v)
    check(r.header("Strict-Transport-Security"), "no HSTS under TLS")
    c.login("aud")
    check(c.get("/balance").status == 200, "the balance over HTTPS")
    # Plain HTTP is not served on that port.
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    try:
        data = s.recv(4096)
    except ConnectionResetError:
        data = b""
    s.close()
    check(b"200 OK" not in data, "plain HTTP answered on the TLS port")
    check(srv.stop() == 0, "the TLS server did not stop cleanly")
    print("  TLS: HTTPS only, the cookie Secure, HSTS")


if __name__ == "__main__":
    sys.exit(main())
