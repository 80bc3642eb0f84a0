#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""samples/gcm/serve.sh: the sample fund (built here as cycle.sh builds
it, with the binary under test) becomes a team fund with one user per
role and a donor user, whose generated passwords are written once to a
file of mode 0600 and never printed; the script serves it on 127.0.0.1,
where every user logs in with the password from the file and sees what
its role allows, and the programme, certifying and approving officers
walk a run through its approvals; a second run serves the same copy
with the same passwords, --fresh makes new ones.

usage: test_sample_serve.py TFUND SOURCE_DIR"""

import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from webtest import Client, check, fail  # noqa: E402

ROLES = {"admin": "admin", "recorder": "recorder", "programme": "programme",
         "certifying": "certifying", "approving": "approving",
         "auditor": "auditor", "norway": "donor"}


class Served:
    """What webtest.Client needs of a server."""

    def __init__(self, port):
        self.scheme, self.port = "http", port


def read_passwords(path):
    users = {}
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        user, role, pw = line.split()
        users[user] = (role, pw)
    return users


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    tfund, src = os.path.realpath(sys.argv[1]), os.path.realpath(sys.argv[2])
    sample = os.path.join(src, "samples", "gcm")
    work = tempfile.mkdtemp(prefix="tfund-sample-serve-")
    env = dict(os.environ, TFUND_BIN=tfund,
               TFUND_OUT=os.path.join(work, "gcm"),
               TFUND_TEAM_OUT=os.path.join(work, "team"))
    env.pop("TFUND_DB", None)
    script = os.path.join(sample, "serve.sh")
    proc = None
    try:
        # The sample fund, as cycle.sh makes it.
        os.makedirs(env["TFUND_OUT"])
        db = os.path.join(env["TFUND_OUT"], "gcm.db")
        subprocess.run([tfund, "--db", db, "init", "--name", "GCM sample"],
                       check=True, capture_output=True)
        for kind in ("rates", "donors", "sessions", "pledges", "receipts",
                     "requests", "costs"):
            subprocess.run([tfund, "--db", db, "import", kind,
                            os.path.join(sample, kind + ".csv")],
                           check=True, capture_output=True)
        subprocess.run(["/usr/bin/python3", os.path.join(sample, "cycle.py"),
                        tfund, db, sample, env["TFUND_OUT"]],
                       check=True, capture_output=True)

        proc = subprocess.Popen(["bash", script, "--port", "0"], env=env,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        line = proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not m:
            proc.wait(timeout=30)
            fail("serve.sh did not serve: %r %s" % (line, proc.stderr.read()))
        port = int(m.group(1))

        team = env["TFUND_TEAM_OUT"]
        pwfile = os.path.join(team, "passwords.txt")
        mode = stat.S_IMODE(os.stat(pwfile).st_mode)
        check(mode == 0o600, "passwords.txt has mode %o" % mode)
        mode = stat.S_IMODE(os.stat(team).st_mode)
        check(mode == 0o700, "the team folder has mode %o" % mode)
        users = read_passwords(pwfile)
        check({u: r for u, (r, _) in users.items()} == ROLES,
              "the users of the team fund: %r" % sorted(users))
        pws = [pw for _, pw in users.values()]
        check(len(set(pws)) == len(pws) and
              all(re.fullmatch(r"[A-Za-z0-9_-]{24}", p) for p in pws),
              "the passwords are not 24 distinct random characters")

        srv = Served(port)
        for user, (role, pw) in sorted(users.items()):
            c = Client(srv).login(user, pw)
            if role == "donor":
                check(c.get("/donors/norway").status == 200,
                      "the donor user's own page")
                check(c.get("/donors/sweden").status == 403,
                      "the donor user sees another donor")
                check(c.get("/balance").status == 403,
                      "the donor user sees the books")
            else:
                r = c.get("/")
                check(r.status == 200 and "Pools" in r.text,
                      "the dashboard of %s: %d" % (user, r.status))
                check(c.get("/balance").status == 200,
                      "%s reads the books" % user)
        # Its users walk a run through its approvals (the team default,
        # certify-approve): proposed, certified, approved.
        prog = Client(srv).login("programme", users["programme"][1])
        r = prog.post("/sessions/conf/allocate", {"date": "2018-12-03"})
        check(r.status == 303 and r.header("Location").startswith("/runs/"),
              "the programme officer's proposal: %d %s" % (r.status,
                                                          r.text[-400:]))
        run = r.header("Location")
        for user, step in (("certifying", "certify"),
                           ("approving", "approve")):
            c = Client(srv).login(user, users[user][1])
            check('href="%s"' % run in c.get("/").text,
                  "the run does not await %s" % user)
            r = c.post("%s/%s" % (run, step), {"date": "2018-12-03"})
            check(r.status == 303, "%s by %s: %d %s" % (step, user, r.status,
                                                         r.text[-400:]))
        r = prog.get(run)
        check(">approved<" in r.text and ">certifying<" in r.text and
              ">approving<" in r.text, "the run's steps after its approval")
        bad = Client(srv)
        bad.get("/login")
        r = bad.post("/login", {"user": "admin", "password": "wrong"})
        check(r.status == 401, "a wrong password: %d" % r.status)

        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
        check(proc.returncode == 0, "the server's exit status: %d %s" %
              (proc.returncode, err))
        for pw in pws:
            check(pw not in line + out + err, "a password was printed")
        check(pwfile in err, "serve.sh does not say where the passwords are")
        proc = None

        # Again: the same copy, the same passwords; --fresh: new ones.
        before = open(pwfile).read()
        p = subprocess.run(["bash", script, "--no-serve"], env=env,
                           capture_output=True, text=True)
        check(p.returncode == 0 and open(pwfile).read() == before,
              "a second run changed the passwords: %s" % p.stderr)
        p = subprocess.run(["bash", script, "--no-serve", "--fresh"],
                           env=env, capture_output=True, text=True)
        check(p.returncode == 0 and open(pwfile).read() != before,
              "--fresh kept the passwords: %s" % p.stderr)
        p = subprocess.run([tfund, "--db", os.path.join(team, "gcm-team.db"),
                            "verify"], capture_output=True, text=True)
        check(p.returncode == 0, "the team fund does not verify: %s" %
              p.stdout)
        p = subprocess.run(["bash", script, "--port", "x"], env=env,
                           capture_output=True, text=True)
        check(p.returncode == 2, "--port x: exit %d" % p.returncode)
    finally:
        if proc is not None:
            proc.kill()
            proc.wait()
        shutil.rmtree(work, ignore_errors=True)
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
