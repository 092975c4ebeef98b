"""The OpenAPI 3 document of the review app's JSON API (served at ``/review/api/openapi.json``), and the scope
each endpoint needs (``SCOPE_OF``: the API refuses a route that is not in it).

``tests/integration/test_review_api.py`` checks that every API route is documented here and every path here exists."""

from __future__ import annotations

from typing import Any


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


# path -> the scope a token needs for it (None: any valid token). Scopes: bot.services.api_tokens.SCOPES.
SCOPE_OF: dict[str, str | None] = {
    "/api/v1/me": None,
    "/api/v1/children": "read:caseload",
    "/api/v1/children/{child_id}": "read:records",
    "/api/v1/children/{child_id}/statements": "read:statements",
    "/api/v1/statements": "read:statements",
    "/api/v1/referrals": "read:referrals",
    "/api/v1/register/{external_id}": "write:children",
}


def _ok(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "200": {"description": description, "content": {"application/json": {"schema": schema}}},
        "401": {
            "description": "Missing, invalid, revoked or expired bearer token",
            "content": {"application/json": {"schema": _ref("Error")}},
        },
        "403": {
            "description": "The token lacks the scope this endpoint needs (insufficient_scope)",
            "content": {"application/json": {"schema": _ref("Error")}},
        },
        "404": {
            "description": "Not found, or not in your caseload (the two are not told apart)",
            "content": {"application/json": {"schema": _ref("Error")}},
        },
    }


CHILD_ID = {
    "name": "child_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "example": "c_k3j9x0a2bq"},
}
DATE = {"type": "string", "format": "date", "nullable": True}
DATETIME = {"type": "string", "format": "date-time"}

