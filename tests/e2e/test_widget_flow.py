"""End-to-end tests of the chat widget in real headless Chromium (Debian's /usr/bin/chromium).

`bot.web.app` runs on loopback against a FAKE Rasa REST endpoint (scripted replies shaped exactly like Rasa's
REST channel output), so no trained model is needed. Each state is scanned with axe-core (zero violations
allowed) and screenshots go to docs/screenshots/widget-*.png.

Needs: `apt-get install chromium` (requirements/apt.txt), `playwright` (PyPI, no `playwright install`), and
axe-core from `npm ci --prefix tests/e2e`. Skips with a clear reason when one of them is missing.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
import shutil
import socket
import subprocess
import sys
import threading
import types
import wave
from pathlib import Path
from typing import Any, Iterator

import pytest
from aiohttp import web

from bot.dialogue.messages import render

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]
HERE = Path(__file__).resolve().parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = HERE.parent.parent / "docs" / "screenshots"
EXIT_URL = "https://www.bbc.co.uk/weather"
# The web app and the fake Rasa need a database to start; only the tests asking for session or make_child
# (signing in) use it, and only those run again on PostgreSQL (tests/conftest.py).
pytestmark = pytest.mark.database_only_scaffolding

playwright_sync = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
    pytest.skip(
        "Chromium is not installed at /usr/bin/chromium (apt-get install chromium)", allow_module_level=True
    )
if not AXE.exists() and shutil.which("npm"):
    # axe-core is a test tool pinned in tests/e2e/package-lock.json; it is never served to children.
    subprocess.run(["npm", "ci", "--prefix", str(HERE), "--no-audit", "--no-fund"],  # noqa: S603
                   capture_output=True, timeout=180, check=False)
if not AXE.exists():
    pytest.skip("axe-core is not installed (run: npm ci --prefix tests/e2e)", allow_module_level=True)


# ---------------------------------------------------------------- fake Rasa + Heard's web app on loopback


def _silent_wav() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x00" * 800)  # 0.1 s
    return buffer.getvalue()


def _bot(name: str, **values: Any) -> dict[str, Any]:
    message = render(name, **values)
    out: dict[str, Any] = {"text": message["text"]}
    if message["buttons"]:
        out["buttons"] = [{"title": b["title"], "payload": b["payload"]} for b in message["buttons"]]
    return out


class FakeRasa:
    """Rasa's REST webhook with a scripted advocate request, replying like Rasa's REST channel."""

    def __init__(self) -> None:
        self.down = False
        self.received: list[dict[str, Any]] = []
        self.state: dict[str, str] = {}
        self.delay = 0.0  # seconds before each answer (a slow network)

    def _name(self, sender: str) -> str:
        from bot.db.engine import session_scope
        from bot.services.children import child_for_conversation

        try:
            with session_scope() as s:
                child = child_for_conversation(s, sender)
                return f" {child.chosen_name}" if child is not None else ""
        except Exception:  # no database in this test
            return ""

    def script(self, sender: str, text: str) -> list[dict[str, Any]]:
        step = self.state.get(sender)
        if text == "/greet":
            self.state[sender] = "menu"
            return [_bot("greet", child_greeting=self._name(sender)), _bot("menu")]
        if text == "/request_advocate":
            self.state[sender] = "reason"
            return [_bot("start_advocate"), _bot("ask_adv_reason")]
        if step == "reason" and text.startswith("/inform"):
            self.state[sender] = "words"
            return [_bot("ask_adv_words")]
        if step == "words":
            self.state[sender] = "tell_sw"
            return [_bot("ask_adv_tell_sw")]
        if step == "tell_sw" and text.startswith("/inform"):
            self.state[sender] = "done"
            return [_bot("referral_sent", due_date="Friday"), _bot("what_next")]
        return [_bot("default")]

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append(body)
        if self.down:
            return web.Response(status=500, text="down")
        sender = body["sender"]
        if self.delay:
            await asyncio.sleep(self.delay)
        replies = await asyncio.to_thread(self.script, sender, body["message"])
        return web.json_response([{"recipient_id": sender, **r} for r in replies])


COUNCIL_PAGE = """<!doctype html><html lang="en-GB"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Example Council - Children in care</title>
</head><body><main><h1>Children in care</h1><p>Want to say what you think? Use the chat.</p></main>
<script src="{heard}/widget.js" data-heard-url="{heard}" defer></script></body></html>"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stack:
    """The fake Rasa, a fake council page and Heard's web app, served from one background event loop."""

    def __init__(self) -> None:
        self.rasa = FakeRasa()
        self.loop = asyncio.new_event_loop()
        self.runners: list[web.AppRunner] = []
        self.rasa_port, self.web_port, self.council_port = _free_port(), _free_port(), _free_port()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def council_url(self) -> str:
        return f"http://localhost:{self.council_port}/council.html"

    async def _serve(self, app: web.Application, port: int) -> None:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        self.runners.append(runner)

    async def _start(self) -> None:
        from bot.web import app as web_app

        rasa_app = web.Application()
        rasa_app.router.add_post("/webhooks/rest/webhook", self.rasa.webhook)
        await self._serve(rasa_app, self.rasa_port)

        council = web.Application()

        async def council_page(_r: web.Request) -> web.Response:
            return web.Response(text=COUNCIL_PAGE.replace("{heard}", self.url), content_type="text/html")

        council.router.add_get("/council.html", council_page)
        await self._serve(council, self.council_port)

        app = web_app.create_app(with_notifier=False)
        wav = _silent_wav()

        async def audio(_r: web.Request) -> web.Response:
            return web.Response(body=wav, content_type="audio/wav")

        app.router.add_get("/test-audio/{n}.wav", audio)
        await self._serve(app, self.web_port)

    def start(self) -> None:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(30)

    def stop(self) -> None:
        async def _stop() -> None:
            for runner in self.runners:
                await runner.cleanup()

        asyncio.run_coroutine_threadsafe(_stop(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture
def stack(db_url, engine, monkeypatch) -> Iterator[Stack]:
    """Heard's web app (only the chat and audio parts) against a fake Rasa, with a fake audio module."""
    from bot.web import app as web_app

    counter = {"n": 0}

    def audio_url_for(text: str) -> str:
        counter["n"] += 1
        return f"/test-audio/{counter['n']}.wav"

    fake_audio = types.ModuleType("bot.web.audio")
    fake_audio.audio_url_for = audio_url_for
    fake_audio.setup = lambda app: None
    monkeypatch.setitem(sys.modules, "bot.web.audio", fake_audio)
    monkeypatch.setattr(web_app, "PARTS", ("bot.web.chat", "bot.web.audio"))
    s = Stack()
    monkeypatch.setenv("HEARD_RASA_URL", f"http://127.0.0.1:{s.rasa_port}")
    monkeypatch.setenv("HEARD_WIDGET_ORIGINS", f"http://localhost:{s.council_port}")
    s.start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_sync.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page_factory(browser):
    contexts = []

    def make(width: int = 390, height: int = 780, reduced_motion: str = "no-preference"):
        context = browser.new_context(
            viewport={"width": width, "height": height},
            reduced_motion=reduced_motion,
            service_workers="block",
        )
        # Never reach the internet: the quick-exit page is answered locally.
        context.route(
            re.compile(r"^https?://(?!127\.0\.0\.1|localhost).*"),
            lambda route: route.fulfill(
                status=200,
                content_type="text/html",
                body="<html><title>Weather</title><h1>Weather</h1></html>",
            ),
        )
        contexts.append(context)
        page = context.new_page()
        page.csp_errors = []
        page.on(
            "console",
            lambda m: page.csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
        )
        return page

    yield make
    for c in contexts:
        c.close()


# ---------------------------------------------------------------- helpers


def axe_violations(page) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.0/2.1/2.2 A and AA rules) on the page; its violations."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))  # evaluated by DevTools: not blocked by Heard's CSP
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                           nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
        }"""
    )
    return result


def assert_accessible(page, state: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"axe violations in state {state!r}:\n" + json.dumps(violations, indent=1)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(600)  # let smooth scrolling finish
    page.screenshot(path=str(SHOTS / f"widget-{name}.png"), full_page=True)


def bot_texts(page) -> list[str]:
    return page.locator(".heard-bot .heard-text").all_inner_texts()


def wait_for_bot(page, words: str) -> None:
    page.locator(".heard-bot .heard-text", has_text=words).last.wait_for(timeout=30000)  # a cold start is slow


def active(page) -> dict[str, Any]:
    return page.evaluate("""() => { const e = document.activeElement; const cs = getComputedStyle(e);
        return {id: e.id, text: (e.textContent || '').trim(), tag: e.tagName, cls: e.className,
                outline: cs.outlineStyle, outlineWidth: cs.outlineWidth, shadow: cs.boxShadow}; }""")


def wait_for_focus_on_message(page) -> None:
    """After a pressed button, focus moves to the new message just after it is announced."""
    page.wait_for_function("() => document.activeElement.classList.contains('heard-bot')", timeout=5000)


def open_settings(page) -> None:
    settings = page.get_by_role("button", name="Settings")
    if settings.get_attribute("aria-expanded") != "true":
        settings.click()


def tab_to(page, text: str, limit: int = 40, back: bool = False) -> None:
    """Press Tab (or Shift+Tab, `back`) until the focused control's text is `text` (keyboard only)."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        if active(page)["text"] == text:
            return
    raise AssertionError(f"could not reach {text!r} with Tab")


