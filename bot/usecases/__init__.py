"""Use cases: one function per thing a person (a child, staff, the system) does.

Only use cases open a transaction (``bot.db.engine.session_scope``) and commit; they call the domain
functions in ``bot.services`` (which take a Session and never commit). Actions, web handlers, channels
and the dialogue package call one use case and never open a session themselves.
"""
