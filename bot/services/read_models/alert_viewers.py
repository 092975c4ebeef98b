"""Who a duty lead may let see a safeguarding alert they restrict ("Who can see this alert"): only people who can
see it at all. That is the council's other active duty leads (the alert queue), and the social worker of the
child it belongs to (the child's record: ``access.owned``), unless the child said it is about their social worker
(``alert_visibility``). Nobody else has a page that shows alerts: an IRO, the advocacy service, an admin.

The alert queue offers these people and ``alert_visibility.restrict`` accepts no one else.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import Child, ConversationLink, SafeguardingAlert, StaffUser
from bot.services.read_models.access import owned


def duty_colleagues(s: Session, by: StaffUser) -> list[StaffUser]:
    """The other active duty leads of ``by``'s council."""
    return list(s.execute(select(StaffUser).where(
        StaffUser.local_authority_id == by.local_authority_id, StaffUser.active.is_(True),
        StaffUser.role == "duty", StaffUser.id != by.id).order_by(StaffUser.display_name, StaffUser.id)).scalars())


def _owners(s: Session, alert: SafeguardingAlert) -> list[Child]:
    """The child the alert belongs to: its own child, or the child whose conversation sent it before signing in."""
    if alert.child_id is not None:
        candidates = [alert.child] if alert.child is not None else []
    else:
        candidates = list(s.execute(select(Child).join(ConversationLink, ConversationLink.child_id == Child.id)
                                    .where(ConversationLink.conversation_ref == alert.conversation_ref)).scalars())
    return [c for c in candidates if s.execute(select(SafeguardingAlert.id).where(
        SafeguardingAlert.id == alert.id, owned(SafeguardingAlert, c))).first() is not None]


def owner_social_workers(s: Session, alert: SafeguardingAlert, by: StaffUser) -> list[StaffUser]:
    """The active social worker (of ``by``'s council) of the child the alert belongs to, unless it is about them."""
    if alert.about_social_worker or alert.withheld_from_social_worker:
        return []
    workers = {c.social_worker_id for c in _owners(s, alert) if c.social_worker_id is not None}
    if not workers:
        return []
    return list(s.execute(select(StaffUser).where(
        StaffUser.id.in_(workers), StaffUser.active.is_(True), StaffUser.role == "social_worker",
        StaffUser.local_authority_id == by.local_authority_id)).scalars())


def viewer_choices(s: Session, alert: SafeguardingAlert, by: StaffUser,
                   colleagues: list[StaffUser] | None = None) -> list[dict[str, Any]]:
    """The people ``by`` may tick for ``alert`` (``colleagues``: ``duty_colleagues``, when already loaded)."""
    people = (duty_colleagues(s, by) if colleagues is None else colleagues) + owner_social_workers(s, alert, by)
    return [{"id": p.id, "name": p.display_name, "role": p.role} for p in people]
