"""Heard's rasa-sdk actions (``rasa run actions --actions actions``).

The action server refuses to load without a good ``HEARD_SECRET_KEY`` (``bot.keys``): every action that
links a conversation to a child or stores a submission needs the keys derived from it.
"""

from bot.keys import require_secret_key

require_secret_key()
