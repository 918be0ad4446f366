"""A question's greeting and thanks are not what it asks.

Customers write to a help centre as to a person: "Hallo, wo ist mein Paket? Danke!",
"hi, can I change my order? thanks", "where is my order pls", "kurze Frage: ...". The
greeting, an opening such as "ich habe eine Frage:", the thanks and a closing "please"
carry no evidence for any article, but they move the question's vector and add words
every article lacks, so the right article is found less often and answered with less
confidence. They are cut from the start and the end of the question before it is
searched (at the end one after the other: "... bitte, danke"), as long as a question of at
least ``MIN_WORDS_LEFT`` word remains ("Hallo" alone stays "Hallo").

A name signed under the question ("Viele Grüße, Anna Schmidt", "...? LG Anna", "Thanks,
John") or given in an introduction ("mein Name ist Anna Schmidt, ...", "hier ist Anna
Schmidt.") is personal data: :func:`signed_name` here and kb/content/introductions.py find
it for kb/content/privacy.py, which masks it before anything is stored or searched; the
closing before the placeholder, and the introduction with it, are cut like any other.
"""

from __future__ import annotations

import re

from kb.content.introductions import INTRODUCTION_WORDS, MAX_NAME_WORDS, NOT_NAMES, SELF_INTRODUCTION_WORDS

MIN_WORDS_LEFT = 1
MAX_CLOSINGS = 3  # "bitte, vielen dank, viele grüße" at most: a question does not end in more

# Not cut: "LG" and "VG" unless a sentence ends before them ("...? LG Anna"): they are also
# brands and companies ("fernseher von LG"); a hyphen after a greeting word ("Hi-Fi").

# The words, as regular expressions, that open and close a message to a person; an agent's
# pasted e-mail is cut by the same ones (kb/search/message_search.py).
GREETING_WORDS = (r"hallo|hello|hi|hey|moin|servus|grüß gott|gruess gott|guten (?:tag|morgen|abend)|"
                  r"good (?:morning|afternoon|evening)|liebes? (?:\w+[- ])?team|"
                  r"dear (?:\w+[- ])?(?:team|sir or madam|sir|madam)|sehr geehrte damen und herren")
# "Viele Grüße aus Hamburg": a place after the greeting word is part of the closing
SIGN_OFF_WORDS = (r"(?:(?:mit )?(?:viele|liebe|beste|freundliche|herzliche)n? )?gr(?:ü|ue|u)(?:ß|ss)(?:e|en)?"
                  r"(?: aus (?!(?:dem|der|den|die|das|einem|einer|meinem|meiner)\b)[^\W\d_][\w-]*)?|"
                  r"(?:(?:best|kind|warm) )?(?:regards|greetings) from (?!(?:the|my|a|an|your)\b)[^\W\d_][\w-]*|"
                  r"best regards|kind regards|regards|(?:yours )?sincerely(?: yours)?|yours truly|yours|"
                  r"best wishes|all the best|hochachtungsvoll|"
                  r"cheers|many thanks|thanks in advance")
THANKS_WORDS = (r"(?:vielen |besten |herzlichen )?dank(?:e)?(?: (?:schön|sehr|euch|ihnen|im voraus|vorab))*|"
                r"thanks?(?: you)?(?: (?:so much|very much|a lot|in advance))*|thx|merci|mfg")
# sign-offs that are also words or brands: a closing only after the end of a sentence
SHORT_SIGN_OFF_WORDS = r"lg|vg|glg|bg|lgs|best"
# a "please" at the end asks nothing: "wo ist meine bestellung bitte", "where is my order pls"
PLEASE_WORDS = r"bitte(?: schön| sehr)?|please|pls|plz"

# A message that closes the matter asks nothing ("Danke, hat sich erledigt!", "thanks, all
# sorted"); "hat nicht funktioniert" is not closed: every word must be one of these.
CLOSED_MATTER_WORDS = (r"(?:das |es )?hat sich (?:jetzt |schon |inzwischen |mittlerweile )?erledigt|"
                       r"(?:ist |schon |alles )?erledigt|alles klar|alles gut|"
                       r"(?:hat |es hat )?(?:jetzt |doch |super )?(?:geklappt|funktioniert)|passt(?: schon)?|"
                       r"(?:ich )?(?:habe|hab) (?:es |'s )?(?:jetzt |schon |inzwischen )?gefunden|"
                       r"never ?mind|(?:it'?s |all |problem )?(?:sorted|solved|resolved)(?: now)?|"
                       r"(?:that|this|it) (?:helped|worked)|(?:got|found) it|(?:i )?found it|"
                       r"ok(?:ay)?|super|prima|perfekt|perfect|great|cool|toll|top")

