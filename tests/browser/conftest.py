"""The help page, served as `make run` serves it, with Rasa reached through a relay the
tests can cut; Debian's Chromium driven by Playwright; the community rasa-webchat
bundle from npm (`npm pack`, served from this machine, no CDN)."""
from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import tarfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from devstack import REPO
from tests.browser.tcp_proxy import CuttableProxy

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
RASA_WEBCHAT = "rasa-webchat@1.0.1"
PAGES = Path(__file__).resolve().parent / "pages"


@pytest.fixture(scope="session")
def rasa_link(stack):
    proxy = CuttableProxy(stack.rasa_port)
    yield proxy
    proxy.stop()


@pytest.fixture(scope="session")
def rasa_webchat_bundle() -> Path:
    cache = REPO / "web" / "node_modules" / ".test-cache" / RASA_WEBCHAT
    bundle = cache / "package" / "lib" / "index.js"
    if not bundle.exists():
        cache.mkdir(parents=True, exist_ok=True)
        packed = subprocess.run(["npm", "pack", RASA_WEBCHAT, "--silent"], cwd=cache, check=True,
                                capture_output=True, text=True).stdout.strip().splitlines()[-1]
        with tarfile.open(cache / packed) as archive:
            archive.extract("package/lib/index.js", cache)
    return bundle


@pytest.fixture(scope="session")
def help_page(stack, rasa_link, rasa_webchat_bundle):
    if not (REPO / "web" / "node_modules" / "socket.io-client").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=REPO / "web", check=True)
    extras = ["--extra", f"/webchat.html={PAGES / 'webchat.html'}", "--extra", f"/webchat.js={PAGES / 'webchat.js'}",
              "--extra", f"/vendor/rasa-webchat.js={rasa_webchat_bundle}"]
    with help_page_server(stack.web_port, rasa_link.url, *extras) as url:
        yield url


@contextlib.contextmanager
def help_page_server(web_port: int, rasa_url: str, *extra: str) -> Iterator[str]:
    """The help page as `make run` serves it (web/server.py) on `web_port` — the one origin Rasa
    accepts browser calls from —, reaching Rasa at `rasa_url`: its address, once it answers."""
    server = subprocess.Popen([sys.executable, str(REPO / "web" / "server.py"), "--port", str(web_port),
                               "--rasa-url", rasa_url, *extra], stdout=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{web_port}/"
        for _ in range(100):
            try:
                urllib.request.urlopen(url, timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait()


@pytest.fixture(scope="module")  # per module: Playwright's sync API holds an event loop while it runs
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield chromium
        chromium.close()
