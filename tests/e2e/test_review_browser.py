"""The review app in headless Chromium (Debian's ``chromium``; Playwright drives it, never downloads one):
sign in, caseload, a child's record, print the statement, keyboard use; screenshots of every page are
saved to docs/screenshots/review-*.png."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from aiohttp import web

from tests.integration.test_review_support import *  # noqa: F403
from tests.integration.test_review_support import PASSWORD, totp_code

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (requirements/apt.txt)"
    ),
]


@pytest.fixture
async def server(world, aiohttp_server):
    from bot.web.review import setup

    app = web.Application()
    setup(app)
    return await aiohttp_server(app)


async def _sign_in(page, base: str, username: str) -> None:
    await page.goto(f"{base}/review/login")
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_load_state()
    await page.get_by_label("Code").fill(totp_code(username))  # the second factor
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_load_state()


async def _sign_out(page) -> None:
    await page.get_by_role("button", name="Sign out").click()
    await page.wait_for_load_state()


async def test_sign_in_to_printing_a_statement(server, world, tmp_path):
    playwright_api = pytest.importorskip("playwright.async_api")
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = str(server.make_url("")).rstrip("/")
    async with playwright_api.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            context = await browser.new_context(
                viewport={"width": 1280, "height": 860}, accept_downloads=True
            )
            page = await context.new_page()
            console_errors: list[str] = []
            page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)

            await page.goto(f"{base}/review/login")
            await page.keyboard.press("Tab")
            assert await page.evaluate("document.activeElement.className") == "skip-link"
            await page.screenshot(path=str(SHOTS / "review-login.png"))

            await _sign_in(page, base, "sw.a")
            assert page.url.endswith("/review/children")
            await page.screenshot(path=str(SHOTS / "review-caseload.png"), full_page=True)

            await page.get_by_role("link", name="Ada").click()
            await page.wait_for_load_state()
            assert await page.get_by_role("heading", level=1).inner_text() == f"Ada {world.ada}"
            # the script in the child's words is text, not a running script
            assert await page.locator("blockquote.words").first.inner_text() == (
                '<script>alert("x")</script> & I want to stay with Nan 🏠'
            )
            assert await page.evaluate("document.querySelectorAll('script').length") == 0
            await page.screenshot(path=str(SHOTS / "review-child.png"), full_page=True)

            await page.get_by_role("button", name="Appoint").click()
            await page.wait_for_load_state()
            assert "cannot be appointed: Ada said no" in await page.get_by_role("alert").inner_text()
            await page.screenshot(path=str(SHOTS / "review-appoint-refused.png"))

            await page.get_by_role("button", name="Make a sign-in code").click()
            await page.wait_for_load_state()
            code = await page.locator("p.code .code-digits").inner_text()
            assert len(code) == 9 and code[4] == "-"  # 8 letters and numbers, like K7QM-4TXR
            await page.screenshot(path=str(SHOTS / "review-signin-code.png"))

            await page.get_by_role("link", name="Printable page").click()
            await page.wait_for_load_state()
            assert await page.get_by_role("heading", level=1).inner_text() == "My wishes and feelings"
            await page.screenshot(path=str(SHOTS / "review-print.png"), full_page=True)
            await page.emulate_media(media="print")
            assert await page.locator("nav.no-print").is_hidden()
            printed = await page.pdf(format="A4")
            assert printed.startswith(b"%PDF")
            (SHOTS / "review-print.pdf").write_bytes(printed)
            await page.emulate_media(media="screen")
            await page.goto(f"{base}/review/children")
            await _sign_out(page)

            await _sign_in(page, base, "iro.c")
            await page.screenshot(path=str(SHOTS / "review-iro.png"), full_page=True)
            await _sign_out(page)

            await _sign_in(page, base, "adv.d")
            await page.screenshot(path=str(SHOTS / "review-referrals.png"), full_page=True)
            await page.get_by_role("link", name=f"Referral {world.anon}").click()
            await page.wait_for_load_state()
            await page.screenshot(path=str(SHOTS / "review-referral.png"), full_page=True)
            await _sign_out(page)

            await _sign_in(page, base, "duty.e")
            await page.screenshot(path=str(SHOTS / "review-alerts.png"), full_page=True)
            await page.get_by_label("What you have done").first.fill("Phoned the carer; visit booked")
            await page.get_by_role("button", name=f"Acknowledge alert {world.alert_ada}").click()
            await page.wait_for_load_state()
            assert (
                f"Alert {world.alert_ada} acknowledged."
                in await page.get_by_role("status").first.inner_text()
            )
            await _sign_out(page)

            await _sign_in(page, base, "admin.f")
            await page.screenshot(path=str(SHOTS / "review-admin-users.png"), full_page=True)
            await page.goto(f"{base}/review/admin/settings")
            await page.screenshot(path=str(SHOTS / "review-admin-settings.png"), full_page=True)
            await page.goto(f"{base}/review/admin/audit")
            await page.screenshot(path=str(SHOTS / "review-admin-audit.png"), full_page=True)
            assert [e for e in console_errors if "Content Security Policy" in e] == []
        finally:
            await browser.close()


async def test_pages_for_issues_15_to_17_in_a_browser(server, world, session):
    """The register, the IRO panel, visitors and mentors, a match's history, complaints and retention, in
    Chromium without a console error; screenshots saved to docs/screenshots/."""
    playwright_api = pytest.importorskip("playwright.async_api")
    from bot.services import visitors

    visitors.answer_match(session, match_id=world.ben_match, idempotency_key="shot-yes", accept=True)
    session.commit()
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = str(server.make_url("")).rstrip("/")
    pages = {
        "sw.a": [("/review/register", "review-register.png"), ("/review/register/new", "review-register-new.png"),
                 ("/review/register/import", "review-register-import.png"),
                 ("/review/visitors", "review-visitors-caseload.png")],
        "iro.c": [("/review/iro", "review-iro-panel.png")],
        "admin.f": [("/review/visitors", "review-visitors.png"),
                    (f"/review/visitors/matches/{world.ben_match}", "review-visitor-match.png"),
                    ("/review/complaints", "review-complaints.png"),
                    ("/review/admin/retention", "review-retention.png")],
    }
    async with playwright_api.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = await (await browser.new_context(viewport={"width": 1280, "height": 860})).new_page()
            errors: list[str] = []
            page.on("console", lambda m: errors.append(f"{page.url}: {m.text} {m.location}") if m.type == "error"
                    else None)
            for username, shots in pages.items():
                await _sign_in(page, base, username)
                for path, name in shots:
                    response = await page.goto(f"{base}{path}")
                    assert response is not None and response.status == 200, (username, path)
                    assert await page.locator("h1").count() == 1, path
                    await page.screenshot(path=str(SHOTS / name), full_page=True)
                await _sign_out(page)
            assert [e for e in errors if "favicon.ico" not in e] == []  # (this test server has no favicon)
        finally:
            await browser.close()
