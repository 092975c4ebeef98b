"""Rasa's RulePolicy, without re-reading its rules on every turn.

RulePolicy stores each rule as a JSON string and, to check whether a rule applies, decodes it again
(``RulePolicy._rule_key_to_state``). Rasa caches the decoded rules, but only the last 1,000. Heard's generated rules
(``scripts/make_rules.py``: every intent in and out of each form) give more keys than that, and every prediction
walks all of them in the same order, so a cache of 1,000 never hits: each turn decoded every rule again (py-spy,
2 December 2026: 16% of the Rasa server's time at 20 conversations at once). ``install`` keeps every decoded rule
(a few thousand short lists, a few MB); the rules never change while a model is loaded, and Rasa's callers only read
what it returns. Nothing else about the policy changes.
"""

from __future__ import annotations

import functools

__all__ = ["install"]


def install() -> None:
    """Make RulePolicy's cache of decoded rules unbounded (safe to call more than once)."""
    from rasa.core.policies.rule_policy import RulePolicy

    current = RulePolicy._rule_key_to_state
    if getattr(current, "cache_info", None) is not None and current.cache_info().maxsize is None:
        return
    decode = getattr(current, "__wrapped__", current)
    RulePolicy._rule_key_to_state = staticmethod(functools.lru_cache(maxsize=None)(decode))