# ---------------------------------------------------------------- tests


def test_button_flow_with_live_region_and_disabled_old_choices(stack, page_factory):
    page = page_factory()
    page.goto(stack.url + "/")
    wait_for_bot(page, "What would you like to do?")
    # Replies are announced once by a polite live region (the words, then the choices), not by the log.
    assert page.locator("#heard-announce").get_attribute("aria-live") == "polite"
    assert page.locator("#heard-log").get_attribute("aria-live") is None
    assert page.title() == "Heard"
    assert_accessible(page, "greeting")
    shot(page, "greeting")

    page.get_by_role("button", name="Get someone on my side").click()
    wait_for_bot(page, "What do you want help with?")
    assert page.get_by_role("button", name="Get someone on my side").is_disabled()
    assert page.locator(".heard-you .heard-text").last.inner_text().endswith("Get someone on my side")
    assert stack.rasa.received[-1]["message"] == "/request_advocate"

    page.get_by_role("button", name="My review meeting").click()
    wait_for_bot(page, "Tell me a bit more")
    page.get_by_label("Write a message").fill("I want to see my brother more")
    page.get_by_role("button", name="Send").click()
    wait_for_bot(page, "Can we tell your social worker")
    assert page.get_by_label("Write a message").input_value() == ""
    assert_accessible(page, "question with choices")
    shot(page, "question")
    page.get_by_role("button", name="Yes, that's OK").click()
    wait_for_bot(page, "Your request is sent")
    enabled = page.locator(".heard-choice:not([disabled])").count()
    assert enabled == 0, "every earlier choice is disabled once answered"
    assert stack.rasa.received[-1]["message"] == '/inform{"choice":"yes"}'
    # Nothing of the conversation in the title or the URL.
    assert page.title() == "Heard" and page.url == stack.url + "/"
    assert page.csp_errors == []


