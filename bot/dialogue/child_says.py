"""What a child's typed words say, whatever the question on screen: a plain yes or no, a wish to stop, words about
the conversation rather than an answer ("i told you", "u there"), "nobody", a correction ("sorry i meant tuesday"),
a request to delete the chat, a question.

Plain Python, no Rasa, no form registry: ``bot.dialogue.answers`` reads each kind of question with these, and the
form actions use a few directly.
"""

from __future__ import annotations

import re
import string

from bot.dialogue.intents import DELETE_CHAT_INTENT
from bot.vocabulary import normal_words


def padded_words(text: str) -> str:
    """The message's words, lower-cased, punctuation (but the apostrophe) as spaces, with a space at each end, so
    that a phrase can be found with " {phrase} " in it."""
    lowered = text.lower().replace("’", "'")
    cleaned = "".join(" " if ch in string.punctuation and ch != "'" else ch for ch in lowered)
    return " " + " ".join(cleaned.split()) + " "


# A plain yes or a plain no, typed: every word is a yes word, a no word or a harmless word, and the answer is
# one way only ("yeah thats fine", "nah ur alright", "i dont want them to know"); anything with another word
# ("yes if they dont tell my carer") or both ways ("no wait yes") is explained and asked again.
YES_WORDS = frozenset({"yes", "yeah", "yep", "yup", "ya", "yaa", "yah", "yeh", "ye", "yea", "yh", "y", "yass", "ok",
                       "okay", "okk", "okey", "k", "kk", "sure", "fine", "alright", "aight", "ight", "aye", "go",
                       "good", "cool", "deffo", "definitely", "yesss", "yess",
                       # a yes in the languages children in care in England often speak first (a consent is still
                       # only a plain yes: "da" alone, or with an English yes)
                       "si", "sim", "da", "ji", "haan", "oui", "tak", "ja", "evet", "po"})
STRONG_YES = frozenset({"yes", "yeah", "yep", "yup", "ya", "yaa", "yah", "yeh", "ye", "yea", "yh", "yass", "yess",
                        "yesss"})
NO_WORDS = frozenset({"no", "nope", "nah", "nahh", "na", "naw", "n", "dont", "don't", "not", "never", "naa", "noo",
                      "nooo", "cant", "can't", "didnt", "didn't", "rather", "nu", "nie", "nao", "nahi", "nein", "nej",
                      "hayir", "jo"})
FILLER_WORDS = frozenset({"please", "pls", "plz", "thats", "that's", "that", "is", "its", "it's", "it", "thanks",
                          "thank", "you", "u", "ta", "ty", "then", "oh", "well", "um", "erm", "so", "thx", "by", "me",
                          "with", "tell", "them", "her", "him", "they", "know", "want", "this", "can", "i", "id",
                          "i'd", "to", "ahead", "thing", "way", "ur", "you're", "youre", "do", "mind", "happy",
                          "really", "definitely", "for", "sure", "all", "like", "would", "wud", "love", "meet", "great",
                          "nice", "sounds", "good"})
NOT_OK = re.compile(r"\b(not|isnt|isn't) (ok|okay|fine|alright|good)\b")
# "nah not sure", "no i dont know": unsure, so neither a yes nor a no (explained, asked again).
UNSURE = re.compile(r"\b(not (really )?(sure|shure|sur|shore|suer)|unsure|unshure|nt sure"
                    r"|(dont|don't|do not|dnt) (know|no|kno)|idk|dunno|maybe|no idea|no clue)\b")
# A thumbs up or down is a yes or a no (the simple wording of a yes/no question shows 👍/👎), read as the word it
# stands for, so "👍👍" is a yes and "👍 if they dont tell my carer" is still a condition (skin tones are dropped).
YES_EMOJI = ("👍", "👌", "✅", "✔", "☑", "🆗")
NO_EMOJI = ("👎", "❌", "✖", "❎", "🙅", "🚫", "⛔")
# "no one", "nobody", "no1": nobody (at a skippable question, "Is there a grown-up you already know?", nothing to
# add, like a plain no).
NOBODY_WORDS = frozenset({"nobody", "noone", "no1", "nobdy", "nobodi", "none", "noboby"})

