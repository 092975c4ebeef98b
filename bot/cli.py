"""Heard's admin commands: ``python -m bot.cli <command>``.

  migrate                                  upgrade the database to the newest schema (and move SMS opt-outs
                                           an older Heard kept in Redis into it)
  seed                                     add the demo council, staff, children (safe to repeat)
  issue-code --child ID [--by USER]        print a one-time sign-in code for a child (valid 30 minutes)
  export --child ID [--by USER] [--pdf F]  print everything held about a child as JSON, transcripts included
                                           (audited); --pdf also writes a readable PDF
  purge [--dry-run] [--older-than-days N] [--by USER]
                                           delete records past their class's retention period (each
                                           council's policy; docs/data-protection.md); --dry-run counts only
  propose-match --child ID --visitor-name NAME [--description TEXT] [--kind independent_visitor|mentor]
                [--by USER]                propose a visitor or mentor to a child
  deliver-notifications [--loop]           deliver due safeguarding notifications (once, or keep going)
  verify-audit                             check the audit trail's hash chain: "N rows, chain intact" (exit 0)
                                           or the first broken row (exit 1)

The database is ``HEARD_DATABASE_URL``. Every command needs ``HEARD_SECRET_KEY`` (``bot.keys``) and stops at
once, exit 2, without a good one. Output never contains phone numbers, passwords or hashes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence

from bot.keys import SecretKeyError, require_secret_key
from bot.services.errors import ServiceError


def _actor(username: str | None, default: str) -> str:
    return f"staff:{username}" if username else default


def cmd_migrate(args: argparse.Namespace) -> int:
    from bot.db.migrate import current_revision, upgrade

    upgrade(revision=args.revision)
    revision = current_revision()
    print(f"database at revision {revision}")
    return _move_legacy_sms_opt_outs(revision)


def _move_legacy_sms_opt_outs(revision: str | None) -> int:
    """Heard before migration 0004 kept unknown numbers' SMS opt-outs in Redis: move them into the table
    (1 when Redis is set but cannot be read, so that opt-outs are never dropped unnoticed)."""
    from bot.config import get_settings

    redis_url = get_settings().redis_url
    if not redis_url or revision is None or revision < "0004":
        return 0
    from bot.channels.sms_state import move_legacy_opt_outs

    try:
        moved = move_legacy_opt_outs(redis_url)
    except Exception as error:  # noqa: BLE001 - the schema is migrated; say so and how to finish
        print(f"could not move SMS opt-outs from Redis into the database ({type(error).__name__}); "
              "run migrate again when Redis is reachable", file=sys.stderr)
        return 1
    if moved:
        print(f"moved {moved} SMS opt-out(s) from Redis into the database")
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    from bot.usecases.demo_data import seed_demo_data

    summary = seed_demo_data()
    print(json.dumps(summary, indent=2))
    return 0


def cmd_issue_code(args: argparse.Namespace) -> int:
    from bot.services.signin import CODE_TTL
    from bot.usecases.signin import issue_sign_in_code

    code = issue_sign_in_code(args.child, args.by)
    minutes = int(CODE_TTL.total_seconds() // 60)
    print(f"Sign-in code for {args.child}: {code} (works once, for {minutes} minutes; "
          "the child types the 8 letters and numbers, in any case)")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from bot.usecases.subject_access import export_child_record

    data = export_child_record(args.child, _actor(args.by, "system:cli"))
    if args.pdf:
        from bot.web.review.export_pdf import export_pdf

        with open(args.pdf, "wb") as out:
            out.write(export_pdf(data))
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    from bot.usecases.retention import dry_run, purge_by_council, purge_older_than

    actor = _actor(args.by, "system:cli")
    if args.dry_run:
        result: object = {"dry_run": True, "would_delete": dry_run()}
    elif args.older_than_days is not None:
        result = {"older_than_days": args.older_than_days,
                          "deleted": purge_older_than(args.older_than_days, actor)}
    else:
        result = purge_by_council(actor)
    print(json.dumps(result, indent=2))
    return 0


def cmd_propose_match(args: argparse.Namespace) -> int:
    from bot.usecases.visitor_matches import propose_match

    match_id = propose_match(args.child, args.by, args.visitor_name, args.description, args.kind)
    print(f"Proposed match {match_id} for {args.child}; the child will be asked next time they talk to Heard")
    return 0


def cmd_deliver_notifications(args: argparse.Namespace) -> int:
    from bot.safeguarding import notifier

    if args.loop:
        asyncio.run(notifier.run_forever(interval=args.interval))
        return 0
    delivered = asyncio.run(notifier.deliver_due())
    print(f"delivered {delivered} notification(s)")
    return 0


def cmd_verify_audit(args: argparse.Namespace) -> int:
    from bot.usecases.audit_verify import verify_audit_chain

    walk = verify_audit_chain()
    if walk.intact:
        last = f" (last row {walk.last_id})" if walk.last_id is not None else ""
        gaps = f", across {walk.checkpoints_used} purge checkpoint(s)" if walk.checkpoints_used else ""
        print(f"{walk.rows} rows, chain intact{last}{gaps}")
        return 0
    print(f"audit chain broken at row {walk.broken_at}: {walk.reason}; {walk.rows} rows before it are intact")
    return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot.cli", description="Heard admin commands")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("migrate", help="upgrade the database schema")
    p.add_argument("--revision", default="head")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("seed", help="add demo data (idempotent)")
    p.set_defaults(func=cmd_seed)

    p = sub.add_parser("issue-code", help="issue a one-time sign-in code")
    p.add_argument("--child", required=True)
    p.add_argument("--by", help="staff username issuing the code")
    p.set_defaults(func=cmd_issue_code)

    p = sub.add_parser("export", help="subject access export (JSON)")
    p.add_argument("--child", required=True)
    p.add_argument("--by", help="staff username asking for the export")
    p.add_argument("--pdf", help="also write a readable PDF to this file")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("purge", help="delete records past retention")
    p.add_argument("--older-than-days", type=int, default=None)
    p.add_argument("--dry-run", action="store_true", help="only count what would be deleted")
    p.add_argument("--by", help="staff username running the purge")
    p.set_defaults(func=cmd_purge)

    p = sub.add_parser("propose-match", help="propose an independent visitor or mentor")
    p.add_argument("--child", required=True)
    p.add_argument("--visitor-name", required=True)
    p.add_argument("--description", default=None)
    p.add_argument("--kind", choices=["independent_visitor", "mentor"], default="independent_visitor")
    p.add_argument("--by", help="staff username proposing the match")
    p.set_defaults(func=cmd_propose_match)

    p = sub.add_parser("deliver-notifications", help="deliver due safeguarding notifications")
    p.add_argument("--loop", action="store_true", help="keep delivering (Ctrl-C to stop)")
    p.add_argument("--interval", type=float, default=5.0)
    p.set_defaults(func=cmd_deliver_notifications)

    p = sub.add_parser("verify-audit", help="check the audit trail's hash chain")
    p.set_defaults(func=cmd_verify_audit)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    args = build_parser().parse_args(argv)
    try:
        require_secret_key()
    except SecretKeyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        return args.func(args)
    except (ServiceError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