def test_whole_flow_by_keyboard_alone_with_visible_focus(stack, page_factory):
    page = page_factory()
    page.goto(stack.url + "/")
    wait_for_bot(page, "What would you like to do?")
    page.keyboard.press("Tab")
    first = active(page)
    assert first["id"] == "heard-leave", "Leave quickly is the first thing Tab reaches"
    assert first["outline"] != "none" and first["outlineWidth"] != "0px", "focus is visible"
    tab_to(page, "Get someone on my side")
    focus = active(page)
    assert focus["outline"] == "solid" and focus["shadow"] != "none"
    page.keyboard.press("Enter")
    wait_for_bot(page, "What do you want help with?")
    # After a pressed button, focus goes to the new message, never straight onto a choice.
    wait_for_focus_on_message(page)
    assert "heard-bot" in active(page)["cls"], "focus moves to the new message"
    tab_to(page, "My review meeting")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # "A child protection meeting"
    wait_for_bot(page, "Tell me a bit more")
    assert stack.rasa.received[-1]["message"] == '/inform{"choice":"cp_conference"}'
    wait_for_focus_on_message(page)
    assert "heard-bot" in active(page)["cls"]
    tab_to(page, "I will tell the advocate")
    page.keyboard.press("Tab")
    assert active(page)["id"] == "heard-input"
    page.keyboard.type("Nobody asks me")
    page.keyboard.press("Enter")
    wait_for_bot(page, "Can we tell your social worker")
    # After a typed answer, focus stays in the text box.
    assert active(page)["id"] == "heard-input"
    tab_to(page, "No, please don't", back=True)
    page.keyboard.press("Space")
    wait_for_bot(page, "Your request is sent")
    assert stack.rasa.received[-1]["message"] == '/inform{"choice":"no"}'
    assert_accessible(page, "finished by keyboard")