# What opens a question without asking it, when a mark ends it: "ich habe eine frage: ...",
# "kurze frage, ...", "können sie mir helfen? ...", "quick question: ..."; "eine frage zur
# rechnung" has no mark after "frage" and stays.
OPENING_WORDS = (r"(?:ich )?(?:habe|hab|hätte|haette) (?:da )?(?:mal )?(?:eine|ne) (?:kurze )?frage|"
                 r"(?:eine )?kurze frage|eine frage|frage|"
                 r"(?:bitte )?(?:helfen sie mir|hilf mir|helft mir)(?: bitte)?|"
                 r"(?:können|koennen|könnten|koennten) sie mir (?:bitte )?helfen|"
                 r"(?:kannst|könnt|koennt) (?:du|ihr) mir (?:bitte )?helfen|"
                 r"(?:i )?(?:have|got) a (?:quick )?question|quick question|question|"
                 r"(?:please )?help(?: me)?(?: please)?|(?:can|could) you (?:please )?help(?: me)?")
_OPENING = re.compile(rf"^\s*(?:{OPENING_WORDS})\s*[,:.!?;-]+\s*", re.I)
# a customer introducing themselves ("mein Name ist Anna Schmidt, ...", "hier ist Anna Schmidt.
# ..."): the name is masked (kb/content/privacy.py), the introduction with its placeholder asks nothing
_INTRODUCTION = re.compile(rf"^\s*(?:{INTRODUCTION_WORDS}|{SELF_INTRODUCTION_WORDS})\s*(?:\[name\])?\s*"
                           r"(?:[,:.!?;-]+|(?:und|and)\b)\s*", re.I)
_GREETING = re.compile(rf"^\s*(?:(?:{GREETING_WORDS})(?:\s+(?:zusammen|there|all|team))?)\s*(?:[,!.:;]+\s*|\s+)",
                       re.I)
# a closing, with the placeholder of a name signed after it (kb/content/privacy.py)
_SIGNED_PLACEHOLDER = r"(?:[\s,]+\[name\])?"
_THANKS = re.compile(rf"(?:^|[\s,.!?;:-])(?:{THANKS_WORDS}|{SIGN_OFF_WORDS}|{PLEASE_WORDS}){_SIGNED_PLACEHOLDER}"
                     r"\s*[.!?]*\s*$", re.I)
_SHORT_SIGN_OFF = re.compile(rf"(?<=[.!?])\s*(?:{SHORT_SIGN_OFF_WORDS}){_SIGNED_PLACEHOLDER}\s*[.!]*\s*$", re.I)

# a name under a closing: a title, up to three words of letters, then at most a full stop
# or "!", or the placeholders of contact details signed with it ("Klaus Weber, Tel. [number]")
# ("Ihre Anna Schmidt", "Dr. med. Anna Schmidt", "A. Schmidt, Kd.-Nr. [number]")
TITLE_WORDS = r"ihre?|deine?|euer|eure|your|dr|prof|med|dent|phil|jur|rer\.?\s*nat|dipl\.?-ing|mr|mrs|ms|miss|herr|frau"
_SIGNED_DETAILS = (r"(?:[\s,;:|/(-]*(?:tel|telefon|phone|mobil|mobile|handy|fon|fax|e-?mail|mail|kd\.?-?nr|"
                   r"kundennr|kundennummer|kunden-nr|customer (?:no|number|id))?\.?:?\s*"
                   r"\[(?:number|email|address|code)\]\)?)*")
_NAME = re.compile(rf"[\s,]+(?:(?:{TITLE_WORDS})\.?\s+)*(?:[^\W\d_]\.\s*(?=[^\W\d_]{{2}}))?"
                   rf"([^\W\d_][\w'-]*(?:\s+[^\W\d_][\w'-]*){{0,{MAX_NAME_WORDS - 1}}})"
                   rf"{_SIGNED_DETAILS}\s*[.!]*\s*$", re.I)
