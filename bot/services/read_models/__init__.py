"""Read models of the review app and its JSON API: one module per screen, each returning plain data (dicts,
lists, dates) built inside the caller's session, so the web layer never touches a lazy relationship after
the session closed. None of them writes or commits; the use cases in ``bot.usecases.review_*`` open the
transaction and write the audit events.

* ``access``: which records a staff member may see (their caseload, their council), and which records
  belong to a child (by id, or sent from one of the child's conversations before sign-in).
* ``caseload``: a social worker's or IRO's list of children.
* ``child_summary``: one child's details and the statutory timescale of their next review.
* ``child_record``: everything one member of staff may see about one child.
* ``statements``: the child's wishes-and-feelings statements, as far as the child's sharing choice allows.
* ``last_seen``: when a member of staff last opened a child's record (what is new since).
* ``referral_queue`` and ``alert_queue``: the advocacy service's and the duty team's queues.
* ``staff_accounts``, ``audit_trail`` (the admin's own council's events only) and ``unrouted`` (records of
  children not signed in that matched no council): the admin screens.
* ``api_tokens``: a staff member's own API tokens, and the council's for the admin (never a token itself).
* ``alert_viewers``: who a duty lead may let see an alert they restrict; ``late_records``: records past their
  deadline, for the duty lead.
* ``plain_words``: a pressed button, a day and a member of staff as staff read them (never a stored code).

Visibility rules kept here:

* A social worker sees the children whose ``social_worker_id`` is theirs; an IRO those whose reviews they
  chair (``iro_id``). Any other child is ``NotFound`` (existence is never revealed).
* A child's wishes answers are shown only as far as the child's sharing choice allows
  (``bot.services.wishes.visible_answers``).
* A social worker sees an advocacy referral only if the child asked for them to be told
  (``tell_social_worker``); safeguarding alerts about their children are always shown to them.
* The advocacy service sees referrals of children in its council; the duty team sees alerts about children in
  its council. A record from a child not signed in goes to the council it was sent to
  (``bot.services.council_routing``: the council the child named) and, when it matched none, to the triage
  council only; never to every council. An admin sees their own council's audit trail only.
* A refused read (404) is audited as ``refused_read`` (``bot.usecases.review_reads``).
"""