def test_typing_after_a_pressed_button_never_presses_a_choice(stack, page_factory):
    """A child presses a button, then just starts typing: the words go to the box, no choice is pressed."""
    page = page_factory()
    page.goto(stack.url + "/")
    wait_for_bot(page, "What would you like to do?")
    page.get_by_role("button", name="Get someone on my side").click()
    wait_for_bot(page, "What do you want help with?")
    page.get_by_role("button", name="My review meeting").press("Enter")
    wait_for_bot(page, "Tell me a bit more")
    before = len(stack.rasa.received)
    page.keyboard.type("My carer shouts at me and I do not like it")
    assert active(page)["id"] == "heard-input", "typing goes into the text box"
    page.keyboard.press("Enter")
    wait_for_bot(page, "Can we tell your social worker")
    sent = [m["message"] for m in stack.rasa.received[before:]]
    assert sent == ["My carer shouts at me and I do not like it"], "one message, the child's words, no button"
    assert page.get_by_role("button", name="I will tell the advocate").is_disabled()
    said = page.locator(".heard-you .heard-text").last.inner_text()
    assert said.endswith("My carer shouts at me and I do not like it")


def test_typing_on_while_the_reply_comes_keeps_focus_and_words_in_the_box(stack, page_factory):
    """After a typed answer focus stays in the text box: a child who keeps typing never presses a choice,
    and what they typed while waiting stays in the box."""
    page = page_factory()
    page.goto(stack.url + "/")
    wait_for_bot(page, "What would you like to do?")
    page.get_by_role("button", name="Get someone on my side").click()
    wait_for_bot(page, "What do you want help with?")
    page.get_by_role("button", name="My review meeting").click()
    wait_for_bot(page, "Tell me a bit more")
    box = page.get_by_label("Write a message")
    box.click()
    stack.rasa.delay = 0.8
    page.keyboard.type("I want to see my brother more")
    page.keyboard.press("Enter")
    page.keyboard.type(" and my nan too", delay=60)  # typed while the reply is on its way and after it
    wait_for_bot(page, "Can we tell your social worker")
    page.keyboard.type(" yes", delay=30)  # spaces and letters after the reply: still the text box
    stack.rasa.delay = 0.0
    assert active(page)["id"] == "heard-input"
    assert box.input_value() == "and my nan too yes"
    assert [m["message"] for m in stack.rasa.received][-1] == "I want to see my brother more"
    assert page.locator(".heard-choice:not([disabled])").count() == 3, "no choice was pressed"


