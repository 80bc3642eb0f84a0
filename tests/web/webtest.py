# SPDX-License-Identifier: MIT
"""What the tests of tfund serve share: a team fund with one user per role
made with the real command line, a real server on a free port of
127.0.0.1, and an HTTP client (http.client) that keeps its session cookie
and reads the CSRF token of the forms it is shown.

Exit status 77 means the test cannot run here (reported as skipped)."""

import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse

SKIP = 77

# One user per role, and two donor users. Passwords are test values.
USERS = [
    # id, roles, donor, password
    ("boss", "admin", None, "boss password 1"),
    ("rec", "recorder", None, "recorder password 1"),
    ("prog", "programme", None, "programme password 1"),
    ("cert", "certifying", None, "certifying password 1"),
    ("appr", "approving", None, "approving password 1"),
    ("aud", "auditor", None, "auditor password 1"),
    ("acme-user", "donor", "acme", "donor password 1"),
    ("norway-user", "donor", "norway", "donor password 2"),
]
PASSWORDS = {u[0]: u[3] for u in USERS}
STAFF = ["boss", "rec", "prog", "cert", "appr", "aud"]
XSS_NAME = "<script>alert(1)</script>"


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


class Fund:
    """A fund file in a new directory, with the sample's rates, donors,
    sessions, pledges, receipts and requests, a donor named like a script,
    a closed period, and the users above (the first, boss, mapped to the
    login that runs the test)."""

    def __init__(self, tfund, src):
        self.tfund = os.path.realpath(tfund)
        self.src = os.path.realpath(src)
        self.dir = tempfile.mkdtemp(prefix="tfund-web-")
        self.db = os.path.join(self.dir, "fund.db")
        self.servers = []

    def run(self, *args, stdin=None, check_rc=True):
        p = subprocess.run([self.tfund, "--db", self.db] + list(args),
                           input=stdin, capture_output=True, text=True)
        if check_rc and p.returncode != 0:
            fail("tfund %s: exit %d: %s" % (" ".join(args), p.returncode,
                                           p.stderr.strip()))
        return p

    def build(self, users=True):
        g = os.path.join(self.src, "samples", "gcm")
        self.run("init", "--name", "Test fund & <friends>")
        for kind in ("rates", "donors", "sessions", "pledges", "receipts",
                     "requests"):
            self.run("import", kind, os.path.join(g, kind + ".csv"))
        self.run("donor", "add", "acme", "--name", "Acme Foundation",
                 "--type", "foundation")
        self.run("donor", "add", "evil", "--name", XSS_NAME, "--type", "other")
        self.run("pledge", "add", "P-ACME", "--donor", "acme", "--date",
                 "2017-03-01", "--amount", "5000", "--currency", "USD",
                 "--pool", "travel")
        self.run("receipt", "add", "R-ACME", "--pledge", "P-ACME", "--date",
                 "2017-03-05", "--amount", "2000", "--currency", "USD")
        self.run("allocate", "its1", "--date", "2017-05-01", "--quiet")
        self.run("period", "close", "2016-06-30")
        if users:
            self.add_users()

    def add_users(self):
        for uid, roles, donor, password in USERS:
            args = ["user", "add", uid, "--name", "User " + uid, "--role",
                    roles]
            if donor:
                args += ["--donor", donor]
            self.run(*args)
            self.run("user", "password", uid, stdin=password + "\n")

    def serve(self, *extra):
        return Server(self, list(extra))

    def close(self):
        for s in self.servers:
            s.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class Server:
    """tfund serve on a free port, stopped with SIGTERM; its exit status
    must be 0 (under the sanitizers, a leak or an error is not)."""

    def __init__(self, fund, extra):
        self.fund = fund
        self.log = open(os.path.join(fund.dir, "serve-%d.log" %
                                     len(fund.servers)), "w+")
        self.proc = subprocess.Popen(
            [fund.tfund, "--db", fund.db, "serve", "--listen",
             "127.0.0.1:0"] + extra,
            stdout=subprocess.PIPE, stderr=self.log, text=True)
        fund.servers.append(self)
        line = self.proc.stdout.readline()
        m = re.search(r"(https?)://127\.0\.0\.1:(\d+)/", line)
        if not m:
            self.proc.wait(timeout=10)
            self.log.seek(0)
            fail("the server did not start: %r %s" % (line, self.log.read()))
        self.scheme, self.port = m.group(1), int(m.group(2))
        self.stopped = False

    def stop(self):
        if self.stopped:
            return 0
        self.stopped = True
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            fail("the server did not stop on SIGTERM")
        if rc != 0:
            self.log.seek(0)
            fail("the server exited with status %d: %s" % (rc,
                                                           self.log.read()))
        return rc

    def client(self, **kw):
        return Client(self, **kw)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # list of (name, value)
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def headers_named(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")


CSRF_RE = re.compile(r'name="csrf" value="([0-9a-f]{64})"')


class Client:
    """One browser: a cookie jar of one cookie, tfund_session."""

    def __init__(self, server, context=None):
        self.server = server
        self.context = context
        self.session = None
        self.csrf = None

    def conn(self):
        if self.server.scheme == "https":
            return http.client.HTTPSConnection("127.0.0.1", self.server.port,
                                               context=self.context,
                                               timeout=60)
        return http.client.HTTPConnection("127.0.0.1", self.server.port,
                                          timeout=60)

    def request(self, method, path, body=None, headers=None):
        h = dict(headers or {})
        if self.session is not None:
            h["Cookie"] = "tfund_session=" + self.session
        c = self.conn()
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        resp = Response(r.status, r.getheaders(), data)
        c.close()
        for v in resp.headers_named("Set-Cookie"):
            m = re.match(r"tfund_session=([^;]*)", v)
            if m:
                self.session = m.group(1) or None
        m = CSRF_RE.search(resp.text) if resp.body else None
        if m:
            self.csrf = m.group(1)
        # Every answer, whatever its status, carries the policy.
        check(resp.header("Content-Security-Policy") == "default-src 'self'",
              "%s %s: no Content-Security-Policy: default-src 'self'" %
              (method, path))
        return resp

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, fields, csrf=True):
        f = dict(fields)
        if csrf is True and self.csrf:
            f["csrf"] = self.csrf
        elif isinstance(csrf, str):
            f["csrf"] = csrf
        body = urllib.parse.urlencode(f)
        return self.request("POST", path, body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded"})

    def post_multipart(self, path, fields, files, csrf=True):
        boundary = "----tfundtest%d" % time.time_ns()
        parts = []
        f = dict(fields)
        if csrf and self.csrf:
            f = {"csrf": self.csrf, **f}
        for k, v in f.items():
            parts.append(("--%s\r\nContent-Disposition: form-data; "
                          "name=\"%s\"\r\n\r\n%s\r\n" %
                          (boundary, k, v)).encode())
        for k, (name, data) in files.items():
            parts.append(("--%s\r\nContent-Disposition: form-data; "
                          "name=\"%s\"; filename=\"%s\"\r\nContent-Type: "
                          "text/csv\r\n\r\n" % (boundary, k, name)).encode()
                         + data + b"\r\n")
        body = b"".join(parts) + ("--%s--\r\n" % boundary).encode()
        return self.request("POST", path, body=body, headers={
            "Content-Type": "multipart/form-data; boundary=" + boundary})

    def login(self, user, password=None):
        r = self.get("/login")
        check(r.status == 200, "GET /login: %d" % r.status)
        r = self.post("/login", {"user": user,
                                 "password": password or PASSWORDS[user]})
        check(r.status == 303 and r.header("Location") == "/",
              "login of %s: %d %s" % (user, r.status, r.text[:300]))
        # The dashboard's forms carry the new session's token.
        r = self.get("/")
        check(r.status == 200, "GET / after login of %s: %d" % (user,
                                                               r.status))
        return self
