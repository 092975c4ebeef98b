"""The child register pages (social workers and admins, own council only): the list, add a child, change a
child's details, and import a council's CSV file (every row checked first; nothing imported if any row is bad).
Each page calls one use case in ``bot.usecases.child_register``."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from aiohttp_session import get_session

from bot.db.models import LEGAL_STATUSES, PLACEMENT_TYPES
from bot.services.register import FIELDS, LABELS
from bot.usecases import child_register as uc
from bot.web.review.common import render, require, run_use_case

ROLES = uc.REGISTER_ROLES
MAX_CSV_BYTES = 64 * 1024  # the web server takes requests up to 64 KB (bot/web/app.py): about 500 children
# Form fields that are checkboxes or lists with a "not known" choice, as the register reads them.
CHECKBOXES = ("sms_consent", "audio_on")


def form_values(form: Any) -> dict[str, object]:
    """The register fields from a posted form. An empty phone box keeps the number (it is never shown);
    "remove_phone" clears it."""
    raw: dict[str, object] = {name: str(form.get(name, "")).strip() for name in FIELDS if name not in CHECKBOXES}
    for name in CHECKBOXES:
        raw[name] = "yes" if form.get(name) else "no"
    if not raw.get("phone"):
        raw.pop("phone")
        if form.get("remove_phone"):
            raw["phone"] = None
    if not raw.get("age_band"):
        raw.pop("age_band")  # follows the date of birth
    if not raw.get("reading_level"):
        raw.pop("reading_level")
    return raw


async def _form_page(request: web.Request, row: dict[str, Any], *, errors: dict[str, str] | None = None,
                     status: int = 200) -> web.Response:
    choices = await run_use_case(uc.staff_choices, request["staff"])
    return render(request, "register_form.html", {
        "row": row, "errors": errors or {}, "labels": LABELS, "legal_statuses": LEGAL_STATUSES,
        "placement_types": PLACEMENT_TYPES, **choices,
        "error": "Some details need changing. Each one is marked below." if errors else "",
    }, status)


@require(*ROLES)
async def register_page(request: web.Request) -> web.Response:
    rows = await run_use_case(uc.read_register, request["staff"])
    session = await get_session(request)
    return render(request, "register.html", {"rows": rows, "flash": session.pop("flash", "")})


@require(*ROLES)
async def new_child_page(request: web.Request) -> web.Response:
    return await _form_page(request, {"id": None})


@require(*ROLES)
async def edit_child_page(request: web.Request) -> web.Response:
    row = await run_use_case(uc.read_register_entry, request["staff"], request.match_info["child_id"])
    return await _form_page(request, row)


async def _save(request: web.Request, child_id: str | None) -> web.Response:
    form = await request.post()
    raw = form_values(form)
    saved = await run_use_case(uc.save_child, request["staff"], child_id, raw)
    if saved.errors:
        row = {**{k: v for k, v in raw.items() if k != "phone"}, "id": child_id}
        return await _form_page(request, row, errors=saved.errors, status=400)
    session = await get_session(request)
    name = raw.get("chosen_name") or "The child"
    session["flash"] = f"{name} was added to the register." if saved.created else (
        f"{name}'s details were saved." if saved.changed else "Nothing was changed."
    )
    raise web.HTTPSeeOther("/review/register")


@require(*ROLES)
async def create_child(request: web.Request) -> web.Response:
    return await _save(request, None)


@require(*ROLES)
async def update_child(request: web.Request) -> web.Response:
    return await _save(request, request.match_info["child_id"])


@require(*ROLES)
async def import_page(request: web.Request) -> web.Response:
    return render(request, "register_import.html", {"report": None, "columns": FIELDS, "labels": LABELS})


def _csv_text(form: Any) -> str | None:
    upload = form.get("file")
    data = upload.file.read(MAX_CSV_BYTES + 1) if isinstance(upload, web.FileField) else b""
    if not data:
        data = str(form.get("text", "")).encode()
    if len(data) > MAX_CSV_BYTES:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


@require(*ROLES)
async def import_submit(request: web.Request) -> web.Response:
    text = _csv_text(await request.post())
    context: dict[str, Any] = {"columns": FIELDS, "labels": LABELS, "report": None}
    if not text or not text.strip():
        context["error"] = "Choose a CSV file (UTF-8, up to 64 KB: about 500 children) with one child a line."
        return render(request, "register_import.html", context, 400)
    report = await run_use_case(uc.import_children_csv, request["staff"], text)
    context["report"] = report
    return render(request, "register_import.html", context, 200 if report.ok else 400)