def test_quick_exit_button_clears_everything_and_back_does_not_return(stack, page_factory):
    page = page_factory()
    page.goto("about:blank")
    page.goto(stack.url + "/")
    wait_for_bot(page, "What would you like to do?")
    page.get_by_role("button", name="Get someone on my side").click()
    wait_for_bot(page, "What do you want help with?")
    assert page.evaluate("sessionStorage.getItem('heard.log')") is not None
    length = page.evaluate("history.length")
    page.get_by_role("button", name="Leave quickly").click()
    page.wait_for_url(EXIT_URL)
    assert page.evaluate("history.length") == length, "replace, not a new history entry"
    page.go_back()
    assert not page.url.startswith(stack.url), "Back does not return to the chat"
    before = stack.rasa.received[-1]["sender"]
    page.goto(stack.url + "/")
    wait_for_bot(page, "What would you like to do?")
    assert page.locator(".heard-you").count() == 0, "the old conversation is gone"
    assert stack.rasa.received[-1]["sender"] != before, "and the server starts a new one"
    assert "What do you want help with?" not in " ".join(bot_texts(page))


def test_escape_twice_leaves_quickly(stack, page_factory):
    page = page_factory()
    page.goto(stack.url + "/")
    wait_for_bot(page, "What would you like to do?")
    tab = page.evaluate("sessionStorage.getItem('heard.tab')")
    assert tab, "the tab's own key (the conversation cookie is bound to it)"
    assert page.evaluate("sessionStorage.getItem('heard.conversation')") is None, "Heard's page keeps no token"
    page.keyboard.press("Escape")
    assert page.url.startswith(stack.url), "one Escape alone does nothing"
    page.keyboard.press("Escape")
    page.wait_for_url(EXIT_URL)


def test_signin_then_greeted_by_name(stack, page_factory, session, make_child):
    from bot.services import signin

    child = make_child(name="Rosie")
    code = signin.issue_code(session, child.id, "sw.test")
    session.commit()
    page = page_factory()
    page.goto(stack.url + "/")
    wait_for_bot(page, "What would you like to do?")
    open_settings(page)
    page.get_by_role("button", name="I have a code").click()
    assert_accessible(page, "sign-in form open")
    box = page.get_by_label("Your code (8 letters and numbers)")
    assert box.get_attribute("inputmode") == "text" and box.get_attribute("autocapitalize") == "characters"
    box.fill("KKKK-KKKK" if code != "KKKK-KKKK" else "MMMM-MMMM")
    page.get_by_role("button", name="Sign in").click()
    page.locator("#heard-code-status", has_text="did not work").wait_for()
    shot(page, "signin")
    box.fill(code.lower().replace("-", " "))  # any case, spaces instead of the dash
    page.get_by_role("button", name="Sign in").click()
    wait_for_bot(page, "Hi Rosie, I am Heard")  # nothing written before: no question, straight in
    assert page.locator("#heard-status").inner_text() == "You are signed in."
    assert page.get_by_role("button", name="I have a code").count() == 0
    assert "Do you want me to keep" not in " ".join(bot_texts(page))


def _write_then_sign_in(stack, page, session, make_child, name: str) -> tuple[str, str]:
    """Write something, then sign in: returns (conversation before sign-in, the code)."""
    from bot.services import signin

    child = make_child(name=name)
    code = signin.issue_code(session, child.id, "sw.test")
    session.commit()
    page.goto(stack.url + "/")
    wait_for_bot(page, "What would you like to do?")
    page.get_by_role("button", name="Get someone on my side").click()
    wait_for_bot(page, "What do you want help with?")
    earlier = stack.rasa.received[-1]["sender"]
    open_settings(page)
    page.get_by_role("button", name="I have a code").click()
    page.get_by_label("Your code (8 letters and numbers)").fill(code)
    page.get_by_role("button", name="Sign in").click()
    wait_for_bot(page, "Do you want me to keep what you wrote before you signed in?")
    return earlier, code