# Answers about the conversation, not to the question (open questions): never saved as the answer.
META_ANSWERS = re.compile(
    r"^[?!. ]+$"
    r"|^((like|as|but) )?(i|u|you) (already |just |literally |literally just )*(told|said|answered|asked)"
    r"( (me|you|u|it|that|this|before|already|that already))*$"
    r"|^((like|as) )?i said( (it|that))?( before| already)?$|^same as (before|i said|last time)$"
    r"|^(read|scroll) (what i (wrote|said|put)|up|back)\b"
    r"|^why( (u|you|do you|do u))?( (asking|ask|need to know|want to know|wanna know))?( that| this)?$"
    # "why do u need that", "why do you want my number", "what do you need it for": why the question is asked
    r"|^((but|and|so|ok) )?(why|y|whyy+) ((do|does|would|did) )?(you|u|ya|they|it|he|she) (need|want|wanna|ask|have to)"
    r"( (to|know|that|this|it|for|me|my \w+|about (that|this|it|me)))*$"
    r"|^what (do|does|would) (you|u|they) (need|want) (that|this|it|my \w+) for$|^what(s|'s| is) (that|this|it) for$"
    r"|^why (does|do|would) (it|that|this) matter$"
    # "do i have to give my real name", "will they know why im in care": a question about the question
    r"|^((but|and|so|ok) )?(do|will|would|does|can|could|must) (i|it|this|that|they|he|she|people|any ?one"
    r"|every ?one|my \w+|the \w+) (have to|need to|got to|know|see|read|find out|be told|get told|tell)\b"
    r"|^(wat|wot|what|huh|eh|wdym|like what|what kind of thing|what do i (say|write|put)|what should i (say|write))$"
    # fillers and frustration: "hmm", "ugh", "this is so annoying wtf how many more questions"
    r"|^(h+m+|u+m+|e+r+m+|u+h+|m+|ugh+|omg|wtf|ffs|bruh|meh|idc|k+)$|\bhow (many|much) more( questions| qs| things)?\b"
    r"|^(ugh+ |omg |wtf )?this is (so |really |well |proper )?(annoying|boring|long|stupid|dumb|taking ages"
    r"|pointless)\b"
    r"|^(what|wat) (will|do|are) (they|you|u) (do|going to do|gonna do) with (it|this|that|my \w+)$"
    r"|^what do (you|u) mean\b.{0,30}$|^what does (that|it) mean$"
    r"|^((sorry|soz|sry) )?(i )?(dont|don't|do not|not|no|cant|can't) (get|understand|undrstand)"
    r"( it| that| this| the question| what you mean| wat u mean)?$"
    r"|^can (u|you) (say|ask) (that|it) (another|a different|an easier) way$|^say (it|that) again$"
    r"|\b(are|r) (you|u) (even |actually )?(reading|listening|there|real|a robot|a bot|a person|human)\b"
    r"|\bis (this|that|it) (a )?(real )?(person|human|robot|bot)\b|\b(u|you) (are |r )?not listening\b"
    r"|\bis (any ?one|any1|anybody|someone|somebody) (there|reading|listening)\b"
    r"|^(any ?one|any1|anybody|hello+|hi+|hey+|oi+)$"
    r"|^((hello|hi|hey|oi) )?(are |r )?(u|you|ya) (still )?(there|awake|here)$|^(still|any ?one|any1|some ?one) there$"
)
# "i told you", "i already said", "same as before": the child says they answered already (their words from an earlier
# question may be offered back), unlike "hmm" or "what do you mean".
TOLD_YOU = re.compile(
    r"\b(i|u|you) (already |just |literally |literally just )*(told|said|answered|wrote|put)\b|^same as\b"
    r"|\bread (what i|up|back)\b|\balready (said|told|answered)\b"
)


def says_told_you(text: str) -> bool:
    return bool(TOLD_YOU.search(normal_words(text)))


