"""Privacy notices (issue 17): ``/privacy`` for children (one page, reading age 9: every line is checked by the
same readability rules as the bot's messages, ``tests/unit/test_privacy_notice.py``) and ``/privacy/adults``
(the full notice for carers, parents and professionals). Static words, no scripts, no cookies. The record of
processing and the lawful defaults behind these words are in docs/data-protection.md."""

from __future__ import annotations

from html import escape

from aiohttp import web

CHILD_TITLE = "What happens to what you tell Heard"
CHILD_NOTICE: list[tuple[str, list[str]]] = [
    ("Who we are", ["Heard is a chat helper from your council. It helps you be heard."]),
    ("What we keep", [
        "We keep what you send us. That can be a call for help, or your wishes for a review.",
        "We keep it with your care records.",
        "We keep our chat for about 30 days. Then we delete it.",
    ]),
    ("Who can read it", [
        "Only the people it is for can read what you send.",
        "You choose who sees your wishes.",
    ]),
    ("When we must tell someone", [
        "Is someone hurting you? Do you feel unsafe? Then we must tell a grown-up who can help.",
        "We do this to keep you safe. You are not in trouble.",
    ]),
    ("How long we keep it", [
        "The law says care records are kept for a long time, until you are 75.",
        "Then they are deleted.",
    ]),
    ("What you can do", [
        "You can ask to see all we keep about you.",
        "You can say \"delete this chat\" at any time.",
        "You can ask us to fix something that is wrong.",
        "Your social worker can help you ask. So can an advocate.",
    ]),
    ("Need to talk?", ["You can call Childline free on 0800 1111, day or night."]),
]

ADULT_TITLE = "Heard privacy notice (full version)"
ADULT_NOTICE: list[tuple[str, list[str]]] = [
    ("Controller", [
        "The local authority that runs Heard is the controller of the personal data Heard holds; its data "
        "protection officer is the contact for any request or complaint.",
    ]),
    ("What Heard holds", [
        "Case records a child sends (advocacy referrals, wishes and feelings statements, requests for and "
        "answers about independent visitors, complaints), safeguarding alerts and concerns, the council's register "
        "details of the child, sign-in records, an audit log of every staff read and change, and conversation "
        "transcripts. Phone numbers and conversation ids are stored as keyed hashes; phone numbers and e-mail "
        "addresses typed in a chat are masked in the transcript.",
    ]),
    ("Why, and the lawful basis", [
        "UK GDPR Article 6(1)(e) (public task: the council's duties under the Children Act 1989 and the Care "
        "Planning, Placement and Case Review (England) Regulations 2010) and 6(1)(c) (legal obligation); for "
        "special category data, Article 9(2)(g) with the Data Protection Act 2018 Schedule 1 conditions for "
        "statutory purposes and safeguarding of children.",
    ]),
    ("How long", [
        "Case records of a looked after child: until the 75th birthday (reg. 50 of the 2010 Regulations). A "
        "child never looked after: until the birthday the council sets (default 25). Records sent without "
        "signing in: at least 7 years after their last change. Safeguarding alerts and concerns: the council's "
        "period (default 25 years) and never before the child's case records. Transcripts: about 30 days after "
        "the last message; the turns that became a record are replaced by a pointer to it as soon as it is "
        "sent. A legal hold stops all deletion. Audit events are kept with the records they describe.",
    ]),
    ("Who sees it", [
        "Only staff of the child's council with a role that needs it: a wishes statement only by the audiences "
        "the child chose; safeguarding alerts by the duty team. Every staff read of a child's record is logged.",
    ]),
    ("Rights", [
        "A child, or someone acting for them, may ask for a copy of everything held (subject access), for "
        "corrections, and for erasure where the law allows (a legal hold or a safeguarding duty may prevent "
        "it). A child can delete a chat's transcript by saying \"delete this chat\". Complaints: the council's "
        "data protection officer, then the Information Commissioner's Office (ico.org.uk, 0303 123 1113).",
    ]),
]


def _page(title: str, sections: list[tuple[str, list[str]]], other: tuple[str, str]) -> str:
    body = "".join(
        f"<h2>{escape(heading)}</h2>" + "".join(f"<p>{escape(line)}</p>" for line in lines)
        for heading, lines in sections
    )
    return (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{escape(title)}</title>"
        "<style>body{font:1.15rem/1.6 system-ui,sans-serif;max-width:40rem;margin:1rem auto;padding:0 1rem}"
        "h2{font-size:1.2rem;margin-top:1.5rem}</style></head><body>"
        f"<main><h1>{escape(title)}</h1>{body}<p><a href=\"{other[0]}\">{escape(other[1])}</a></p></main>"
        "</body></html>"
    )


def child_notice_html() -> str:
    return _page(CHILD_TITLE, CHILD_NOTICE, ("/privacy/adults", "The full notice, for grown-ups"))


def adult_notice_html() -> str:
    return _page(ADULT_TITLE, ADULT_NOTICE, ("/privacy", "The notice for children"))


async def child_notice(_request: web.Request) -> web.Response:
    return web.Response(text=child_notice_html(), content_type="text/html")


async def adult_notice(_request: web.Request) -> web.Response:
    return web.Response(text=adult_notice_html(), content_type="text/html")


def setup(app: web.Application) -> None:
    app.router.add_get("/privacy", child_notice)
    app.router.add_get("/privacy/adults", adult_notice)
