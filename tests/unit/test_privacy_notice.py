"""The children's privacy notice (issue 17): every line readable by a 9-year-old by the bot's own rules, and the
page shows each line; the adults' notice names the regulation behind the 75th birthday."""

from __future__ import annotations

from html import escape

import pytest

from bot.accessibility.readability import check_line
from bot.web import privacy

CHILD_LINES = [line for heading, lines in privacy.CHILD_NOTICE for line in [heading, *lines]]


@pytest.mark.parametrize("line", CHILD_LINES)
def test_each_line_of_the_childrens_notice_is_readable(line):
    score = check_line(line)
    assert score.ok, (line, score.problems)


def test_pages_show_every_line_and_link_each_other():
    child, adult = privacy.child_notice_html(), privacy.adult_notice_html()
    assert all(escape(line) in child for line in CHILD_LINES)
    assert 'href="/privacy/adults"' in child and 'href="/privacy"' in adult
    assert "until you are 75" in child and "reg. 50" in adult and "0800 1111" in child
    assert "<script" not in child + adult
