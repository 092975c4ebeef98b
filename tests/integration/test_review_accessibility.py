"""Structural accessibility checks on every page of every role: one h1, a skip link to main, every form
control labelled, table headers with scope, no scripts, no inline styles or event handlers."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.integration.test_review_support import *  # noqa: F403
from tests.integration.test_review_support import csrf_of, login


class PageAudit(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.h1 = 0
        self.ids: set[str] = set()
        self.label_for: set[str] = set()
        self.controls: list[dict[str, str]] = []
        self.in_label = 0
        self.th_without_scope = 0
        self.in_thead = False
        self.scripts = 0
        self.inline = []
        self.skip_link = False
        self.main_id = False
        self.lang = ""

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "html":
            self.lang = a.get("lang", "")
        if tag == "h1":
            self.h1 += 1
        if tag == "label":
            self.in_label += 1
            if "for" in a:
                self.label_for.add(a["for"])
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            self.controls.append({**a, "_wrapped": str(self.in_label > 0)})
        if tag == "thead":
            self.in_thead = True
        if tag == "th" and "scope" not in a:
            self.th_without_scope += 1
        if tag == "script":
            self.scripts += 1
        if "style" in a or any(k.startswith("on") for k in a):
            self.inline.append(tag)
        if tag == "a" and a.get("href") == "#main" and "skip-link" in a.get("class", ""):
            self.skip_link = True
        if tag == "main" and a.get("id") == "main":
            self.main_id = True

    def handle_endtag(self, tag):
        if tag == "label":
            self.in_label -= 1
        if tag == "thead":
            self.in_thead = False


PAGES = {
    "sw.a": [
        "/review/children",
        "/review/children/{ada}",
        "/review/children/{ada}/statements/{shared}/print",
        "/review/tokens",
    ],
    "iro.c": ["/review/children", "/review/children/{ada}"],
    "adv.d": ["/review/referrals", "/review/referrals/{told}", "/review/referrals?show=all", "/review/tokens"],
    "duty.e": ["/review/alerts"],
    "admin.f": ["/review/admin/users", "/review/admin/settings", "/review/admin/audit", "/review/admin/unrouted"],
}


@pytest.mark.parametrize("username", sorted(PAGES))
async def test_pages_are_structurally_accessible(client, world, username):
    audit = PageAudit()
    audit.feed(await (await client.get("/review/login")).text())
    _check("/review/login", audit)
    await login(client, username)
    for template in PAGES[username]:
        path = template.format(ada=world.ada, shared=world.shared, told=world.told)
        response = await client.get(path)
        assert response.status == 200, path
        audit = PageAudit()
        audit.feed(await response.text())
        _check(path, audit)
    assert await csrf_of(client, PAGES[username][0])


def _check(path: str, audit: PageAudit) -> None:
    assert audit.lang == "en-GB", path
    assert audit.h1 == 1, path
    assert audit.skip_link and audit.main_id, path
    assert audit.scripts == 0 and audit.inline == [], path
    assert audit.th_without_scope == 0, path
    for control in audit.controls:
        labelled = control.get("id") in audit.label_for or control["_wrapped"] == "True"
        assert labelled, f"{path}: unlabelled {control}"


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_colour_pairs_meet_wcag_aa_contrast():
    import re
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "bot/web/review/static/review.css").read_text()
    var = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", css))
    pairs = [
        ("text", "bg"),
        ("muted", "bg"),
        ("muted", "panel"),
        ("link", "bg"),
        ("link-visited", "bg"),
        ("good", "good-bg"),
        ("warn", "warn-bg"),
        ("bad", "bad-bg"),
        ("text", "focus"),
        ("link", "panel"),
    ]
    for fg, bg in pairs:
        assert _contrast(var[fg], var[bg]) >= 4.5, (fg, bg)
    assert _contrast("#ffffff", var["brand"]) >= 4.5  # header text and primary buttons
