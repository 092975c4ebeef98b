# ruff: noqa: F811 - pytest fixtures imported from test_widget_flow are parameters here
"""The widget in real hands (issue 18): focus that follows the child, a phone-first layout, one clean
announcement per reply, audio for every word on the screen, and no untrue instructions.

Real headless Chromium against Heard's web app and a FAKE Rasa (see test_widget_flow.py, whose fixtures
this module uses): a scripted wishes flow built from the catalogue's own lines. No trained model needed.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from aiohttp import web

from bot.dialogue.messages import catalogue
from tests.e2e.test_widget_flow import (  # noqa: F401 - fixtures
    SHOTS,
    _bot,
    active,
    assert_accessible,
    browser,
    page_factory,
    stack as flow_stack,
    wait_for_bot,
)

# The web app and the fake Rasa need a database to start; only the tests asking for session or make_child
# (signing in) use it, and only those run again on PostgreSQL (tests/conftest.py).
pytestmark = pytest.mark.database_only_scaffolding

EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F]")

# The wishes flow, step by step: (what the fake Rasa answers, how the child answers: ("press", title) or
# ("type", words)).
WISHES = [
    ("/share_wishes", [("start_wishes", {}), ("ask_w_review_date", {})]),
    ("date", [("ask_w_going_well", {})]),
    ("going_well", [("ask_w_not_going_well", {})]),
    ("not_going_well", [("ask_w_change", {})]),
    ("change", [("ask_w_who_at_meeting", {})]),
    ("who", [("ask_w_attend", {})]),
    ("attend", [("ask_w_share_with", {})]),
    ("share", [("ask_w_confirm", {"summary": "• Going well: school\n• Not going well: nothing"})]),
    ("confirm", [("wishes_sent", {"who": "Your social worker and your IRO"})]),
]
ANSWERS = [
    ("press", "I don't know"),
    ("type", "My school and my friends at football are going well for me"),
    ("press", "Skip this one"),
    ("type", "I want to see my brother every weekend please"),
    ("press", "Skip this one"),
    ("press", "I'll go and talk myself"),
    ("press", "Social worker and IRO"),
    ("press", "Send it"),
]


@pytest.fixture
def stack(flow_stack, monkeypatch):  # noqa: F811
    """The shared stack, with a scripted wishes flow and the two audio routes the widget asks."""
    rasa = flow_stack.rasa
    plain_script = rasa.script
    step: dict[str, int] = {}
    rasa.typed: list[str] = []

    def script(sender: str, text: str) -> list[dict[str, Any]]:
        if text == "/share_wishes":
            step[sender] = 1
            return [_bot(n, **v) for n, v in WISHES[0][1]]
        if sender in step and step[sender] < len(WISHES):
            replies = WISHES[step[sender]][1]
            step[sender] += 1
            return [_bot(n, **v) for n, v in replies]
        return plain_script(sender, text)

    rasa.script = script
    return flow_stack


@pytest.fixture(autouse=True)
def audio_routes(monkeypatch):
    """POST /audio speaks catalogue lines only; POST /audio/mine the child's own words (both faked here:
    the real routes are tested in tests/integration/test_audio_web.py)."""
    from bot.web import app as web_app

    said: dict[str, list[str]] = {"catalogue": [], "mine": []}
    lines = {str(e.get(k)) for e in catalogue().values() for k in ("text", "simple") if e.get(k)}

    async def post_audio(request: web.Request) -> web.Response:
        text = (await request.json())["text"]
        if text not in lines:
            raise web.HTTPForbidden()
        said["catalogue"].append(text)
        return web.json_response({"url": f"/test-audio/c{len(said['catalogue'])}.wav"})

    async def post_mine(request: web.Request) -> web.Response:
        said["mine"].append((await request.json())["text"])
        return web.json_response({"url": f"/test-audio/m{len(said['mine'])}.wav"},
                                 headers={"Cache-Control": "no-store"})

    create = web_app.create_app

    def create_app(*args: Any, **kwargs: Any) -> web.Application:
        app = create(*args, **kwargs)
        app.router.add_post("/audio", post_audio)
        app.router.add_post("/audio/mine", post_mine)
        return app

    monkeypatch.setattr(web_app, "create_app", create_app)
    return said


def settle(page) -> None:
    """Let the announcement, then the focus move (150 ms later) and any scrolling finish."""
    page.wait_for_timeout(450)


def focus_box(page) -> dict[str, float]:
    return page.evaluate("""() => { const r = document.activeElement.getBoundingClientRect();
        const log = document.getElementById('heard-log').getBoundingClientRect();
        const inLog = document.getElementById('heard-log').contains(document.activeElement);
        return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, w: innerWidth, h: innerHeight,
                logTop: inLog ? log.top : 0, logBottom: inLog ? log.bottom : innerHeight,
                id: document.activeElement.id, cls: document.activeElement.className}; }""")


def assert_focus_in_view(page, when: str) -> None:
    b = focus_box(page)
    area = min(b["logBottom"], b["h"]) - max(b["logTop"], 0)
    if b["bottom"] - b["top"] > area:
        # A message taller than the whole conversation area cannot be shown whole: its start is shown.
        assert abs(b["top"] - max(b["logTop"], 0)) <= 2, f"{when}: a tall message is not shown from its start: {b}"
        assert b["left"] >= -0.5 and b["right"] <= b["w"] + 0.5, f"{when}: cut off at the side: {b}"
        return
    assert b["top"] >= -0.5 and b["left"] >= -0.5, f"{when}: focused element cut off at the top/left: {b}"
    assert b["bottom"] <= b["h"] + 0.5 and b["right"] <= b["w"] + 0.5, f"{when}: cut off by the screen: {b}"
    assert b["top"] >= b["logTop"] - 0.5 and b["bottom"] <= b["logBottom"] + 0.5, (
        f"{when}: cut off by the edge of the conversation: {b}"
    )


def bigger_text(page, *more: str) -> None:
    """Turn settings on before the page loads (as a child who set them last time)."""
    keys = {"size": "heard.textSize", "contrast": "heard.contrast", "audio": "heard.readAloud",
            "symbols": "heard.symbols"}
    sets = "".join(f"localStorage.setItem('{keys[k]}', '1');" for k in ("size", *more))
    page.add_init_script(sets)


def start_wishes(stack, page) -> None:
    page.goto(stack.url + "/")
    wait_for_bot(page, "What would you like to do?")
    page.get_by_role("button", name="Tell my review what I think").click()
    wait_for_bot(page, "When is your review meeting?")
    settle(page)


# ---------------------------------------------------------------- focus that follows the child


def test_a_typed_sentence_after_a_buttons_question_presses_nothing(stack, page_factory):
    page = page_factory()
    start_wishes(stack, page)
    page.get_by_role("button", name="I don't know").click()
    wait_for_bot(page, "What is going well for you?")
    settle(page)
    assert "heard-bot" in active(page)["cls"], "after a pressed button, focus is on the new message"
    before = len(stack.rasa.received)
    page.keyboard.type("My school and my friends at football are going well for me")
    page.keyboard.press("Enter")
    wait_for_bot(page, "What is not going well?")
    settle(page)
    sent = [m["message"] for m in stack.rasa.received[before:]]
    assert sent == ["My school and my friends at football are going well for me"], "one message, no button"
    assert active(page)["id"] == "heard-input", "after a typed answer, focus stays in the text box"
    assert page.get_by_role("button", name="Skip this one").first.is_disabled()


@pytest.mark.parametrize("size", [(320, 568), (375, 667), (1280, 720)], ids=["320x568", "375x667", "1280x720"])
def test_the_focused_element_is_always_fully_in_view_with_bigger_text(stack, page_factory, size):
    page = page_factory(width=size[0], height=size[1])
    bigger_text(page)
    start_wishes(stack, page)
    assert_focus_in_view(page, "first question")
    for number, (how, what) in enumerate(ANSWERS, start=1):
        if how == "press":
            choice = page.locator(".heard-choice:not([disabled])", has_text=what).first
            choice.focus()
            settle(page)
            assert_focus_in_view(page, f"choice {what!r} focused by the keyboard")
            page.keyboard.press("Enter")
        else:
            page.get_by_label("Write a message").focus()
            page.keyboard.type(what)
            page.keyboard.press("Enter")
        page.wait_for_function(f"() => document.querySelectorAll('.heard-you').length >= {number + 1}")
        page.locator(".heard-bot").last.wait_for()
        settle(page)
        expected = "heard-input" if how == "type" else None
        if expected:
            assert active(page)["id"] == expected
        else:
            assert "heard-bot" in active(page)["cls"], f"after pressing {what!r}, focus is on the new message"
        assert_focus_in_view(page, f"after answer {number} ({how} {what!r}) at {size}")
        # Tab to the first choice of the new message: it is scrolled fully into view too.
        if page.locator(".heard-choice:not([disabled])").count():
            page.locator(".heard-choice:not([disabled])").first.focus()
            settle(page)
            assert_focus_in_view(page, f"first new choice after answer {number} at {size}")
    wait_for_bot(page, "Your answers are sent")
    if size == (320, 568):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "widget-phone-320x568-bigger-text-sent.png"))


def test_the_conversation_has_most_of_a_small_phone_with_every_setting_on(stack, page_factory):
    page = page_factory(width=320, height=568)
    bigger_text(page, "contrast", "audio", "symbols")
    page.goto(stack.url + "/")
    wait_for_bot(page, "What would you like to do?")
    assert page.locator(".heard").get_attribute("class").split()[:3] == ["heard", "heard-large", "heard-contrast"]
    height = page.evaluate("document.getElementById('heard-log').getBoundingClientRect().height")
    assert height >= 568 / 2, f"the conversation is {height}px high at 320x568 with every setting on"
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert page.locator("#heard-tools").is_hidden(), "settings are behind one button"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "widget-phone-320x568-bigger-text.png"))
    assert_accessible(page, "320x568, every setting on")
    page.get_by_role("button", name="Settings").click()
    assert page.get_by_role("button", name="Settings").get_attribute("aria-expanded") == "true"
    assert page.get_by_role("button", name="Bigger text").get_attribute("aria-pressed") == "true"
    page.screenshot(path=str(SHOTS / "widget-phone-320x568-settings-open.png"))
    assert_accessible(page, "320x568, settings open")


def test_at_400_percent_zoom_nothing_sticky_covers_the_conversation(stack, page_factory):
    page = page_factory(width=320, height=180)  # 1280x720 at 400% zoom
    page.goto(stack.url + "/")
    wait_for_bot(page, "What would you like to do?")
    fixed = page.evaluate("""() => [...document.querySelectorAll('.heard *')].filter(e =>
        ['sticky', 'fixed'].includes(getComputedStyle(e).position)).map(e => e.className)""")
    assert fixed == []
    send = page.get_by_role("button", name="Send")
    send.scroll_into_view_if_needed()
    box = send.bounding_box()
    assert box and 0 <= box["y"] and box["y"] + box["height"] <= 180
    hit = page.evaluate("""() => { const b = document.getElementById('heard-send').getBoundingClientRect();
        return document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2).id; }""")
    assert hit == "heard-send", "nothing covers the Send button"


# ---------------------------------------------------------------- what a screen reader hears


def test_one_clean_announcement_per_reply_and_none_on_reload(stack, page_factory):
    page = page_factory()
    page.goto(stack.url + "/")
    wait_for_bot(page, "What would you like to do?")
    assert page.locator("#heard-log").get_attribute("aria-live") is None
    assert page.locator("#heard-log").get_attribute("role") != "log", "the log itself is not read out again"
    page.get_by_role("button", name="Tell my review what I think").click()
    wait_for_bot(page, "When is your review meeting?")
    settle(page)
    said = page.locator("#heard-announce").inner_text()
    start = catalogue()["start_wishes"]["text"].replace(" \U0001F642", "")
    assert said == start + " When is your review meeting? Write the date if you know it. 1 choice."
    assert page.locator("#heard-announce").get_attribute("aria-live") == "polite"
    assert "Tell my review" not in said and "You said" not in said, "no echo of the child's words"
    assert page.locator("#heard-status").inner_text() == "", "no 'Sending…' for a quick answer"
    stack.rasa.delay = 1.6
    page.get_by_role("button", name="I don't know").click()
    page.locator("#heard-status", has_text="Sending…").wait_for(timeout=1500)
    wait_for_bot(page, "What is going well for you?")
    stack.rasa.delay = 0.0
    settle(page)
    assert page.locator("#heard-announce").inner_text() == "What is going well for you? 1 choice."
    assert page.locator("#heard-status").inner_text() == ""
    page.reload()
    wait_for_bot(page, "What is going well for you?")
    settle(page)
    assert page.locator("#heard-announce").inner_text() == "", "a reload announces nothing again"


def test_accessibility_tree_of_a_message_with_choices(stack, page_factory):
    page = page_factory()
    start_wishes(stack, page)
    for what in ("I don't know", *["Skip this one"] * 4, "I'll go and talk myself", "Social worker and IRO"):
        page.locator(".heard-choice:not([disabled])", has_text=what).first.click()
        page.wait_for_timeout(300)
    wait_for_bot(page, "Here are your answers")
    settle(page)
    message = page.locator(".heard-bot").last
    tree = message.aria_snapshot()
    assert not EMOJI.search(tree), f"emoji names reach the screen reader:\n{tree}"
    assert 'group "Here are your answers.' in tree, f"choices are a group named by their question:\n{tree}"
    for name in ("Send it", "Change an answer", "Stop, don't send"):
        assert f'button "{name}"' in tree, tree
    assert message.get_by_role("button", name="Send it", exact=True).count() == 1
    group = message.get_by_role("group")
    assert group.get_attribute("aria-labelledby") and "Is it OK to send?" in page.locator(
        "#" + group.get_attribute("aria-labelledby")).inner_text()
    names = page.evaluate("""() => [...document.querySelectorAll('.heard-play')]
        .filter(b => !b.hidden).map(b => b.getAttribute('aria-label'))""")
    assert len(names) == len(set(names)) >= 8, f"Play names are not unique: {names}"
    assert all(n.startswith("Play") and len(n) > len("Play: ") for n in names), names
    assert "Play: Here are your answers." in " ".join(names), "a Play name says which message it plays"
    assert_accessible(page, "confirm with choices")


# ---------------------------------------------------------------- audio for every word on the screen


def test_error_lines_have_audio_and_say_only_what_is_true(stack, page_factory, audio_routes):
    page = page_factory()
    page.goto(stack.url + "/")
    wait_for_bot(page, "What would you like to do?")
    stack.rasa.down = True
    page.get_by_role("button", name="Tell my review what I think").click()
    status = page.locator("#heard-status")
    status.filter(has_text="try again").wait_for()
    assert "still in the box" not in status.inner_text(), "nothing was typed: the box is empty"
    assert status.inner_text() == catalogue()["chat_busy_pressed"]["text"]
    play = page.locator("#heard-status-play")
    play.wait_for()
    assert play.get_attribute("data-audio") and play.get_attribute("aria-label").startswith("Play this note")
    assert_accessible(page, "error after a pressed button")
    page.get_by_label("Write a message").fill("please help me with my review")
    page.get_by_role("button", name="Send").click()
    status.filter(has_text="still in the box").wait_for()
    assert page.get_by_label("Write a message").input_value() == "please help me with my review"
    assert page.locator("#heard-status-play").get_attribute("data-audio")
    stack.rasa.down = False


def test_sign_in_errors_and_status_lines_can_be_heard(stack, page_factory, audio_routes):
    page = page_factory()
    page.goto(stack.url + "/")
    wait_for_bot(page, "What would you like to do?")
    page.get_by_role("button", name="Settings").click()
    page.get_by_role("button", name="I have a code").click()
    page.get_by_label("Your code (8 letters and numbers)").fill("KKKK-KKKK")
    page.get_by_role("button", name="Sign in").click()
    page.locator("#heard-code-status", has_text="did not work").wait_for()
    page.locator("#heard-code-status-play[data-audio]").wait_for()
    assert page.locator("#heard-code-status-play").is_visible()
    assert_accessible(page, "sign-in error with audio")
    # A line the widget writes itself is a catalogue line the server speaks.
    page.evaluate("() => document.getElementById('heard-signin-cancel').click()")
    assert "Sending…" in audio_routes["catalogue"], "the widget's own status line was spoken"


def test_the_childs_own_words_can_be_played(stack, page_factory, audio_routes):
    page = page_factory()
    page.goto(stack.url + "/")
    wait_for_bot(page, "What would you like to do?")
    box = page.get_by_label("Write a message")
    assert page.locator("#heard-play-box").is_hidden(), "nothing in the box: nothing to play"
    box.fill("I miss my mum 💛")
    mine = page.get_by_role("button", name="Play what I wrote in the box")
    mine.click()
    page.wait_for_function("() => document.getElementById('heard-audio').src.includes('/test-audio/m1')")
    assert audio_routes["mine"] == ["I miss my mum 💛"]
    assert_accessible(page, "words in the box")
    page.get_by_role("button", name="Send").click()
    page.locator(".heard-you", has_text="I miss my mum").wait_for()
    bubble = page.locator(".heard-you").last.get_by_role("button", name=re.compile("^Play what I wrote: I miss"))
    bubble.click()
    page.wait_for_function("() => document.getElementById('heard-audio').src.includes('/test-audio/m2')")
    assert audio_routes["mine"][-1] == "I miss my mum 💛"


def test_tap_to_hear_when_the_browser_blocks_playing(stack, page_factory):
    page = page_factory()
    page.add_init_script("""window.__realPlay = HTMLMediaElement.prototype.play;
        HTMLMediaElement.prototype.play = function () {
            return Promise.reject(new DOMException('blocked', 'NotAllowedError')); };""")
    page.goto(stack.url + "/")
    wait_for_bot(page, "What would you like to do?")
    tap = page.get_by_role("button", name="Tap to hear")
    assert tap.count() == 0 or tap.is_hidden()
    page.locator(".heard-bot .heard-play").first.click()
    tap.wait_for()
    assert tap.is_visible(), "a blocked play() shows a visible Tap to hear"
    assert_accessible(page, "tap to hear")
    page.evaluate("""() => { HTMLMediaElement.prototype.play = window.__realPlay;
        window.__played = []; document.getElementById('heard-audio').addEventListener('play',
        e => window.__played.push(new URL(e.target.src).pathname)); }""")
    tap.click()
    page.wait_for_function("() => window.__played.length >= 1")
    assert page.evaluate("window.__played")[0].startswith("/test-audio/")
    assert tap.is_hidden()
