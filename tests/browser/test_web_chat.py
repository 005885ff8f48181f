"""The help page in real headless Chromium (Debian's package, driven by
Playwright; fixtures in conftest.py) against the running assistant: a whole
recovery by clicking and typing, history after a reload, nothing a user types
is executed, phone width."""
from __future__ import annotations

import os

from playwright.sync_api import expect

from devstack import REPO

SCREENSHOT = REPO / "docs" / "web-chat-screenshot.png"


def bot_says(page, fragment: str):
    expect(page.locator(".msg.bot").filter(has_text=fragment).last).to_be_visible(timeout=15_000)


def type_message(page, text: str):
    page.get_by_label("Twoja wiadomość").fill(text)
    page.keyboard.press("Enter")


def test_whole_recovery_in_the_browser_and_history_after_reload(help_page, browser, stack, tmp_path):
    page = browser.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(help_page)
    expect(page.get_by_role("status")).to_have_text("Połączono", timeout=15_000)

    type_message(page, "dzień dobry")
    bot_says(page, "Co się stało?")
    page.get_by_role("button", name="Skrzynka e-mail z konta nie działa").click()
    bot_says(page, "numer telefonu zapisany w Panelu Klienta")
    type_message(page, "+48 691.777.888")  # dots: the redactor missed them once (issue 17, finding 3)
    bot_says(page, "*** *** 888")
    type_message(page, stack.latest_code("+48691777888"))
    bot_says(page, "numer potwierdzony")
    type_message(page, "pawel%nowy@nowy-adres.pl")
    bot_says(page, "pa***@n***.pl")
    link = page.locator(".msg.bot a[href^='https://panel.kylos.pl']").last
    expect(link).to_have_attribute("rel", "noopener noreferrer")

    shot = SCREENSHOT if os.environ.get("UPDATE_SCREENSHOT") == "1" else tmp_path / "web-chat.png"
    page.screenshot(path=str(shot))
    assert shot.exists() and shot.stat().st_size > 10_000

    page.reload()
    # The history survives a reload, without the address, phone or code in clear (issue 9 L14): the
    # server's redactor decided what is kept (issue 17, finding 3).
    expect(page.locator(".msg.user").filter(has_text="[e-mail]")).to_be_visible()
    expect(page.locator(".msg.user").filter(has_text="[numer]").first).to_be_visible()
    expect(page.locator(".msg.bot").filter(has_text="pa***@n***.pl")).to_be_visible()
    stored = page.evaluate("JSON.stringify(sessionStorage) + JSON.stringify(localStorage)")
    assert not [typed for typed in ("pawel", "nowy-adres", "691.777.888", "691777888") if typed in stored]
    assert "kylos-chat-log" not in page.evaluate("Object.keys(localStorage).join(',')")
    assert dialogs == []
    page.close()


def test_markup_from_the_user_is_shown_as_text_never_run(help_page, browser):
    page = browser.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(help_page)
    expect(page.get_by_role("status")).to_have_text("Połączono", timeout=15_000)
    attack = "<img src=x onerror=alert(1)><script>alert(2)</script>"
    type_message(page, attack)
    expect(page.locator(".msg.user").filter(has_text=attack)).to_be_visible()
    expect(page.locator(".msg.bot").last).to_be_visible(timeout=15_000)
    page.wait_for_timeout(500)
    assert dialogs == [] and page.locator(".chat-log img, .chat-log script").count() == 0
    page.close()


def test_usable_at_phone_width_and_by_keyboard(help_page, browser):
    page = browser.new_page(viewport={"width": 375, "height": 740})
    page.goto(help_page)
    expect(page.get_by_role("status")).to_have_text("Połączono", timeout=15_000)
    box = page.locator("#chat").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    page.get_by_label("Twoja wiadomość").focus()
    page.keyboard.type("co potrafisz?")
    page.keyboard.press("Enter")
    bot_says(page, "Pomagam odzyskać dostęp")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused, "buttons are reachable with the keyboard"
    page.close()
