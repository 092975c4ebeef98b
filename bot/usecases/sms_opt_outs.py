"""SMS opt-out (STOP) and opt-in (START) for a phone number, as the SMS channel needs them.

The SMS channel only asks: may I text this number (``is_opted_out``), and does this incoming text opt the
number out or back in (``answer_opt_keyword``)? The rules are here and in ``bot.services.sms_opt_outs``:

* STOP (and Twilio's other opt-out words) stops every text to the number until START; stored in the
  database, on the child's record when the number is a child's, else by the number's keyed hash.
* START or UNSTOP opts back in; YES does too, but only when the number had opted out (otherwise it is an
  ordinary answer).
* Fails closed: if the database cannot say whether a number opted out, nothing is sent to it. A STOP or
  START that cannot be stored is logged (never with the number) and the text is still handled.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Literal

from bot.db.engine import get_engine, session_scope
from bot.services import sms_opt_outs

logger = logging.getLogger(__name__)

OptChange = Literal["opted_out", "opted_in"]


def _opted_out(phone: str) -> bool:
    with session_scope() as session:
        return sms_opt_outs.number_is_opted_out(session, phone)


def _store(phone: str, opted_out: bool) -> None:
    with session_scope() as session:
        sms_opt_outs.set_number_opted_out(session, phone, opted_out)


def is_opted_out(phone: str) -> bool:
    """True when nothing may be sent to ``phone``: it said STOP, or we cannot check (fails closed)."""
    try:
        return _opted_out(phone)
    except Exception as error:  # noqa: BLE001 - any failure means "do not send"
        logger.error("could not check SMS opt-out, not sending: %s", type(error).__name__)
        return True


def set_opted_out(phone: str, opted_out: bool) -> None:
    """STOP (True) or START (False), in one transaction; a failure is logged, not raised."""
    try:
        _store(phone, opted_out)
    except Exception as error:  # noqa: BLE001 - the text is still handled
        logger.error("could not store an SMS opt-out or opt-in: %s", type(error).__name__)


def answer_opt_keyword(phone: str, text: str) -> OptChange | None:
    """If ``text`` opts the number out or back in, store that and say which; None for any other text."""
    word = sms_opt_outs.keyword(text)
    if word in sms_opt_outs.OPT_OUT_WORDS:
        set_opted_out(phone, True)
        return "opted_out"
    if word in sms_opt_outs.OPT_IN_WORDS or (word in sms_opt_outs.OPT_IN_IF_OUT and is_opted_out(phone)):
        set_opted_out(phone, False)
        return "opted_in"
    return None


def add_legacy_opt_outs(phone_hashes: Iterable[str], database_url: str | None = None) -> int:
    """Opt out every keyed phone hash an older Heard kept elsewhere (Redis), committed; returns how many
    were new to the table."""
    with session_scope(get_engine(database_url)) as session:
        return sms_opt_outs.add_many(session, phone_hashes)
