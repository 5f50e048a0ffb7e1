# Debian's Chromium for the browser tests of the scenario explorer (test/browser.test.ts, run by npm test).
# playwright-core drives it at /usr/bin/chromium; no browser is downloaded.
apt_install chromium
chromium --version || true
