"""The widget on a phone screen (375×812) and with the connection to Rasa cut and restored
mid-conversation; the community rasa-webchat widget against the same socket.io channel."""
from __future__ import annotations

import json
import os
import sqlite3

from playwright.sync_api import expect

from devstack import REPO

MOBILE = {"width": 375, "height": 812}
SCREENSHOT = REPO / "docs" / "web-chat-mobile.png"


def connected(page):
    expect(page.get_by_role("status")).to_have_text("Połączono", timeout=15_000)


def type_message(page, text: str):
    page.get_by_label("Twoja wiadomość").fill(text)
    page.keyboard.press("Enter")


def user_turns(stack, conversation: str) -> int:
    with sqlite3.connect(stack.workdir / "rasa-tracker.sqlite3") as db:
        return db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ? AND type_name = 'user'",
                          (conversation,)).fetchone()[0]


def uncovered(page, selector: str) -> bool:
    """Whether the element's centre is what a finger on that spot would touch."""
    return page.evaluate("""(selector) => {
        const element = document.querySelector(selector);
        const box = element.getBoundingClientRect();
        const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
        return hit !== null && (hit === element || element.contains(hit));
    }""", selector)


def test_on_a_phone_the_article_stays_readable_and_the_chat_can_be_minimised(help_page, browser, tmp_path):
    page = browser.new_page(viewport=MOBILE)
    page.goto(help_page)
    connected(page)
    chat = page.locator("#chat").bounding_box()
    assert chat["height"] <= MOBILE["height"] * 0.6 and chat["x"] >= 0 and chat["x"] + chat["width"] <= MOBILE["width"]
    assert uncovered(page, ".article h1"), "the article's start is visible above the chat"
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    assert uncovered(page, ".article p:last-of-type"), "the article scrolls clear of the chat"
    shot = SCREENSHOT if os.environ.get("UPDATE_SCREENSHOT") == "1" else tmp_path / "mobile.png"
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(shot))

    minimise = page.get_by_role("button", name="Zwiń czat")
    expect(minimise).to_have_attribute("aria-expanded", "true")
    minimise.click()
    expect(page.locator("#chat")).to_be_hidden()
    launcher = page.get_by_role("button", name="Czat z asystentem")
    expect(launcher).to_be_visible()
    expect(launcher).to_be_focused()
    assert uncovered(page, ".article p")
    page.keyboard.press("Enter")  # keyboard only: open, type, close with Escape
    expect(page.locator("#chat")).to_be_visible()
    expect(page.get_by_label("Twoja wiadomość")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#chat")).to_be_hidden()
    page.reload()
    expect(page.get_by_role("button", name="Czat z asystentem")).to_be_visible()
    expect(page.locator("#chat-log")).to_have_attribute("aria-live", "polite")  # new replies are read out
    page.close()


def test_messages_typed_while_offline_wait_visibly_and_go_after_rejoining(help_page, browser, rasa_link, stack):
    page = browser.new_page(viewport=MOBILE)
    page.goto(help_page)
    connected(page)
    bot = page.locator(".msg.bot")
    expect(bot).to_have_count(1, timeout=15_000)  # the greeting
    type_message(page, "dzień dobry")
    expect(bot).not_to_have_count(1, timeout=15_000)
    page.wait_for_timeout(1500)  # the whole answer
    answered = bot.count()

    rasa_link.cut()
    expect(page.get_by_role("status")).to_have_text("Brak połączenia — ponawiam…", timeout=30_000)
    type_message(page, "w jakich godzinach pracujecie?")
    pending = page.locator(".msg.user.pending")
    expect(pending).to_have_count(1)
    expect(pending).to_contain_text("nie wysłano")
    page.wait_for_timeout(1500)
    assert bot.count() == answered

    rasa_link.restore()
    connected(page)
    expect(pending).to_have_count(0, timeout=20_000)
    expect(bot).not_to_have_count(answered, timeout=20_000)  # the answer reached this page
    token = json.loads(page.evaluate("sessionStorage.getItem('kylos-chat')"))["token"]
    # the greeting's, "dzień dobry" and the message sent once, after the session was re-joined
    assert user_turns(stack, "sio:" + token.split(".")[0]) == 3
    page.close()


def test_the_community_rasa_webchat_widget_shows_masked_addresses_as_they_are(help_page, browser, stack):
    """rasa-webchat renders Markdown: the channel escapes it, so `ma***@n***.pl` is not turned into bold."""
    page = browser.new_page()
    page.goto(help_page + "webchat.html")
    field = page.locator(".rw-new-message")
    expect(field).to_be_visible(timeout=15_000)

    def say(text: str):
        """Types a message and waits for the whole answer (no new reply for 1.5 s)."""
        before = page.locator(".rw-response").count()
        field.fill(text)
        field.press("Enter")
        expect(page.locator(".rw-response")).not_to_have_count(before, timeout=15_000)
        count = -1
        while count != page.locator(".rw-response").count():
            count = page.locator(".rw-response").count()
            page.wait_for_timeout(1500)

    say("nie działa mi skrzynka mailowa, domena wygasła")
    say("533 980 101")
    say(stack.latest_code("+48533980101"))
    say("maria.webchat@nowy-adres.pl")
    expect(page.locator(".rw-response").filter(has_text="ma***@n***.pl")).to_be_visible(timeout=15_000)
    texts = page.locator(".rw-response").all_inner_texts()
    assert not any("\\" in text for text in texts), "no escape character shows"
    assert stack.emails("maria.webchat@nowy-adres.pl")

    # A reload re-joins with the stored token and is confirmed with a fresh one (issue 17, finding 9):
    # rasa-webchat keeps its history and its conversation.
    def session_id() -> str:
        return json.loads(page.evaluate("sessionStorage.getItem('chat_session')"))["session_id"]

    before = session_id()
    page.reload()
    expect(page.locator(".rw-response").filter(has_text="ma***@n***.pl")).to_be_visible(timeout=15_000)
    say("dziękuję")
    after = session_id()
    assert after != before and after.split(".")[0] == before.split(".")[0]
    page.close()


# Laptop and desktop screens; 1366×768 is the most common laptop's.
SCREENS = [{"width": 1366, "height": 768}, {"width": 1280, "height": 720}, {"width": 1024, "height": 768},
           {"width": 1920, "height": 1080}, {"width": 900, "height": 700}]


def test_on_a_laptop_the_open_chat_covers_no_line_of_the_article(help_page, browser):
    """Issue 19 #8: at 1366×768 the open chat covered the ends of the article's lines."""
    page = browser.new_page(viewport=SCREENS[0])
    page.goto(help_page)
    connected(page)
    for screen in SCREENS:
        page.set_viewport_size(screen)
        chat = page.locator("#chat").bounding_box()
        assert chat["width"] >= 300 and chat["height"] >= 400, f"the chat stays a usable window at {screen}"
        # Every line box of the article's text, as laid out.
        lines = page.evaluate("""() => {
            const range = document.createRange();
            range.selectNodeContents(document.querySelector(".article"));
            return Array.from(range.getClientRects(), r => ({left: r.left, right: r.right, top: r.top, bottom: r.bottom}))
                .filter(r => r.right > r.left && r.bottom > r.top);
        }""")
        assert len(lines) >= 4
        covered = [line for line in lines if line["right"] > chat["x"] and line["left"] < chat["x"] + chat["width"]
                   and line["bottom"] > chat["y"] and line["top"] < chat["y"] + chat["height"]]
        assert covered == [], f"lines under the chat at {screen}"
        assert min(line["left"] for line in lines) >= 0
        # Not a column squeezed to nothing either.
        assert max(line["right"] for line in lines) - min(line["left"] for line in lines) >= min(400, screen["width"] / 3)
    page.close()


def test_the_open_chat_greets_and_offers_the_problems_at_once(help_page, browser, stack):
    """Issue 19 #8: the chat opened empty. Without a word typed, the assistant greets and offers
    the problems as buttons; a click goes on; a reload does not greet a second time."""
    page = browser.new_page()
    page.goto(help_page)
    connected(page)
    choice = page.get_by_role("group", name="Odpowiedzi do wyboru")
    expect(choice).to_be_visible(timeout=15_000)
    expect(page.locator(".msg.bot")).to_have_count(1)
    assert page.locator(".msg.user").count() == 0, "the greeting's request is not shown as the customer's"
    assert choice.get_by_role("button").count() >= 3
    page.get_by_role("button", name="Skrzynka e-mail z konta nie działa").click()
    expect(page.locator(".msg.bot").filter(has_text="numer telefonu zapisany w Panelu Klienta").last).to_be_visible(
        timeout=15_000)
    page.wait_for_timeout(1500)  # the whole answer
    said = page.locator(".msg.bot").count()
    page.reload()
    connected(page)
    page.wait_for_timeout(1500)
    expect(page.locator(".msg.bot")).to_have_count(said)
    token = json.loads(page.evaluate("sessionStorage.getItem('kylos-chat')"))["token"]
    assert user_turns(stack, "sio:" + token.split(".")[0]) == 2  # the greeting's turn and the click
    page.close()