# A message that asks to stop, at an open question ("actually stop i dont want it"): asked about, never saved.
# The stop words must start the message (after "actually", "wait"...) and nothing but these words may follow,
# so "stop putting me in taxis on my own" and "i want to stop having meetings at school" stay answers.
STOP_PREFIX = frozenset({"actually", "wait", "no", "ok", "oh", "um", "erm", "nah", "can", "we", "just", "please",
                         "pls", "i", "want", "to", "lets", "let's", "hold", "hang", "on", "sorry", "think", "id",
                         "i'd", "like", "rather"})
STOP_CORE = re.compile(
    r"^(stop|cancel|forget it|never ?mind|nvm|leave it|quit|end this|end it|delete it|delete this"
    r"|(i )?changed my mind|(i )?(dont|don't) want (it|this|that|to do (this|it|the form|this form))"
    r"|(i )?(dont|don't|do not) want to (send|do|finish|answer) (it|this|that|these|them|any more|anymore)"
    r"|(dont|don't) send( (it|this|that|anything))?)\b"
)
STOP_TAIL = frozenset({"i", "dont", "don't", "want", "it", "this", "that", "to", "do", "anymore", "any", "more", "now",
                       "please", "pls", "thanks", "form", "the", "send", "cancel", "stop", "changed", "my", "mind",
                       "actually", "ok", "no", "nah", "thing", "whole", "all", "of", "lol", "sorry", "an", "a",
                       "advocate", "visitor", "mentor", "about", "forget", "anything", "never", "cba", "cant", "be",
                       "bothered", "rn", "tbh", "mate", "finish", "answer", "these", "questions", "them", "think",
                       "first", "later", "bit", "time", "go", "away", "need", "wanna", "yet", "just", "right",
                       "for", "today", "sec", "minute", "min", "moment"})


# "Delete this chat" inside a form (issue 17) throws the answers away and the transcript with them, so, like a
# stop, only a plain request to delete the chat counts: "can u delete my messages pls", "i want this chat
# deleted", never "forget it" (a stop) or an answer that mentions deleting ("delete the pics he sent").
_DELETE_VERB = r"(delete|delet|deleet|delte|dlt|erase|wipe|clear|remove|rub out|get rid of|forget|bin)"
_CHAT = (r"(chat|conversation|convo|messages|msgs|what i (said|wrote|typed|put)"
         r"|everything i (said|wrote|typed|told you))")
_POLITE = r"((please|pls|plz|can|could|will|would|you|u|i|want|wanna|need|to|just|ok|okay|actually|now|like|id|i'd) )*"
DELETE_CHAT_SENTENCE = re.compile(
    rf"^{_POLITE}{_DELETE_VERB} ((this|my|the|all|of|our) )*{_CHAT}( (please|pls|plz|now|thanks|too))*$"
    rf"|^{_POLITE}(this|my|the|our) {_CHAT} (deleted|gone|wiped|erased|removed)( (please|pls|plz|now))*$"
    rf"|^(i )?(dont|don't|do not) (want|keep|save) (this|my|the|our) {_CHAT}( saved| kept)?( (please|pls|plz))*$"
)


# Anywhere in a message, the words of asking to delete the chat (the classifier's ``delete_chat`` stands only with
# them: bot/nlu/intent_gate.py): a deleting verb with the chat as what it deletes ("pls can u delete my messages
# cos my mum reads my phone"), the whole message a plain "delete this chat" (above), or only a deleting verb
# ("delete", "wipe it pls"; not "forget it"). Never a verb with something else ("how do you get rid of
# hiccups"), nor one said not to happen ("dont delete my chat") or said of something past ("he deleted my messages").
_CHAT_WORDS = (r"(chat|chats|conversation|convo|messages|msgs|texts|history|what i (said|wrote|typed|put|told)"
               r"|everything i (said|wrote|typed|put|told)|it all|all of it)")
_BEFORE_CHAT = r"((this|my|the|all|of|our|these|those|whole|that|it) )*"
DELETING_THE_CHAT = re.compile(rf"\b{_DELETE_VERB} {_BEFORE_CHAT}{_CHAT_WORDS}\b")
ONLY_DELETE = re.compile(  # not "forget it" (never mind) nor "clear", "remove", "bin" on their own
    rf"^{_POLITE}(delete|delet|deleet|delte|dlt|erase|wipe)( (it|that|this|everything|all))*"
    r"( (please|pls|plz|now|quick))*$")
