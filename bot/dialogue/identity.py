"""Who is talking, and their saved preferences, as the actions ask for them.

The work is done by the use cases ``bot.usecases.conversation`` (who is talking: web sign-in, or an SMS
number we know) and ``bot.usecases.preferences`` (read aloud, wording); these names are kept for the
actions that call them.
"""

from __future__ import annotations

from bot.usecases.conversation import ChildContext, who_is_talking
from bot.usecases.preferences import set_audio, set_reading_level

__all__ = ["ChildContext", "set_audio", "set_reading_level", "who_is_talking"]
