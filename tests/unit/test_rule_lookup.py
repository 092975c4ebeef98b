"""RulePolicy keeps every decoded rule (bot/rasa_ext/rule_lookup.py): Rasa's cache of 1,000 is smaller than
Heard's rules, so it never hit and each turn decoded every rule again."""

from __future__ import annotations

import json

from rasa.core.policies.rule_policy import RulePolicy

from bot.rasa_ext import rule_lookup


def test_every_decoded_rule_is_kept_and_reads_the_same() -> None:
    rule_lookup.install()
    rule_lookup.install()  # twice: still one cache
    decode = RulePolicy._rule_key_to_state
    assert decode.cache_info().maxsize is None
    keys = [json.dumps([{"user": {"intent": f"intent_{i}"}}, {"prev_action": {"action_name": "action_listen"}}])
            for i in range(1500)]  # more than Rasa's 1,000, as Heard's rules are
    first = [decode(key) for key in keys]
    hits = decode.cache_info().hits
    again = [decode(key) for key in keys]
    assert decode.cache_info().hits - hits == len(keys)  # the second walk decodes nothing
    assert again == first == [json.loads(key) for key in keys]


def test_the_rasa_server_installs_it_before_rasa_starts(monkeypatch) -> None:
    import functools

    import rasa.__main__

    import bot.rasa_server

    decode = getattr(RulePolicy._rule_key_to_state, "__wrapped__", RulePolicy._rule_key_to_state)
    monkeypatch.setattr(RulePolicy, "_rule_key_to_state", staticmethod(functools.lru_cache(maxsize=1000)(decode)))
    seen: list[int | None] = []
    monkeypatch.setattr(rasa.__main__, "main", lambda: seen.append(RulePolicy._rule_key_to_state.cache_info().maxsize))
    monkeypatch.setattr(bot.rasa_server, "rasa_argv", lambda arguments: ["run"])
    bot.rasa_server.main([])
    assert seen == [None]
