"""After a disclosure, a child who says "yes, please" to someone to talk to asks for a person: a call-back.

``request_call_back`` records it on the conversation's safeguarding alert (one call-back per alert; asking again
updates it). What it stores, all verbatim and never refused for length (a disclosure is never lost to a limit):

* ``wants_today``: the child wants contact today (True unless the chat says otherwise);
* ``turns``: the last few turns of the conversation as the chat passed them in, each ``{"who": "child"|"bot",
  "text": ...}`` (at most ``MAX_TURNS``, the latest kept); the service never reads a tracker;
* ``reach_how`` and ``reach_when``: how and when the child can be reached safely;
* for a child not signed in, ``anon_name`` and ``anon_contact``: a name and a safe way to reach them;
* ``contact_phone_encrypted``: every phone number in ``reach_how`` and ``anon_contact``, sealed by the one rule of
  ``bot.services.phone_vault`` (``seal_contacts``); those two keep only the way ("phone", "call me on [number]"),
  and the kept turns say ``[number]`` where the child typed it or Heard read it back (``mark_sealed_numbers``).
  The number is opened only on the alert's own page for the duty lead, who calls back (audited there); the duty
  queue, the child's record and the API for their social worker and IRO, notifications and logs say the way only.

The alert is the conversation's latest one (``alert_id`` from the chat is only used when it belongs to this
conversation: a child is who their conversation says). With no alert yet (e.g. it was spooled to disk), one is
raised from the child's last words, so the call-back is never lost. ``about_social_worker`` marks the alert as
about the child's own social worker (``bot.services.alert_visibility`` hides it from them). The duty team is told
at once through the outbox (no words, no name), and the duty queue lists alerts with a call-back first.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import SafeguardingAlert, utcnow
from bot.db.routing_models import AlertCallback
from bot.services import alerts, audit, team_routing
from bot.services.phone_vault import mark_sealed_numbers, seal_contacts
from bot.services.children import known_child_id
from bot.services.read_models.plain_words import choice_words, contact_words, turn_words

MAX_TURNS = 12


def _clean(text: object) -> str:
    return str(text or "").replace("\x00", "\ufffd")


def _turns(turns: Iterable[Mapping[str, Any] | tuple[str, str]]) -> list[dict[str, str]]:
    out = []
    for turn in turns:
        who, text = (turn.get("who"), turn.get("text")) if isinstance(turn, Mapping) else turn
        out.append({"who": "child" if who == "child" else "bot", "text": _clean(text)})
    return out[-MAX_TURNS:]


def conversation_alert(s: Session, conversation_id: str, alert_id: int | None) -> SafeguardingAlert | None:
    """``alert_id`` if it is this conversation's, else the conversation's latest alert (None: it has none)."""
    ref = audit.conversation_ref(conversation_id)
    if alert_id is not None:
        alert = s.get(SafeguardingAlert, alert_id)
        if alert is not None and alert.conversation_ref == ref:
            return alert
    return s.execute(
        select(SafeguardingAlert).where(SafeguardingAlert.conversation_ref == ref)
        .order_by(SafeguardingAlert.created_at.desc(), SafeguardingAlert.id.desc()).limit(1)
    ).scalar_one_or_none()


def _alert_for(s: Session, conversation_id: str, child_id: str | None, alert_id: int | None, channel: str,
               turns: list[dict[str, str]]) -> SafeguardingAlert:
    alert = conversation_alert(s, conversation_id, alert_id)
    if alert is None:
        words = next((t["text"] for t in reversed(turns) if t["who"] == "child"), "") or "(call-back request)"
        alert = alerts.raise_alert(s, conversation_id=conversation_id, child_id=child_id, channel=channel,
                                   text=words, category="call_back", cue=None)
    return alert


def request_call_back(
    s: Session,
    *,
    conversation_id: str,
    child_id: str | None,
    turns: Iterable[Mapping[str, Any] | tuple[str, str]],
    alert_id: int | None = None,
    wants_today: bool = True,
    reach_how: str | None = None,
    reach_when: str | None = None,
    anon_name: str | None = None,
    anon_contact: str | None = None,
    about_social_worker: bool = False,
    channel: str = "web",
) -> AlertCallback:
    """Record (or update) the call-back on the conversation's alert and tell the duty team; see the module."""
    child_id = known_child_id(s, child_id)
    how, contact = _clean(reach_how) or None, None if child_id else (_clean(anon_contact) or None)
    (how_words, contact_words_kept), sealed = seal_contacts(how, contact)
    kept = [{**turn, "text": mark_sealed_numbers(turn["text"], sealed)} for turn in _turns(turns)]  # typed, read back
    alert = _alert_for(s, conversation_id, child_id, alert_id, channel, kept)
    if about_social_worker:
        alert.about_social_worker = True
    callback = s.execute(select(AlertCallback).where(AlertCallback.alert_id == alert.id)).scalar_one_or_none()
    fields = {"wants_today": bool(wants_today), "turns": json.dumps(kept, ensure_ascii=False),
              "reach_how": how_words, "reach_when": _clean(reach_when) or None,
              "anon_name": None if child_id else (_clean(anon_name) or None),
              "anon_contact": contact_words_kept}
    first = callback is None
    if first:
        callback = AlertCallback(alert_id=alert.id, created_at=utcnow(), contact_phone_encrypted=sealed, **fields)
        s.add(callback)
    else:
        if how or contact:  # a new way to reach them: its numbers replace the ones sealed before (or none now)
            callback.contact_phone_encrypted = sealed
        for name, value in fields.items():
            if value is not None and value != []:
                setattr(callback, name, value)
    s.flush()
    audit.record(s, audit.actor_for(child_id, conversation_id), "create" if first else "update", "alert_callback",
                 alert.id, {"wants_today": callback.wants_today, "about_social_worker": alert.about_social_worker})
    if first:
        team_routing.notify_team(s, "alert_callback", alert.id, team_routing.council_of(s, alert), "duty")
    return callback


def mark_about_social_worker(s: Session, *, conversation_id: str, alert_id: int | None = None) -> int | None:
    """The child said the alert is about their own social worker: it is hidden from social workers. Returns the
    alert id (None when the conversation has no alert)."""
    alert = conversation_alert(s, conversation_id, alert_id)
    if alert is None:
        return None
    if not alert.about_social_worker:
        alert.about_social_worker = True
        s.flush()
        audit.record(s, audit.actor_for(alert.child_id, conversation_id), "update", "safeguarding_alert", alert.id,
                     {"about_social_worker": True})
    return alert.id


def callback_view(callback: AlertCallback | None) -> dict[str, Any] | None:
    """A call-back for the duty queue and the child's record: the turns decoded, a pressed button in its own words
    (``plain_words``), the way to reach them and never a number (``number_kept`` says one is on the alert's page)."""
    if callback is None:
        return None
    return {"wants_today": callback.wants_today, "turns": turn_words(json.loads(callback.turns)),
            "reach_how": contact_words("cb_how", callback.reach_how),
            "reach_when": choice_words("cb_when", callback.reach_when), "anon_name": callback.anon_name,
            "anon_contact": contact_words("cb_how", callback.anon_contact), "created_at": callback.created_at,
            "number_kept": callback.contact_phone_encrypted is not None}