OPENAPI: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {
        "title": "Heard review API",
        "version": "1.0.0",
        "description": (
            "Read-only access for a council's case-management system to what children said. A staff member "
            "makes their own token in the review app (API tokens), choosing its scopes and how long it lasts "
            "(90 days unless chosen, at most 365); it is shown once. A token sees at most what its staff member "
            "sees in the review app (their own caseload, and a child's answers only when the child chose to "
            "share them with that role), and only the endpoints its scopes allow. Children's words are "
            "verbatim. Every call that returns a child's record is written to the audit trail with the "
            "token's id. One write: the child register (PUT /api/v1/register/{external_id}, scope write:children, "
            "social workers and admins, own council only), idempotent by the council's own id and audited."
        ),
    },
    "servers": [{"url": "/review"}],
    "security": [{"bearerAuth": []}],
    "paths": {
        "/api/v1/me": {
            "get": {
                "summary": "The staff member this token belongs to",
                "operationId": "me",
                "responses": _ok(_ref("Me"), "The token's owner"),
            }
        },
        "/api/v1/children": {
            "get": {
                "summary": "Children in your caseload (social workers) or whose reviews you chair (IROs)",
                "operationId": "listChildren",
                "responses": _ok(
                    {
                        "type": "object",
                        "properties": {"children": {"type": "array", "items": _ref("CaseloadRow")}},
                    },
                    "Soonest review first",
                ),
            }
        },
        "/api/v1/children/{child_id}": {
            "get": {
                "summary": "One child's record as you may see it",
                "operationId": "getChild",
                "parameters": [CHILD_ID],
                "responses": _ok(_ref("ChildRecord"), "The child's record"),
            }
        },
        "/api/v1/children/{child_id}/statements": {
            "get": {
                "summary": "A child's wishes and feelings statements (answers only where shared with you)",
                "operationId": "childStatements",
                "parameters": [CHILD_ID],
                "responses": _ok(
                    {
                        "type": "object",
                        "properties": {
                            "child_id": {"type": "string"},
                            "statements": {"type": "array", "items": _ref("Statement")},
                        },
                    },
                    "Newest first",
                ),
            }
        },
        "/api/v1/statements": {
            "get": {
                "summary": "Statements across your caseload, oldest first, for incremental pulls",
                "operationId": "statementsFeed",
                "parameters": [
                    {
                        "name": "since",
                        "in": "query",
                        "required": False,
                        "description": "Only statements sent after this ISO 8601 date-time",
                        "schema": DATETIME,
                    }
                ],
                "responses": {
                    **_ok(
                        {
                            "type": "object",
                            "properties": {
                                "statements": {
                                    "type": "array",
                                    "items": {
                                        "allOf": [
                                            _ref("Statement"),
                                            {
                                                "type": "object",
                                                "properties": {"child_id": {"type": "string"}},
                                            },
                                        ]
                                    },
                                }
                            },
                        },
                        "Statements",
                    ),
                    "400": {
                        "description": "Bad since value",
                        "content": {"application/json": {"schema": _ref("Error")}},
                    },
                },
            }
        },
        "/api/v1/referrals": {
            "get": {
                "summary": "The advocacy referral queue (advocacy service tokens only)",
                "operationId": "listReferrals",
                "parameters": [
                    {
                        "name": "show",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string", "enum": ["open", "closed", "all"], "default": "open"},
                    }
                ],
                "responses": {
                    **_ok(
                        {
                            "type": "object",
                            "properties": {"referrals": {"type": "array", "items": _ref("Referral")}},
                        },
                        "Overdue first, then by response deadline",
                    ),
                    "400": {
                        "description": "Bad show value",
                        "content": {"application/json": {"schema": _ref("Error")}},
                    },
                },
            }
        },
        "/api/v1/register/{external_id}": {
            "put": {
                "summary": "Add or change a child of your council in the register, by your council's own id",
                "description": (
                    "Idempotent: the same body again changes nothing (200, changed []). Fields left out stay as "
                    "they are; null or an empty string clears one. Dates as 2012-03-31 or 31/03/2012; the "
                    "social worker and IRO by their Heard username (staff of your council with that role). "
                    "Every change is audited by field name with the token's id. 400 lists each bad field. A "
                    "social worker's token reaches only their own caseload's children (another's is 404) and "
                    "never names a child's social worker (403: only an admin moves a child between caseloads)."
                ),
                "operationId": "putRegisterChild",
                "parameters": [
                    {
                        "name": "external_id",
                        "in": "path",
                        "required": True,
                        "description": "Your council's own id for the child (case system), up to 64 characters",
                        "schema": {"type": "string", "example": "LCS-004211"},
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("RegisterEntry")}},
                },
                "responses": {
                    **_ok(_ref("RegisterSaved"), "Changed, or already up to date"),
                    "201": {
                        "description": "Added",
                        "content": {"application/json": {"schema": _ref("RegisterSaved")}},
                    },
                    "400": {
                        "description": "Not a JSON object, or a field is wrong (nothing was saved)",
                        "content": {"application/json": {"schema": _ref("RegisterErrors")}},
                    },
                    "403": {
                        "description": "The token lacks write:children (insufficient_scope), or a social worker "
                                       "named a child's social worker (not allowed; nothing was saved)",
                        "content": {"application/json": {"schema": _ref("Error")}},
                    },
                },
            }
        },
    },
    "components": {
        "securitySchemes": {
            "bearerAuth": {
                "type": "http",
                "scheme": "bearer",
                "description": "Made by its owner on the review app's API tokens page; scopes: " + ", ".join(
                    sorted({scope for scope in SCOPE_OF.values() if scope})
                ),
            }
        },
        "schemas": {
            "Error": {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]},
            "Me": {
                "type": "object",
                "properties": {
                    "username": {"type": "string"},
                    "display_name": {"type": "string"},
                    "role": {"type": "string", "enum": ["social_worker", "iro", "advocacy", "duty", "admin"]},
                },
            },
            "CaseloadRow": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "chosen_name": {"type": "string"},
                    "age_band": {"type": "string"},
                    "next_review_date": DATE,
                    "wishes_for_review": {"type": "string", "enum": ["shared", "not_shared", "none"]},
                    "new_statements": {"type": "integer"},
                    "open_referrals": {"type": "integer"},
                    "open_visitor_requests": {"type": "integer"},
                    "open_matches": {"type": "integer"},
                    "open_alerts": {"type": "integer"},
                },
            },
            "Answer": {
                "type": "object",
                "properties": {
                    "position": {"type": "integer"},
                    "question_key": {"type": "string"},
                    "question": {"type": "string"},
                    "answer": {"type": "string", "description": "The child's words, verbatim"},
                },
            },
            "Statement": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "review_date": DATE,
                    "review_label": {"type": "string", "nullable": True},
                    "drafted_at": DATETIME,
                    "sent_at": DATETIME,
                    "share_with": {"type": "array", "items": {"type": "string"}},
                    "visible": {
                        "type": "boolean",
                        "description": "False when the child did not share it with you",
                    },
                    "answers": {"type": "array", "items": _ref("Answer")},
                },
            },
            "Referral": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "child_id": {"type": "string", "nullable": True},
                    "anonymous": {"type": "boolean"},
                    "anon_name": {"type": "string", "nullable": True},
                    "local_authority": {"type": "string", "nullable": True},
                    "reason": {"type": "string"},
                    "words": {"type": "string"},
                    "status": {"type": "string"},
                    "response_due": {"type": "string", "format": "date"},
                    "overdue": {"type": "boolean"},
                },
            },
            "RegisterEntry": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "chosen_name": {"type": "string", "maxLength": 100},
                    "date_of_birth": {"type": "string", "nullable": True, "example": "2012-03-31"},
                    "age_band": {"type": "string", "enum": ["8-10", "11-13", "14-15", "16-17"]},
                    "legal_status": {"type": "string", "nullable": True,
                                     "enum": ["looked_after", "child_protection", "child_in_need", "care_leaver"]},
                    "placement_type": {"type": "string", "nullable": True,
                                       "enum": ["foster", "kinship", "residential", "secure", "semi_independent",
                                                "at_home", "adoptive", "other"]},
                    "entered_care_on": DATE,
                    "left_care_on": DATE,
                    "social_worker": {"type": "string", "nullable": True, "description": "Heard username"},
                    "iro": {"type": "string", "nullable": True, "description": "Heard username"},
                    "next_review_date": DATE,
                    "phone": {"type": "string", "nullable": True, "description": "UK mobile or E.164; never returned"},
                    "sms_consent": {"type": "boolean", "description": "The child agreed to texts (recorded now)"},
                    "reading_level": {"type": "string", "enum": ["younger", "older"]},
                    "audio_on": {"type": "boolean"},
                    "parental_contact_last_12m": {"type": "boolean", "nullable": True},
                    "communication_needs": {"type": "string", "nullable": True},
                },
            },
            "RegisterSaved": {
                "type": "object",
                "properties": {
                    "child_id": {"type": "string"},
                    "external_id": {"type": "string"},
                    "created": {"type": "boolean"},
                    "changed": {"type": "array", "items": {"type": "string"}},
                },
            },
            "RegisterErrors": {
                "type": "object",
                "properties": {
                    "error": {"type": "string"},
                    "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                },
            },
            "ChildRecord": {
                "type": "object",
                "properties": {
                    "child": {"type": "object"},
                    "statements": {"type": "array", "items": _ref("Statement")},
                    "referrals": {"type": "array", "items": _ref("Referral")},
                    "alerts": {"type": "array", "items": {"type": "object"}},
                    "visitor_requests": {"type": "array", "items": {"type": "object"}},
                    "matches": {"type": "array", "items": {"type": "object"}},
                },
            },
        },
    },
}


def _declare_scopes() -> None:
    """Each operation's ``security`` names the scope it needs."""
    for path, operations in OPENAPI["paths"].items():
        scope = SCOPE_OF[path]
        for operation in operations.values():
            operation["security"] = [{"bearerAuth": [scope] if scope else []}]


_declare_scopes()