NOT_DELETING = re.compile(rf"\b(dont|don't|do not|never|not|didnt|didn't|wont|won't)( \w+)? {_DELETE_VERB}\b")


def names_deleting_the_chat(text: str) -> bool:
    """The message asks, in its words, to delete this chat (see ``DELETING_THE_CHAT``)."""
    words = normal_words(text)
    if NOT_DELETING.search(words):
        return bool(DELETE_CHAT_SENTENCE.match(words))  # "i dont want this chat saved" is asking to delete it
    return bool(DELETING_THE_CHAT.search(words) or DELETE_CHAT_SENTENCE.match(words) or ONLY_DELETE.match(words))


def asks_to_delete_chat(text: str, intent: str | None) -> bool:
    """A plain "delete this chat" (the classifier's intent and the words agree): inside a form it ends the form,
    nothing sent, and deletes the chat (the rules: scripts/make_rules.py)."""
    return intent == DELETE_CHAT_INTENT and bool(DELETE_CHAT_SENTENCE.match(normal_words(text)))


# "i want to take back my review answers", "can i delete what i said for my review", "undo my wishes", "cancel my
# advocate request" (issue 20): taking back something sent, named by what it is. Only what follows the verb is read,
# so "i want to remove my social worker from my review" or "cancel my review meeting" (a wish, said to start the
# wishes form) is no such request; a "dont" before the verb ("dont take my answers back") neither.
TAKE_BACK_WISHES = "wishes_statement"
TAKE_BACK_ADVOCATE = "advocacy_referral"
TAKE_BACK_VISITOR = "visitor_request"
TAKE_BACK_ANY = ""  # "what i sent", "my request": whatever was sent last
_TAKE_BACK_VERB = (r"(take|takes|taking|pull) back|undo|un do|unsend|un send|withdraw|cancel|delete|delet"
                   r"|remove|erase|wipe|scrap|bin|get rid of|rub out")
_TAKE_BACK_LEAD = r"((my|the|all|of|those|these|what|everything|that|them) )*"
_REVIEW = r"(my |the |next )?(review|lac review|review meeting|meeting|iro)"
_SAID = r"(said|wrote|put|typed|told you|told u|sent|say|write)"
_TAKE_BACK_OBJECTS: tuple[tuple[str, str], ...] = (
    (TAKE_BACK_WISHES, rf"(review|meeting) (answers|answer|stuff|things|form|bit|words|statement|message)"
                       rf"|wishes( and feelings)?|feelings|views|(answers|words|stuff|things|form|bit|statement)"
                       rf" (for|about|to|from|in) {_REVIEW}|(what|everything|stuff|things) i {_SAID}"
                       rf"( (for|about|to|in|at) {_REVIEW})"),
    (TAKE_BACK_ADVOCATE, r"(advocate|advocacy|advocat) (request|referral|ask|form|thing)|advocate"
                         r"|(request|ask|referral) for (an |a |my )?(advocate|advocacy)"),
    (TAKE_BACK_VISITOR, r"(independent )?(visitor|mentor) (request|ask|form|thing)"
                        r"|(request|ask) for (an |a |my )?(independent )?(visitor|mentor)"),
    (TAKE_BACK_ANY, r"what i sent( you| u)?|request|what i (asked for|requested)|answers"),
)
TAKE_BACK_NEGATIONS = frozenset({"dont", "not", "never", "didnt", "cant", "wont"})  # (read without apostrophes)


def take_back_request(text: str) -> str | None:
    """What a child asks to take back, by its record type (``TAKE_BACK_ANY`` when they name none: "what i sent");
    None when the words ask no such thing."""
    words = normal_words(text).replace("'", "")
    for kind, objects in _TAKE_BACK_OBJECTS:
        found = re.search(rf"\b({_TAKE_BACK_VERB}) {_TAKE_BACK_LEAD}({objects})\b"
                          rf"|\b(take|pull) {_TAKE_BACK_LEAD}({objects}) back\b", words)
        if found is not None and not TAKE_BACK_NEGATIONS & set(words[: found.start()].split()):
            return kind
    return None