def test_words_before_sign_in_are_kept_only_if_the_child_says_yes(stack, page_factory, session, make_child):
    page = page_factory()
    earlier, _code = _write_then_sign_in(stack, page, session, make_child, "Rosie")
    wait_for_focus_on_message(page)
    assert "heard-bot" in active(page)["cls"], "focus moves to the question"
    assert_accessible(page, "keep earlier words?")
    shot(page, "signin-keep")
    page.get_by_role("button", name="No", exact=True).click()
    wait_for_bot(page, "We start a new chat")
    wait_for_bot(page, "Hi Rosie, I am Heard")
    assert stack.rasa.received[-1]["sender"] != earlier, "a new conversation for the signed-in child"
    assert "What do you want help with?" not in " ".join(bot_texts(page)), "the earlier words left the screen"
    said = page.locator(".heard-you .heard-text").all_inner_texts()
    assert len(said) == 1 and said[0].endswith("No"), "only the answer stays on screen"
    assert_accessible(page, "started fresh")

    other = page_factory()
    earlier, _code = _write_then_sign_in(stack, other, session, make_child, "Leo")
    other.get_by_role("button", name="Yes", exact=True).click()
    wait_for_bot(other, "I kept what you wrote")
    wait_for_bot(other, "Hi Leo, I am Heard")
    assert stack.rasa.received[-1] == {"sender": earlier, "message": "/greet"}, "the earlier chat goes on"
    assert "What do you want help with?" in " ".join(bot_texts(other))


def test_rasa_down_keeps_the_childs_words_in_the_box(stack, page_factory):
    page = page_factory()
    page.goto(stack.url + "/")
    wait_for_bot(page, "What would you like to do?")
    stack.rasa.down = True
    box = page.get_by_label("Write a message")
    box.fill("please help me with my review")
    page.get_by_role("button", name="Send").click()
    page.locator("#heard-status", has_text="try again").wait_for()
    assert box.input_value() == "please help me with my review"
    assert page.locator(".heard-you").count() == 0
    assert_accessible(page, "Rasa down")
    shot(page, "error")
    stack.rasa.down = False
    page.get_by_role("button", name="Send").click()
    page.locator(".heard-you", has_text="please help me with my review").wait_for()
    assert box.input_value() == ""


def test_320px_high_contrast_big_text_touch_targets(stack, page_factory):
    page = page_factory(width=320, height=700)
    page.goto(stack.url + "/")
    wait_for_bot(page, "What would you like to do?")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, "no sideways scrolling at 320 px"
    shot(page, "320px")
    small = page.evaluate("""() => [...document.querySelectorAll(
            '.heard button, .heard textarea, .heard input')]
        .filter(e => e.offsetParent !== null)
        .map(e => { const r = e.getBoundingClientRect(); return {t: e.textContent.trim() || e.id,
                    w: Math.round(r.width), h: Math.round(r.height)}; })
        .filter(r => r.w < 44 || r.h < 44)""")
    assert small == [], f"touch targets under 44 px: {small}"
    open_settings(page)
    page.get_by_role("button", name="High contrast").click()
    assert page.get_by_role("button", name="High contrast").get_attribute("aria-pressed") == "true"
    assert_accessible(page, "high contrast at 320 px")
    shot(page, "320px-high-contrast")
    page.get_by_role("button", name="Bigger text").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(page, "high contrast, bigger text at 320 px")
    shot(page, "320px-high-contrast-big-text")
    page.reload()
    wait_for_bot(page, "What would you like to do?")
    assert page.evaluate("document.getElementById('heard-chat').className").split() == [
        "heard",
        "heard-large",
        "heard-contrast",
    ], "text size and contrast are remembered"
    assert page.evaluate("localStorage.getItem('heard.contrast')") == "1"
    open_settings(page)
    page.get_by_role("button", name="High contrast").click()
    page.get_by_role("button", name="Bigger text").click()
    assert_accessible(page, "default at 320 px")


def test_reduced_motion_is_respected(stack, page_factory):
    page = page_factory(reduced_motion="reduce")
    page.goto(stack.url + "/")
    wait_for_bot(page, "What would you like to do?")
    assert page.evaluate("getComputedStyle(document.getElementById('heard-log')).scrollBehavior") == "auto"
    normal = page_factory()
    normal.goto(stack.url + "/")
    assert (
        normal.evaluate("getComputedStyle(document.getElementById('heard-log')).scrollBehavior") == "smooth"
    )


