"""Where a notification sends its reader in the review app: one page per kind of notification and per team that
is told, always a page that team's role can open, with the record on it (a fragment names the record's place on
a list page). Never a child's id in a link: a link leaves the secure network in a webhook or an e-mail.

``tests/integration/test_review_notification_links.py`` follows every kind of link as the role told.
"""

from __future__ import annotations

ALERTS_PAGE = "/review/alerts"
AUDIT_PAGE = "/review/admin/audit"
# The team a record notification is for -> the role of the staff member who reads it (``team_routing.TEAM_NAMES``).
TEAM_ROLES = {"advocacy": "advocacy", "iv": "iv_coordinator", "complaints": "complaints", "duty": "duty",
              "social_worker": "social_worker", "iro": "iro"}


def alert(alert_id: int) -> str:
    """A safeguarding alert, for the duty team: its card on the alert queue."""
    return f"{ALERTS_PAGE}#alert-{alert_id}"


def alert_page(alert_id: int) -> str:
    """A safeguarding alert's own page, for the duty team: where a call-back's number is (``record``)."""
    return f"{ALERTS_PAGE}/{alert_id}#alert-{alert_id}"


def late_record(record_type: str, record_id: int) -> str:
    """A record past its deadline, for the duty team (who cannot open another team's record): its line in
    "Past their deadline" on the alert queue."""
    return f"{ALERTS_PAGE}#late-{record_type}-{record_id}"


def record(record_type: str, record_id: int, team: str | None) -> str:
    """A record waiting for ``team`` (``bot.services.team_routing``)."""
    if record_type == "alert_callback":
        return alert_page(record_id)
    if team == "duty":
        return late_record(record_type, record_id)
    if record_type == "wishes_statement":
        # A signed-in child's statement goes to their social worker and IRO: their list of children (no child
        # id in a link); a statement from a child not signed in to the advocacy service's anonymous statements.
        return "/review/children" if team in ("social_worker", "iro") else f"/review/anonymous#st-{record_id}"
    return {
        "advocacy_referral": f"/review/referrals/{record_id}",
        "visitor_request": f"/review/visitor-requests#r{record_id}",
        "complaint": f"/review/complaints/{record_id}",
    }.get(record_type, "/review/")


def security() -> str:
    """A security alert about the whole server, for admins: the audit trail."""
    return AUDIT_PAGE