# A stop said in a clause of its own, first or last ("actually stop, ill talk to my key worker first", "wait. stop
# please, I ask my sw first", "can i do this later with my advocate instead? stop for now").
CLAUSE_BREAK = re.compile(r"[,.;!?]+")


def is_stop_sentence(text: str) -> bool:
    """"actually stop i dont want it", "can we stop", "nvm": a wish to stop, not an answer. A stop said first and
    then a reason after a comma or a full stop ("actually stop, ill talk to my key worker first") is one too (the
    child is asked, never stopped on a guess)."""
    clauses = [part for part in CLAUSE_BREAK.split(text) if part.strip()]
    return _stops(text) or (len(clauses) > 1 and any(_stops(part) for part in clauses))


def _stops(text: str) -> bool:
    words = normal_words(text).split()
    if not words or len(words) > 12:
        return False
    start = 0
    while start < len(words) - 1 and words[start] in STOP_PREFIX and not STOP_CORE.match(" ".join(words[start:])):
        start += 1
    rest = " ".join(words[start:])
    match = STOP_CORE.match(rest)
    return bool(match) and all(w in STOP_TAIL for w in rest[match.end():].split())


# "can i skip this", "skip pls", "pass": at a question that may be skipped, the skip.
SKIP_REQUEST = re.compile(
    r"^((can|could|may|cn) i |i (want to|wanna|will|ll|'ll) |(please|pls|plz|just|ok) )*(skip|pass|miss out)"
    r"( (this|that|it|this one|that one|this question|the question|for now|please|pls|plz))*$"
)
WHAT_WORDS = frozenset({"what", "whats", "what's", "wat", "wats", "wot", "wots", "wut", "explain", "wdym"})


def asks_what(text: str) -> bool:
    """"what is advocate?", "whats a mentor": a question about what something is, not an answer."""
    words = padded_words(text).split()
    return bool(words) and words[0] in WHAT_WORDS


ABOUT_THE_ANSWERS = re.compile(
    r"\b(if i (say|press|pick|choose|click|put|tap) (yes|no|ok|that)|what (happens|happen) (if|when|after)"
    r"|wh?at (does|do|dose) (yes|no) (mean|do)|what if i (say|press|pick|choose) )")


def asks_about_the_answers(text: str) -> bool:
    """"what happens if i say yes", "what does no mean": a question about what an answer does, answered by the
    question's own explanation (never a privacy or help digression, whatever the classifier says)."""
    return bool(ABOUT_THE_ANSWERS.search(padded_words(text)))


# "i dont get it", "i don't understand", "what do u mean": the child says they do not understand the question. The
# words "get", "understand" and "mean" alone say no such thing ("get it", "get my money back", "them to understand me"
# at "What do you want to happen?" are answers): only a whole "not getting it" does.
NOT_UNDERSTOOD = re.compile(
    r"^((sorry|soz|sry|um|erm|but|and|i|still|really|just|honestly|tbh|huh|what) )*"
    r"(dont|don't|do not|dnt|didnt|didn't|did not|not|cant|can't|cannot|no) (really |even |quite |fully |totally )?"
    r"(get|getting|understand|understanding|undrstand|understnd|understan|understood|follow)"
    r"( (it|that|this|what|you|u|ya|the question|this question|the words|that question|any of (it|that|this)"
    r"|what (you|u|ya) (mean|meant|said|want)|wat (you|u) mean|what it means|what that means|what to (say|put|write)))?"
    r"( (at all|sorry|soz|tbh|lol|mate|please|pls|plz))*$"
    r"|\b(what|wat|wot) (do|does|d) (you|u|ya|that|it|this) mean\b|\bwdym\b|\bconfus|\bmakes no sense\b"
    r"|\b(doesnt|doesn't|dont|don't) make (any )?sense\b"
    r"|\b(too|so|really) (hard|difficult|confusing) (to understand|for me)\b"
)


def says_not_understood(text: str) -> bool:
    """"i dont get it", "i don't understand the question", "what do u mean": not understanding, said as a whole
    message (never "get it" or "get my pocket money back")."""
    return bool(NOT_UNDERSTOOD.search(normal_words(text)))


