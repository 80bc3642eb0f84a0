#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""tfund serve in a real browser: Debian's Chromium, driven by chromedriver
through python3-selenium, with JavaScript off (the pages need none). The
recorder logs in, sees the dashboard, records a pledge through the form
(and sees a bad amount refused beside its field), a form sent without
its CSRF token is refused; a donor user downloads its own statement (read
back with openpyxl) and is refused another donor's page and statement;
a donor named <script>alert(1)</script> shows as text; every page reads
at 360 px wide without a page-wide scroll. A programme officer imports
requests through the form, runs a dry run and proposes the run, whose
approval by its proposer is refused; the certifying and the approving
officers take their steps; the session shows the requests funded and the
event log names each step's user.

Exit status 77 (skipped) only when Chromium cannot start here.

usage: test_browser.py TFUND SOURCE_DIR"""

import glob
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from webtest import SKIP, XSS_NAME, Fund, check  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def start_browser(downloads):
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        print("skipped: python3-selenium is not installed", file=sys.stderr)
        sys.exit(SKIP)
    if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
        print("skipped: chromium or chromium-driver is not installed",
              file=sys.stderr)
        sys.exit(SKIP)
    profile = tempfile.mkdtemp(prefix="tfund-chromium-")
    o = webdriver.ChromeOptions()
    o.binary_location = CHROMIUM
    for a in ["--headless", "--no-sandbox", "--disable-gpu",
              "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update",
              "--disable-sync", "--disable-dev-shm-usage", "--lang=en-US",
              "--window-size=1280,900", "--user-data-dir=" + profile]:
        o.add_argument(a)
    o.add_experimental_option("prefs", {
        # The pages must work without JavaScript: it is off.
        "profile.managed_default_content_settings.javascript": 2,
        "download.default_directory": downloads,
        "download.prompt_for_download": False,
    })
    try:
        d = webdriver.Chrome(service=Service(CHROMEDRIVER), options=o)
    except Exception as e:  # the browser cannot start in this environment
        print("skipped: Chromium cannot start: %s" % str(e).splitlines()[0],
              file=sys.stderr)
        shutil.rmtree(profile, ignore_errors=True)
        sys.exit(SKIP)
    d.execute_cdp_cmd("Page.setDownloadBehavior",
                      {"behavior": "allow", "downloadPath": downloads})
    d.profile_dir = profile
    return d


def by(d, css):
    return d.find_element("css selector", css)


def h1(d):
    return by(d, "h1").text


def click_and_wait(d, css):
    """Clicks what leads to another page and waits until it is there: the
    old page is marked (by the test's own script; the pages run none),
    and the new one has no mark and has loaded."""
    from selenium.common.exceptions import WebDriverException
    d.execute_script("document.documentElement.setAttribute('data-old', 1)")
    by(d, css).click()
    end = time.time() + 30
    while time.time() < end:
        try:
            if d.execute_script(
                    "return document.readyState === 'complete' && "
                    "!document.documentElement.hasAttribute('data-old')"):
                return
        except WebDriverException:
            pass  # between two pages
        time.sleep(0.05)
    check(False, "no new page after clicking %s" % css)


def log_in(d, base, user, password):
    d.get(base + "/login")
    check(h1(d) == "Log in", "the login page: %s" % h1(d))
    by(d, "#f-user").send_keys(user)
    by(d, "#f-password").send_keys(password)
    click_and_wait(d, "form.entry button[type=submit]")


def log_out(d):
    click_and_wait(d, "form.logout button")
    check(h1(d) == "Log in", "logging out did not lead to the login page")


def no_page_scroll(d, base, paths):
    """At 360 px wide, nothing of a page sticks out sideways: the header,
    the content and every block in it fit (a wide table scrolls inside
    its own box)."""
    d.set_window_size(360, 740)
    try:
        for path in paths:
            d.get(base + path)
            view = by(d, "html").size["width"]
            check(view <= 360, "%s: the page is %d px wide" % (path, view))
            for el in d.find_elements("css selector",
                                      "header, main, main > *, form.entry "
                                      ".field, nav a"):
                right = el.location["x"] + el.size["width"]
                check(right <= view,
                      "%s: <%s> reaches %d px of %d" %
                      (path, el.tag_name, right, view))
    finally:
        d.set_window_size(1280, 900)


def wait_for_download(folder, pattern, seconds=30):
    end = time.time() + seconds
    while time.time() < end:
        done = [f for f in glob.glob(os.path.join(folder, pattern))
                if not f.endswith(".crdownload")]
        if done and not glob.glob(os.path.join(folder, "*.crdownload")):
            return done[0]
        time.sleep(0.2)
    return None


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    fund = Fund(sys.argv[1], sys.argv[2])
    downloads = tempfile.mkdtemp(prefix="tfund-downloads-")
    d = None
    try:
        fund.build()
        srv = fund.serve()
        base = "http://127.0.0.1:%d" % srv.port
        d = start_browser(downloads)
        run(fund, d, base, downloads)
        d.quit()
        d = None
        check(srv.stop() == 0, "the server did not stop cleanly")
    finally:
        if d:
            d.quit()
        fund.close()
        shutil.rmtree(downloads, ignore_errors=True)
    print("ok")
    return 0


def run(fund, d, base, downloads):
    from selenium.common.exceptions import NoAlertPresentException

    # ---- The recorder -------------------------------------------------
    log_in(d, base, "rec", "recorder password 1")
    check(h1(d) == "Dashboard", "after login: %s" % h1(d))
    check("Pools" in d.page_source and "travel" in by(d, "main").text,
          "the dashboard shows no pools")
    print("  the recorder logs in and sees the dashboard")

    d.get(base + "/pledges")
    by(d, "#f-ref").send_keys("P-BROWSER")
    from selenium.webdriver.support.ui import Select
    Select(by(d, "#f-donor")).select_by_value("norway")
    by(d, "#f-date").send_keys("05012017")  # en-US: mm dd yyyy
    by(d, "#f-amount").send_keys("2500.005")
    by(d, "#f-currency").send_keys("EUR")
    Select(by(d, "#f-pool")).select_by_value("travel")
    click_and_wait(d, "form.entry button[type=submit]")
    err = by(d, "#error-amount")
    check("more decimals" in err.text, "the amount's error: %s" % err.text)
    check(by(d, "#f-ref").get_attribute("value") == "P-BROWSER",
          "the form lost the reference")
    check(by(d, "#f-date").get_attribute("value") == "2017-05-01",
          "the form lost the date")
    amount = by(d, "#f-amount")
    amount.clear()
    amount.send_keys("2500.00")
    click_and_wait(d, "form.entry button[type=submit]")
    check(d.current_url == base + "/pledges",
          "after the pledge: %s" % d.current_url)
    check("pledge P-BROWSER: recorded" in by(d, ".flash").text,
          "no message after the pledge")
    listed = fund.run("pledge", "list", "--format", "csv").stdout
    check("P-BROWSER,norway,2017-05-01,travel,EUR,2500.00" in listed,
          "the pledge is not in the books:\n" + listed)
    print("  a pledge through the form: a bad amount refused beside its "
          "field, then recorded")

    # A form whose CSRF token is gone is refused.
    d.get(base + "/donors")
    page = d.page_source
    check("&lt;script&gt;alert(1)&lt;/script&gt;" in page,
          "the donor's name is not escaped")
    check(XSS_NAME in by(d, "main").text, "the donor's name is not shown")
    try:
        d.switch_to.alert
        check(False, "a script ran")
    except NoAlertPresentException:
        pass
    print("  a donor named %s is shown as text" % XSS_NAME)

    # The donor form of the page, its token taken out by the test (the
    # page itself runs no script): 403.
    d.get(base + "/donors")
    by(d, "#f-id").send_keys("csrf-test")
    by(d, "#f-name").send_keys("No token")
    Select(by(d, "#f-type")).select_by_value("other")
    d.execute_script(
        "document.querySelector('form.entry input[name=csrf]').remove()")
    click_and_wait(d, "form.entry button[type=submit]")
    check(h1(d) == "Form expired", "a form without its token: %s" % h1(d))
    # The same form sent from another site: the session cookie stays home
    # (SameSite=Strict), so it is not even logged in.
    form_page = os.path.join(downloads, "elsewhere.html")
    with open(form_page, "w") as f:
        f.write('<form method="post" action="%s/donors"><input name="id" '
                'value="csrf-test"><input name="name" value="X"><input '
                'name="type" value="other"><button id="go">go</button>'
                '</form>' % base)
    d.get("file://" + form_page)
    click_and_wait(d, "#go")
    check(h1(d) == "Not logged in", "a form from elsewhere: %s" % h1(d))
    check("csrf-test" not in fund.run("donor", "list", "--format",
                                      "csv").stdout,
          "a form without its token was recorded")
    print("  a form without its CSRF token is refused (403); one from "
          "another site carries no session")

    no_page_scroll(d, base, ["/", "/pledges", "/donors", "/sessions",
                             "/sessions/its1", "/balance", "/journal",
                             "/runs/1", "/payments", "/waitlist",
                             "/requests/R-its1-001"])
    print("  pages read at 360 px wide")
    d.get(base + "/")
    log_out(d)

    # ---- A donor user -------------------------------------------------
    log_in(d, base, "acme-user", "donor password 1")
    check(h1(d) == "Home", "the donor user's home: %s" % h1(d))
    check("Acme Foundation" in by(d, "main").text,
          "the donor user's home does not show its donor")
    by(d, "nav a[href='/donors/acme/statement.xlsx']").click()
    path = wait_for_download(downloads, "acme-statement*.xlsx")
    check(path is not None, "the statement was not downloaded: %s" %
          os.listdir(downloads))
    import openpyxl
    wb = openpyxl.load_workbook(path)
    check(wb["Cover"]["A1"].value == "Statement for Acme Foundation",
          "the statement's cover: %r" % wb["Cover"]["A1"].value)
    def rows_by_header(sheet, key):
        """The rows of sheet whose first cell is key, as dicts keyed by the
        sheet's header row (its first row)."""
        rows = list(wb[sheet].iter_rows(values_only=True))
        head = rows[0]
        return [dict(zip(head, r)) for r in rows[1:] if r and r[0] == key]
    pledges = rows_by_header("Pledges", "P-ACME")
    check(pledges and pledges[0]["Pledged"] == 5000 and
          pledges[0]["Received"] == 2000 and pledges[0]["Outstanding"] == 3000,
          "the statement's pledge: %r" % pledges)
    receipts = rows_by_header("Receipts", "R-ACME")
    check(receipts and receipts[0]["Amount"] == 2000,
          "the statement's receipt: %r" % receipts)
    print("  the donor user downloads its own statement (read back: pledge "
          "5,000, paid 2,000)")

    for path in ["/donors/norway", "/donors/norway/statement.xlsx",
                 "/balance", "/sessions"]:
        before = set(os.listdir(downloads))
        d.get(base + path)
        check(h1(d) == "Not allowed", "%s as a donor user: %s" %
              (path, h1(d)))
        time.sleep(0.3)
        check(set(os.listdir(downloads)) == before,
              "%s downloaded something" % path)
    print("  another donor's page and statement: 403")
    log_out(d)

    approvals(fund, d, base, downloads)


OFFICER = ("officer", "recorder,programme,approving", "officer password 1")
REQUESTS_CSV = (
    "ref,session,country,delegate,submitted,fare,fare_currency,gender\n"
    "B-its2-001,its2,NPL,Maya Gurung,2017-04-02T09:00:00Z,1210.00,USD,F\n"
    "B-its2-002,its2,HTI,Paul Joseph,2017-04-03T10:30:00Z,980.50,USD,M\n")


def post_by_hand(d, action, fields):
    """A form the page does not offer, made by the test (the pages run no
    script) with the page's own CSRF token, and sent."""
    d.execute_script(
        "var f = document.createElement('form');"
        "f.method = 'post'; f.action = arguments[0]; f.id = 'by-hand';"
        "var t = document.querySelector('input[name=csrf]').value;"
        "var add = function (n, v) { var i = document.createElement('input');"
        " i.type = 'hidden'; i.name = n; i.value = v; f.appendChild(i); };"
        "add('csrf', t);"
        "for (var k in arguments[1]) add(k, arguments[1][k]);"
        "var b = document.createElement('button'); b.id = 'by-hand-go';"
        "f.appendChild(b); document.body.appendChild(f);", action, fields)
    click_and_wait(d, "#by-hand-go")


def approvals(fund, d, base, downloads):
    """The programme officer imports requests through the form, runs a dry
    run and proposes the run; its approval by hand is refused; the
    certifying and the approving officers take their steps from their
    dashboards; the session then shows the requests funded, and the event
    log names each step's user."""
    uid, roles, pw = OFFICER
    fund.run("user", "add", uid, "--name", "Programme officer", "--role",
             roles)
    fund.run("user", "password", uid, stdin=pw + "\n")
    from selenium.webdriver.support.ui import Select

    log_in(d, base, uid, pw)
    d.get(base + "/import")
    Select(by(d, "#f-kind")).select_by_value("requests")
    path = os.path.join(downloads, "requests-its2.csv")
    with open(path, "w") as f:
        f.write(REQUESTS_CSV)
    by(d, "#f-file").send_keys(path)
    click_and_wait(d, "form.entry button[type=submit]")
    check("2 rows: 2 added" in by(d, ".flash").text,
          "the import of requests: %s" % by(d, "main").text[:300])
    print("  the programme officer imports two requests through the form")

    d.get(base + "/sessions/its2")
    by(d, "#f-date").send_keys("05152017")
    click_and_wait(d, "button[name=dry_run]")
    check(h1(d) == "Dry run", "the dry run: %s" % h1(d))
    table = by(d, "main").text
    check("B-its2-001" in table and "B-its2-002" in table and
          "Dry run, nothing written" in table,
          "the dry run's table: %s" % table[:500])
    check(fund.run("allocation", "runs", "its2", "--format",
                   "csv").stdout.count("\n") == 1, "a dry run made a run")
    click_and_wait(d, "form.entry button[type=submit]")
    check(h1(d).startswith("Run ") and h1(d).endswith(" of its2"),
          "after proposing: %s" % h1(d))
    run = d.current_url.rsplit("/", 1)[1]
    check("proposed" in by(d, ".flash").text, "no message after proposing")
    check(not d.find_elements("css selector", "button.approve") and
          not d.find_elements("css selector", "button.certify"),
          "the proposer is offered a step of its own run")
    print("  a dry run shows the table; the run %s is proposed" % run)

    post_by_hand(d, "/runs/%s/approve" % run, {"date": "2017-05-16"})
    err = by(d, "p.error").text
    check("officer proposed run %s" % run in err,
          "the proposer's approval: %s" % err)
    runs = fund.run("allocation", "runs", "its2", "--format", "csv").stdout
    check("proposed" in runs.splitlines()[-1], "the run moved: %s" % runs)
    print("  the proposer's approval (a form made by hand) is refused by "
          "the rule")
    log_out(d)

    log_in(d, base, "cert", "certifying password 1")
    click_and_wait(d, "ul.awaiting a[href='/runs/%s']" % run)
    by(d, "#f-runs-%s-certify-date" % run).send_keys("05162017")
    click_and_wait(d, "button.certify")
    check("certified" in by(d, ".flash").text, "certify: %s" %
          by(d, "main").text[:300])
    log_out(d)

    log_in(d, base, "appr", "approving password 1")
    click_and_wait(d, "ul.awaiting a[href='/runs/%s']" % run)
    by(d, "#f-runs-%s-approve-date" % run).send_keys("05162017")
    click_and_wait(d, "button.approve")
    check("approved" in by(d, ".flash").text, "approve: %s" %
          by(d, "main").text[:300])
    print("  the certifying and the approving officers take their steps "
          "from their dashboards")

    d.get(base + "/sessions/its2")
    rows = {tr.find_element("css selector", "td").text: tr.text
            for tr in d.find_elements("css selector", "main table tbody tr")
            if tr.find_elements("css selector", "td")}
    for ref in ("B-its2-001", "B-its2-002"):
        check(ref in rows and " funded " in " %s " % rows[ref],
              "the session page's %s: %r" % (ref, rows.get(ref)))
    log_out(d)
    import csv
    import io
    log = list(csv.DictReader(io.StringIO(
        fund.run("log", "--format", "csv").stdout)))
    steps = [(e["actor"], e["command"].split(" ")[1]) for e in log
             if e["command"].startswith("POST ")][-4:]
    check(steps == [("officer", "/import"),
                    ("officer", "/sessions/its2/allocate"),
                    ("cert", "/runs/%s/certify" % run),
                    ("appr", "/runs/%s/approve" % run)],
          "the event log's steps: %r" % steps)
    print("  the session shows the requests funded; tfund log names each "
          "step's user")


if __name__ == "__main__":
    sys.exit(main())