def test_play_buttons_and_read_aloud_play_in_turn(stack, page_factory):
    page = page_factory()
    page.goto(stack.url + "/")
    wait_for_bot(page, "What would you like to do?")
    plays = page.locator(".heard-bot .heard-play")
    assert plays.count() == 2
    plays.first.click()
    assert page.evaluate("document.getElementById('heard-audio').src").endswith("/test-audio/1.wav")
    open_settings(page)
    page.get_by_role("button", name="Read it out").click()
    page.evaluate("""() => { window.__played = [];
        document.getElementById('heard-audio').addEventListener('play', e => window.__played.push(
            new URL(e.target.src).pathname)); }""")
    page.get_by_role("button", name="Get someone on my side").click()
    wait_for_bot(page, "What do you want help with?")
    page.wait_for_function("() => window.__played.length >= 2", timeout=10000)
    assert page.evaluate("window.__played") == ["/test-audio/3.wav", "/test-audio/4.wav"], (
        "new messages in turn"
    )
    assert page.evaluate("localStorage.getItem('heard.readAloud')") == "1"


def test_embedded_on_a_council_page(stack, page_factory):
    page = page_factory(width=1280, height=800)
    page.goto(stack.council_url)
    launcher = page.get_by_role("button", name="Chat with Heard")
    launcher.wait_for()
    assert launcher.get_attribute("aria-expanded") == "false"
    assert_accessible(page, "council page, widget closed")
    launcher.click()
    wait_for_bot(page, "What would you like to do?")
    assert launcher.get_attribute("aria-expanded") == "true"
    assert page.get_by_role("button", name="Leave quickly").is_visible()
    page.get_by_role("button", name="Get someone on my side").click()
    wait_for_bot(page, "What do you want help with?")
    first, second = stack.rasa.received[-2:]
    assert first["sender"] == second["sender"], "the conversation goes on across messages"
    token = page.evaluate("sessionStorage.getItem('heard.conversation')")
    assert token and token.startswith("v1.") and first["sender"] not in token.split(".")[2]
    assert page.context.cookies(stack.url) == [], "no cookie on the council's page: a signed token instead"
    assert_accessible(page, "council page, widget open")
    shot(page, "embedded")
    page.get_by_role("button", name="Leave quickly").click()
    page.wait_for_url(EXIT_URL)


def test_reload_keeps_the_conversation_for_this_tab_only(stack, page_factory, browser):
    page = page_factory()
    page.goto(stack.url + "/")
    wait_for_bot(page, "What would you like to do?")
    page.get_by_role("button", name="Get someone on my side").click()
    wait_for_bot(page, "What do you want help with?")
    sent = len(stack.rasa.received)
    page.reload()
    wait_for_bot(page, "What do you want help with?")
    assert len(stack.rasa.received) == sent, "a reload shows the conversation again without asking Rasa"
    assert page.get_by_role("button", name="Get someone on my side").is_disabled()
    assert page.get_by_role("button", name="My review meeting").is_enabled()
    assert stack.rasa.received[-1]["message"] == "/request_advocate"
    mine = stack.rasa.received[-1]["sender"]
    other = page_factory()  # another tab or person: nothing of this conversation
    other.goto(stack.url + "/")
    wait_for_bot(other, "What would you like to do?")
    assert other.locator(".heard-you").count() == 0
    assert stack.rasa.received[-1]["sender"] != mine
    same_browser = page.context.new_page()  # a second tab of the same browser starts its own conversation
    same_browser.goto(stack.url + "/")
    wait_for_bot(same_browser, "What would you like to do?")
    assert stack.rasa.received[-1]["sender"] != mine
    page.get_by_role("button", name="My review meeting").click()
    wait_for_bot(page, "Tell me a bit more")
    assert stack.rasa.received[-1]["sender"] == mine, "the first tab still goes on"


def test_the_axe_scan_finds_real_problems(stack, page_factory):
    """The accessibility scan can fail: a button without a name is reported."""
    page = page_factory()
    page.goto(stack.url + "/")
    wait_for_bot(page, "What would you like to do?")
    page.evaluate("""() => { const b = document.createElement('button'); b.className = 'bad';
        document.getElementById('heard-log').appendChild(b); }""")
    ids = {v["id"] for v in axe_violations(page)}
    assert "button-name" in ids
