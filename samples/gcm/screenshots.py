#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Draws the screenshots of README's "In a browser" section again, from
the real server: makes the sample team fund (samples/gcm/serve.sh
--no-serve), serves it on a free port of 127.0.0.1, logs in with
Debian's headless Chromium (python3-selenium, JavaScript off, as the
browser tests do) and saves each page as a PNG in docs/img/.

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
    server = subprocess.Popen([TFUND, "--db", DB, "serve", "--listen",
                               "127.0.0.1:0"], stdout=subprocess.PIPE,
                              text=True)
    profile = tempfile.mkdtemp(prefix="tfund-shots-")
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
    finally:
        if d is not None:
            d.quit()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(profile, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
