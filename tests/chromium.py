"""Where the browser tests find headless Chromium (Debian's chromium package, which .ci/run
installs) and how they start it; the `browser` fixture in conftest.py launches it once."""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]  # fmt: skip
NO_CHROMIUM = "headless Chromium not found at /usr/bin/chromium (apt-get install chromium)"
