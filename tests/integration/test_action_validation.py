"""The compiled action-response validator accepts and rejects exactly what Rasa's own check does."""

from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from bot.rasa_ext import action_validation

GOOD = [
    {"events": [{"event": "slot", "name": "a", "value": 1}], "responses": [{"text": "hi"}]},
    {"events": [], "responses": []},
    {},
]
BAD = [
    {"events": [{"name": "no event key"}]},
    {"events": "not a list"},
    {"responses": "nope"},
]


@pytest.mark.parametrize("result", GOOD)
def test_valid_responses_pass_both_ways(result):
    jsonschema.validate(result, RemoteAction.action_response_format_spec())
    assert action_validation.validate_action_result(None, result) is True


@pytest.mark.parametrize("result", BAD)
def test_invalid_responses_fail_both_ways_with_rasas_message(result):
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
        action_validation.validate_action_result(None, result)


def test_installed_when_the_stores_module_is_loaded():
    import bot.rasa_ext.stores  # noqa: F401

    assert RemoteAction._validate_action_result is action_validation.validate_action_result
