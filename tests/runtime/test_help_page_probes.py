"""The help page's probes (web/server.py): alive whenever it answers, ready only when every
file it serves is there, and its address taken from WEB_HOST/WEB_PORT like the other parts."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from devstack import REPO, free_port


@pytest.fixture
def help_page(request):
    def start(*extra: str) -> str:
        port = free_port()
        env = {**os.environ, "WEB_HOST": "127.0.0.1", "WEB_PORT": str(port)}
        server = subprocess.Popen([sys.executable, str(REPO / "web" / "server.py"), *extra], env=env,
                                  stdout=subprocess.DEVNULL)
        request.addfinalizer(lambda: (server.terminate(), server.wait()))
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/healthz", timeout=1)
                return url
            except OSError:
                time.sleep(0.1)
        raise AssertionError("the help page did not start on WEB_PORT")
    return start


def status(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_ready_when_every_file_is_there(help_page):
    url = help_page()
    assert status(url + "/healthz")[0] == 200
    assert status(url + "/readyz") == (200, {"ready": True})


def test_not_ready_when_a_served_file_is_missing(help_page, tmp_path):
    url = help_page("--extra", f"/gone.js={tmp_path / 'gone.js'}")
    assert status(url + "/healthz")[0] == 200
    assert status(url + "/readyz") == (503, {"ready": False})


def test_the_page_names_an_icon_that_is_served_so_a_browser_gets_no_404(help_page):
    """Issue 19 #8: a healthy run showed a favicon 404 in the browser's console."""
    import re
    url = help_page()
    with urllib.request.urlopen(url + "/", timeout=5) as page:
        icon = re.search(r'<link rel="icon" href="([^"]+)"', page.read().decode())
    assert icon, "the page names no icon, so browsers ask /favicon.ico and get 404"
    with urllib.request.urlopen(url + icon.group(1), timeout=5) as answer:
        assert answer.status == 200 and answer.headers["Content-Type"].startswith("image/")
