#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Draws the screenshots of README's "In a browser" section again, from
the real server: makes the sample team fund (samples/gcm/serve.sh
--no-serve), serves a copy of it (the team fund itself is left as it
was) on a free port of 127.0.0.1, logs in with Debian's headless
Chromium (python3-selenium, JavaScript off, as the browser tests do) and
saves each page as a PNG in docs/img/: the programme officer's
dashboard (dashboard.png); then the programme officer proposes a run of
the conference dated 2018-12-03 and the certifying officer opens it from
its dashboard (approval.png).

usage: samples/gcm/screenshots.py [--fresh]

--fresh makes the team fund again first (new passwords). Exit status 77
when Chromium cannot start here."""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

TOP = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", ".."))
TFUND = os.path.join(TOP, "build", "tfund")
TEAM = os.path.join(TOP, "out", "gcm-team")
DB = os.path.join(TEAM, "gcm-team.db")
PASSWORDS = os.path.join(TEAM, "passwords.txt")
IMG = os.path.join(TOP, "docs", "img")
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WIDTH = 1200


def passwords():
    found = {}
    with open(PASSWORDS) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            user, _role, pw = line.split()
            found[user] = pw
    return found


def browser(profile):
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        print("screenshots: python3-selenium is not installed",
              file=sys.stderr)
        sys.exit(77)
    o = webdriver.ChromeOptions()
    o.binary_location = CHROMIUM
    for a in ["--headless", "--no-sandbox", "--disable-gpu",
              "--no-first-run", "--disable-background-networking",
              "--disable-component-update", "--disable-sync",
              "--disable-dev-shm-usage", "--lang=en-US",
              "--hide-scrollbars", "--force-device-scale-factor=1",
              "--window-size=%d,900" % WIDTH, "--user-data-dir=" + profile]:
        o.add_argument(a)
    o.add_experimental_option("prefs", {
        "profile.managed_default_content_settings.javascript": 2})
    try:
        return webdriver.Chrome(service=Service(CHROMEDRIVER), options=o)
    except Exception as e:
        print("screenshots: Chromium cannot start: %s" %
              str(e).splitlines()[0], file=sys.stderr)
        sys.exit(77)


def shoot(d, path):
    """The whole page, at the browser's width, as a PNG."""
    height = d.execute_script(
        "return Math.max(document.body.scrollHeight, "
        "document.documentElement.scrollHeight)")
    d.set_window_size(WIDTH, min(max(height + 20, 600), 4000))
    time.sleep(0.3)
    d.save_screenshot(path)
    d.set_window_size(WIDTH, 900)
    print("screenshots: wrote %s" % os.path.relpath(path, TOP))


def log_in(d, base, user, pw):
    d.get(base + "/login")
    d.find_element("css selector", "#f-user").send_keys(user)
    d.find_element("css selector", "#f-password").send_keys(pw)
    d.find_element("css selector", "form.entry button[type=submit]").click()
    end = time.time() + 30
    while time.time() < end and "/login" in d.current_url:
        time.sleep(0.1)


def click_and_wait(d, css):
    """Clicks what leads to another page and waits until it has loaded."""
    d.execute_script("document.documentElement.setAttribute('data-old', 1)")
    d.find_element("css selector", css).click()
    end = time.time() + 30
    while time.time() < end:
        try:
            if d.execute_script(
                    "return document.readyState === 'complete' && "
                    "!document.documentElement.hasAttribute('data-old')"):
                return
        except Exception:
            pass  # between two pages
        time.sleep(0.05)
    raise SystemExit("screenshots: no new page after clicking %s" % css)


def log_out(d):
    click_and_wait(d, "form.logout button")


def late_pledge(d, base):
    """A pledge of 30,000.00 USD to travel, received in full."""
    from selenium.webdriver.support.ui import Select
    fields = {"/pledges": [("#f-ref", "PL-2018-LATE"), ("#f-date", "11202018"),
                           ("#f-amount", "30000.00"), ("#f-currency", "USD")],
              "/receipts": [("#f-ref", "RC-2018-LATE"),
                            ("#f-date", "12012018"),
                            ("#f-amount", "30000.00"),
                            ("#f-currency", "USD"),
                            ("#f-pledge", "PL-2018-LATE")]}
    for page, values in fields.items():
        d.get(base + page)
        for css, value in values:
            d.find_element("css selector", css).send_keys(value)
        if page == "/pledges":
            Select(d.find_element("css selector", "#f-donor")).select_by_value(
                "sweden")
            Select(d.find_element("css selector", "#f-pool")).select_by_value(
                "travel")
        click_and_wait(d, "form.entry button[type=submit]")
        if d.current_url != base + page:
            raise SystemExit("screenshots: %s refused: %s" % (
                page, d.find_element("css selector", "main").text[:300]))


def main():
    args = ["--no-serve"] + (["--fresh"] if "--fresh" in sys.argv[1:] else [])
    subprocess.run(["bash", os.path.join(TOP, "samples", "gcm", "serve.sh")]
                   + args, check=True)
    if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
        print("screenshots: chromium or chromium-driver is missing",
              file=sys.stderr)
        return 77
    pw = passwords()
    os.makedirs(IMG, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="tfund-shots-")
    # A copy: the run proposed for the picture stays out of the team fund.
    copy = os.path.join(profile, "gcm-team.db")
    subprocess.run([TFUND, "--db", DB, "backup", copy], check=True,
                   stdout=subprocess.DEVNULL)
    server = subprocess.Popen([TFUND, "--db", copy, "serve", "--listen",
                               "127.0.0.1:0"], stdout=subprocess.PIPE,
                              text=True)
    d = None
    try:
        m = re.search(r"(http://127\.0\.0\.1:\d+)/", server.stdout.readline())
        if not m:
            print("screenshots: the server did not start", file=sys.stderr)
            return 1
        base = m.group(1)
        d = browser(profile)
        log_in(d, base, "programme", pw["programme"])
        d.get(base + "/")
        shoot(d, os.path.join(IMG, "dashboard.png"))
        log_out(d)
        # A late pledge paid before the conference: the recording officer
        # enters it through the forms, and the programme officer proposes
        # a run of the conference's waitlist spending everything available
        # (budget "all"), as the certifying officer then finds it.
        log_in(d, base, "recorder", pw["recorder"])
        late_pledge(d, base)
        log_out(d)
        log_in(d, base, "programme", pw["programme"])
        d.get(base + "/sessions/conf")
        d.find_element("css selector", "#f-date").send_keys("12032018")
        from selenium.webdriver.support.ui import Select
        Select(d.find_element("css selector", "#f-budget")).select_by_value(
            "all")
        click_and_wait(d, "form.entry button[type=submit]:not([name])")
        if "/runs/" not in d.current_url:
            print("screenshots: the run was not proposed: %s" %
                  d.find_element("css selector", "main").text[:300],
                  file=sys.stderr)
            return 1
        run = d.current_url.rsplit("/", 1)[1]
        log_out(d)
        log_in(d, base, "certifying", pw["certifying"])
        click_and_wait(d, "ul.awaiting a[href='/runs/%s']" % run)
        shoot(d, os.path.join(IMG, "approval.png"))
    finally:
        if d is not None:
            d.quit()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(profile, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
