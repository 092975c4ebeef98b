"""Validate action server responses with a schema compiled once.

Rasa 3.6 checks every custom action's response with ``jsonschema.validate(result, spec)``, which first
checks the spec itself against the JSON Schema meta-schema on every call. In Heard every reply comes from
a custom action and a form turn makes three calls (validate, ask, run), so that repeated meta-schema
check was 28% of the Rasa server's time per message (py-spy profile, bench/). This installs the same
validation — same schema, same errors and message — with the validator built and checked once.
"""

from __future__ import annotations

from typing import Any

from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

_validator: Any = None


def _compiled() -> Any:
    global _validator
    if _validator is None:
        schema = RemoteAction.action_response_format_spec()
        cls = validator_for(schema)
        cls.check_schema(schema)
        _validator = cls(schema)
    return _validator


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """Drop-in for ``RemoteAction._validate_action_result``: True, or raises ``ValidationError``."""
    error = best_match(_compiled().iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, "
            "make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


def install() -> None:
    """Use the compiled validator in this process (idempotent)."""
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
