"""Who may see a safeguarding alert, beyond the council and role rules of ``read_models.access``:

* an alert the child said is about their own social worker (``about_social_worker``), or whose words the child
  kept in a statement not shared with their social worker (``withheld_from_social_worker``), is never shown to a
  social worker (only the child's own social worker could reach it, through their caseload; hiding it from the role
  also covers an alert sent before the child signed in);
* an alert a duty lead restricted (rows in ``alert_viewers``) is shown only to the staff listed (the duty lead
  who restricted it is always listed), chosen among the people who can see it at all
  (``read_models.alert_viewers``).

``visible(staff)`` is the condition every read of alerts adds (duty queue, alert detail and acknowledgement,
child record, caseload counts, the API); ``restrict`` records a restriction, audited.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import and_, exists, not_, select
from sqlalchemy.orm import Session

from bot.db.models import SafeguardingAlert, StaffUser, utcnow
from bot.db.routing_models import AlertViewer
from bot.services import audit
from bot.services.errors import InvalidChoice


def visible(staff: StaffUser) -> Any:
    """The condition on ``SafeguardingAlert`` for the alerts ``staff`` may see (within their other rules)."""
    restricted = exists().where(AlertViewer.alert_id == SafeguardingAlert.id)
    listed = exists().where(AlertViewer.alert_id == SafeguardingAlert.id, AlertViewer.staff_id == staff.id)
    condition = not_(and_(restricted, not_(listed)))
    if staff.role == "social_worker":
        condition = and_(condition, SafeguardingAlert.about_social_worker.is_(False),
                         SafeguardingAlert.withheld_from_social_worker.is_(False))
    return condition


def withhold_words_not_shared(s: Session, conversation_ref: str, answers: list[str], share_with: list[str],
                              actor: str) -> int:
    """A statement's answers that are the words of an alert from the same conversation (the child said yes to
    "Do you want this in your answers too?"), in a statement not shared with their social worker: the alert is
    withheld from the social worker as well (the duty lead sees it and decides who is told). Audited; returns
    how many alerts."""
    if "social_worker" in share_with:
        return 0
    words = {a.strip() for a in answers if a and a.strip()}
    alerts = s.execute(select(SafeguardingAlert).where(
        SafeguardingAlert.conversation_ref == conversation_ref,
        SafeguardingAlert.withheld_from_social_worker.is_(False))).scalars().all()
    withheld = [a for a in alerts if a.text.strip() in words]
    for alert in withheld:
        alert.withheld_from_social_worker = True
        audit.record(s, actor, "update", "safeguarding_alert", alert.id, {"withheld_from_social_worker": True})
    return len(withheld)


def viewers(s: Session, alert_id: int) -> list[int]:
    """The staff ids an alert is restricted to (empty: not restricted)."""
    return list(s.execute(select(AlertViewer.staff_id).where(AlertViewer.alert_id == alert_id)
                          .order_by(AlertViewer.staff_id)).scalars())


def restrict(s: Session, alert: SafeguardingAlert, by: StaffUser, staff_ids: Collection[int],
             allowed: Collection[int] = ()) -> list[int]:
    """Only ``staff_ids`` and ``by`` see ``alert`` from now on; replaces an earlier list. Each of ``staff_ids``
    must be one of ``allowed``, the people who can see the alert at all (``read_models.alert_viewers``):
    ``InvalidChoice`` for anyone else, and nothing changes. Audited (who, never the alert's words)."""
    wanted = sorted(set(staff_ids) | {by.id})
    if not set(wanted) <= set(allowed) | {by.id}:
        raise InvalidChoice("Choose only people who can see safeguarding alerts about this child.")
    for row in s.execute(select(AlertViewer).where(AlertViewer.alert_id == alert.id)).scalars():
        s.delete(row)
    s.flush()
    actor = audit.staff_actor(by.username)
    s.add_all(AlertViewer(alert_id=alert.id, staff_id=i, added_by=actor, added_at=utcnow()) for i in wanted)
    s.flush()
    audit.record(s, actor, "update", "safeguarding_alert", alert.id, {"restricted_to": wanted})
    return wanted