def looks_like_question(text: str) -> bool:
    words = padded_words(text).split()
    starters = {"what", "whats", "what's", "wat", "wats", "wat's", "wot", "wots", "wut", "who", "whos", "who's",
                "how", "why", "can", "will", "is", "are", "do", "does", "explain", "huh", "eh", "wdym", "help"}
    return "?" in text or (bool(words) and words[0] in starters)


# "sorry i meant tuesday", "oops i meant 2": a short correction of the answer just given (the form changes it and
# asks the question on screen again). Only what follows "i meant" is read, and only for the question before.
CORRECTION = re.compile(
    r"^((sorry|soz|sry|oops|opps|oh|no|wait|actually|ah|ahh|my bad) )*(i meant|i mean|meant|i ment|i meant to say)"
    r" (?P<fix>.+)$"
)
NOT_THE_OLD = re.compile(r" (not|instead of|rather than|and not) .*$")
CORRECTION_MAX_WORDS = 4  # the corrected answer itself: "tuesday", "the 14th", "only the iro"


def correction_of(text: str) -> str | None:
    """The corrected answer in "sorry i meant tuesday" ("tuesday"), or None."""
    found = CORRECTION.match(normal_words(text))
    fix = NOT_THE_OLD.sub("", found.group("fix")) if found else ""  # "the 26th not the 19th": the 26th
    if not fix or len(fix.split()) > CORRECTION_MAX_WORDS:
        return None
    return fix


def emoji_as_words(text: str) -> str:
    """A thumbs up as "yes", a thumbs down as "no" (and the other yes and no emoji); the rest unchanged."""
    for emoji in YES_EMOJI:
        text = text.replace(emoji, " yes ")
    for emoji in NO_EMOJI:
        text = text.replace(emoji, " no ")
    return text


# "anyone" with a "no" or "dont" ("no I don't know anyone", "not anyone really"): nobody.
ANYONE_WORDS = frozenset({"anyone", "anybody", "any1", "anyon", "ne1"})
NOBODY_FILLER = frozenset({"really", "rly", "realy", "else", "at", "all", "yet", "atm", "tbh", "i've", "ive",
                           "have", "got"})
NOBODY_MAX_WORDS = 8


def says_nobody(text: str) -> bool:
    """"no1", "no one thanks", "nobody", "no I don't know anyone": nobody, and nothing else."""
    words = re.sub(r"\bno (one|body)\b", "nobody", re.sub(r"\bany (one|body)\b", "anyone", normal_words(text))).split()
    nobody = any(w in NOBODY_WORDS for w in words) or (
        any(w in ANYONE_WORDS for w in words) and any(w in NO_WORDS for w in words))
    allowed = NOBODY_WORDS | ANYONE_WORDS | NO_WORDS | FILLER_WORDS | NOBODY_FILLER
    return nobody and len(words) <= NOBODY_MAX_WORDS and all(w in allowed for w in words)


NOTHING_WORDS = frozenset({"nothing", "nothin", "nuthin", "nuthing", "nothink", "nuffin", "nowt", "nada", "none"})
NOTHING_FILLER = frozenset({"really", "rly", "realy", "else", "much", "at", "all", "yet", "for", "now", "atm", "tbh"})


def says_nothing(text: str) -> bool:
    """"nah nothing", "nothing really", "nowt": nothing (to add), and nothing else."""
    words = normal_words(text).split()
    return any(w in NOTHING_WORDS for w in words) and all(
        w in NOTHING_WORDS | NO_WORDS | FILLER_WORDS | NOTHING_FILLER for w in words)


