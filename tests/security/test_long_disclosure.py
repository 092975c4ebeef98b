"""Issue 13, item 11: a long disclosure is never refused before it is checked. On the web, a message over
HEARD_MAX_TEXT used to be answered "please make it shorter" before the harm check ran; every text, of any length
the web side reads (128 KiB), is now checked for harm first, and only then is length enforced. (By SMS a text is
at most 1,600 characters and reaches Rasa, whose harm component runs before any form reads the answer.)"""

from __future__ import annotations

from tests.integration.test_chat_api import SENDER, client, fresh_rate_limits, no_audio, rasa  # noqa: F401, F811


async def test_long_disclosure_is_checked_for_harm_before_any_length_rule(client, rasa, monkeypatch, no_audio):  # noqa: F811
    """A disclosure longer than HEARD_MAX_TEXT, even past the app's 64 KiB body limit, reaches Rasa whole
    (which answers it and raises the alert); a long message that is not a disclosure is still refused."""
    monkeypatch.setenv("HEARD_MAX_TEXT", "50")
    rasa.replies = [{"text": "Thank you for telling me."}]
    long_story = "i want to tell you about my week at school and at home. " * 3 + "my stepdad hits me"
    response = await client.post("/api/chat", json={"sender": SENDER, "message": long_story})
    assert response.status == 200
    assert rasa.received[-1]["message"] == long_story
    huge = "we went to the park and then we had tea. " * 2000 + "he hurts me and i am scared to go home"
    assert len(huge.encode()) > 64 * 1024
    response = await client.post("/api/chat", json={"sender": SENDER, "message": huge})
    assert response.status == 200
    assert rasa.received[-1]["message"] == huge
    plain = "we went to the park and then we had tea. " * 3
    response = await client.post("/api/chat", json={"sender": SENDER, "message": plain})
    assert response.status == 413 and (await response.json())["error"] == "too_long"
    assert len(rasa.received) == 2
