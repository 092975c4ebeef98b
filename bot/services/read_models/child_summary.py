"""One child's details as staff see them, with the statutory timescale of their next review."""

from __future__ import annotations

from typing import Any

from bot.db.models import Child
from bot.services.review_admin import CouncilSettings
from bot.services.review_timescales import STATUS_TEXT, review_timing


def review_fields(child: Child, settings: CouncilSettings) -> dict[str, Any]:
    """The statutory timescale check for the child's next review (see ``review_timescales``)."""
    timing = review_timing(child, settings)
    return {
        "review_due_by": timing.due_by,
        "review_status": timing.status,
        "review_status_text": STATUS_TEXT[timing.status],
        "last_review_on": child.last_review_on,
        "reviews_held": child.reviews_held or 0,
        "entered_care_on": child.entered_care_on,
    }


def child_summary(child: Child, settings: CouncilSettings | None = None) -> dict[str, Any]:
    """Who the child is and who works with them (with ``review_fields`` when ``settings`` are given)."""
    extra = review_fields(child, settings) if settings is not None else {}
    return {
        **extra,
        "id": child.id,
        "chosen_name": child.chosen_name,
        "age_band": child.age_band,
        "next_review_date": child.next_review_date,
        "channel": child.channel,
        "social_worker": child.social_worker.display_name if child.social_worker else None,
        "iro": child.iro.display_name if child.iro else None,
        "local_authority": child.local_authority.name if child.local_authority else None,
    }