def plain_yes_no(text: str, also_yes: frozenset[str] = frozenset()) -> bool | None:
    """True for a plain yes ("yeah thats fine", "👍"), False for a plain no ("no thanks", "not ok", "👎"), None for
    anything else (a question, a condition, both, neither). `also_yes`: the question's own yes word ("send" at the
    check: "ok send"), a strong yes, so "no dont send" is both ways, never a no."""
    text = emoji_as_words(text)
    if "?" in text or UNSURE.search(normal_words(text)):
        return None
    yes_words, strong = YES_WORDS | also_yes, STRONG_YES | also_yes
    words = NOT_OK.sub("no", normal_words(text)).split()
    if len(words) > 1 and words[0] == "know" and all(w in FILLER_WORDS for w in words[1:]):
        words[0] = "no"  # voice-to-text writes "no thats all" as "know thats all"
    if not words or any(w not in yes_words | NO_WORDS | FILLER_WORDS for w in words):
        return None
    first = next((w for w in words if w in yes_words | NO_WORDS), None)
    if first is None:
        return None
    if first in NO_WORDS:
        # "nah ur alright": a no, politely; but "no wait yes" is both
        return None if any(w in strong for w in words) else False
    return None if any(w in NO_WORDS for w in words) else True


# A no followed by a reason ("no im scared of dogs") at a yes/no question with a reason slot: the no, with the
# words kept as the reason. Not when the rest hedges ("no wait", "no idea", "no but maybe", "no i dont know").
NO_FIRST = frozenset({"no", "nope", "nah", "nahh", "naw", "na", "noo", "nooo"})
# After "but", these take a no back ("no but maybe later"); other words give the reason ("no shes nice but i want
# someone younger").
BUT_HEDGES = frozenset({"maybe", "if", "ok", "okay", "fine", "later", "yes", "yeah", "could", "might", "can",
                        "probably", "sure", "try", "perhaps", "then", "still", "would"})
HEDGE_WORDS = frozenset({"if", "unless", "but", "maybe", "idk", "dunno", "unsure", "idea", "wait", "depends", "yet",
                         "perhaps", "probably", "might", "or", "sure"})


AUXILIARIES = frozenset({"is", "are", "was", "were", "do", "does", "can", "will", "could", "would", "should"})
SUBJECTS = frozenset({"it", "that", "this", "you", "u", "he", "she", "they", "there", "we", "i", "him", "her"})


def _rest_asks(rest: list[str]) -> bool:
    """The words after a plain yes or no ask something ("no, why?", "yes is that ok"); "is about the council" and
    "is children home" (a first language without "it") say something."""
    if not rest:
        return False
    if rest[0] in AUXILIARIES:
        return len(rest) > 1 and rest[1] in SUBJECTS
    return looks_like_question(" ".join(rest))


def _hedges(rest: list[str], reason: bool = False) -> bool:
    """"no but maybe later", "yes or no": a hedge; "someone who speaks tigrinya or amharic" is not ("or" hedges only
    beside a yes or a no). After a no that gives a `reason`, "but" hedges only when a maybe or a question follows
    ("no shes nice but i want someone younger" is a no and its reason)."""
    for index, word in enumerate(rest):
        if word == "or":
            beside = rest[max(index - 1, 0): index] + rest[index + 1: index + 2]
            if any(w in YES_WORDS | NO_WORDS | {"maybe", "not"} for w in beside):
                return True
        elif word == "but" and reason:
            after = rest[index + 1:]
            if any(w in BUT_HEDGES for w in after[:3]) or _rest_asks(after):
                return True  # "no but maybe later", "no but she can come once", "no but is that bad"
        elif word in STRONG_YES or word in HEDGE_WORDS:
            return True
    return False


def no_with_reason(text: str, at_least: int = 3) -> bool:
    """"no im scared of dogs", "nah he seems boring": a plain no, then a reason in the child's words (at a
    question of fact one word will do: "no, foster")."""
    if "?" in text:
        return False
    words = normal_words(text).split()
    if len(words) < at_least or words[0] not in NO_FIRST:
        return False
    rest = words[1:]
    if _rest_asks(rest) or _hedges(rest, reason=True):
        return False
    return any(w not in YES_WORDS | NO_WORDS | FILLER_WORDS | {"know", "thanks"} for w in rest)


def yes_with_words(text: str) -> bool:
    """"yes he knows already", "yeah its a childrens home": a plain yes first, then words that neither hedge, ask
    nor take it back."""
    if "?" in text:
        return False
    words = normal_words(emoji_as_words(text)).split()
    if len(words) < 3 or words[0] not in STRONG_YES:
        return False
    rest = words[1:]
    return not (_rest_asks(rest) or any(w in NO_WORDS for w in rest) or _hedges(rest))