# the closings a name may follow: after a sign-off any words ("mfg anna schmidt"); after
# thanks only a capitalised name ("Danke, Anna"), as "thanks, order status" is a question
_SIGN_OFF = re.compile(rf"(?:^|(?<=[\s,.!?;:-]))(?:{SIGN_OFF_WORDS}|mfg)(?=[\s,])|"
                       rf"(?<=[.!?])\s*(?:{SHORT_SIGN_OFF_WORDS})(?=[\s,])", re.I)
_THANKED = re.compile(rf"(?:^|(?<=[\s,.!?;:-]))(?:{THANKS_WORDS})(?=[\s,])", re.I)
# a closing or a word of one ("Viele" of "Viele Grüße") is no name
_CLOSING_WORD = re.compile(rf"{THANKS_WORDS}|{SIGN_OFF_WORDS}|{PLEASE_WORDS}|{SHORT_SIGN_OFF_WORDS}|viele|liebe|"
                           r"beste|freundlichen|herzliche|kind|many", re.I)
_COURTESY = re.compile(rf"(?<!\w)(?:{THANKS_WORDS}|{SIGN_OFF_WORDS}|{PLEASE_WORDS}|{SHORT_SIGN_OFF_WORDS}|"
                       rf"{GREETING_WORDS}|{CLOSED_MATTER_WORDS})(?!\w)|\[name\]", re.I)


def words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def signed_name(text: str) -> tuple[int, int] | None:
    """Where the name signed at the end of a message is (start, end), after its last closing
    ("... Viele Grüße, Anna Schmidt", "...? LG Anna", "Thanks, John"); None when there is none.
    Words such as "für" or "the" are no name ("danke für die hilfe"); where a sign-off and
    thanks end at the same place ("mfg"), the sign-off's rule counts."""
    closings = [(m, False) for m in _SIGN_OFF.finditer(text)] + [(m, True) for m in _THANKED.finditer(text)]
    for closing, capitalised in sorted(closings, key=lambda c: -c[0].end()):
        name = _NAME.match(text, closing.end())
        if name is None:
            continue
        name_words = name.group(1).split()
        if any(w.lower() in NOT_NAMES or _CLOSING_WORD.fullmatch(w) for w in name_words):
            return None
        if capitalised and not name_words[0][0].isupper():
            return None
        return name.span(1)
    return None


def courtesy_only(text: str) -> bool:
    """True when a message only greets, thanks or closes the matter ("Danke, hat sich erledigt!",
    "Thanks, all sorted. Best, Anna"): there is nothing to answer. Every word must be one of
    those or the name signed after them."""
    name = signed_name(text)
    if name:
        text = text[:name[0]] + " " + text[name[1]:]
    rest, found = _COURTESY.subn(" ", text)
    return found > 0 and not re.search(r"[^\W_]", rest)


_THANKS_OR_CLOSED = re.compile(rf"(?<!\w)(?:{THANKS_WORDS}|{CLOSED_MATTER_WORDS})(?!\w)", re.I)


def thanks_only(text: str) -> bool:
    """True when a message thanks or closes the matter and asks nothing ("Danke, hat sich
    erledigt!"); a greeting and a sign-off alone are no thanks, just no message."""
    return courtesy_only(text) and bool(_THANKS_OR_CLOSED.search(text))


def without_salutations(text: str) -> str:
    """The question without a greeting and an opening at its start or thanks at its end
    (whitespace tidied), or as given when too little would remain."""
    rest = text
    for opening in (_GREETING, _INTRODUCTION, _OPENING):  # "Hallo, mein Name ist …, ich habe eine Frage: ..."
        found = opening.match(rest)
        if found and words(rest[found.end():]) >= MIN_WORDS_LEFT:
            rest = rest[found.end():]
    for _ in range(MAX_CLOSINGS):
        thanks = _THANKS.search(rest) or _SHORT_SIGN_OFF.search(rest)
        if not thanks or words(rest[:thanks.start()]) < MIN_WORDS_LEFT:
            break
        rest = rest[:thanks.start()].rstrip(" ,;:-")
    rest = rest.strip(" ,;:-")
    return rest if rest else text
