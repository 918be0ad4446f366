"""A question's greeting and thanks are not what it asks.

Customers write to a help centre as to a person: "Hallo, wo ist mein Paket? Danke!",
"hi, can I change my order? thanks", "where is my order pls", "kurze Frage: ...". The
greeting, an opening such as "ich habe eine Frage:", the thanks and a closing "please"
carry no evidence for any article, but they move the question's vector and add words
every article lacks, so the right article is found less often and answered with less
confidence. They are cut from the start and the end of the question before it is
searched (at the end one after the other: "... bitte, danke"), as long as a question of at
least ``MIN_WORDS_LEFT`` word remains ("Hallo" alone stays "Hallo").
"""

from __future__ import annotations

import re

MIN_WORDS_LEFT = 1
MAX_CLOSINGS = 3  # "bitte, vielen dank, viele grüße" at most: a question does not end in more
# Not cut: "LG" and "VG" (also brands and companies: "fernseher von LG"), and a hyphen
# after a greeting word ("Hi-Fi").

# The words, as regular expressions, that open and close a message to a person; an agent's
# pasted e-mail is cut by the same ones (kb/search/message_search.py).
GREETING_WORDS = (r"hallo|hello|hi|hey|moin|servus|grüß gott|gruess gott|guten (?:tag|morgen|abend)|"
                  r"good (?:morning|afternoon|evening)|liebes? (?:\w+[- ])?team|"
                  r"dear (?:\w+[- ])?(?:team|sir or madam|sir|madam)|sehr geehrte damen und herren")
SIGN_OFF_WORDS = (r"(?:(?:mit )?(?:viele|liebe|beste|freundliche|herzliche)n? )?gr(?:ü|ue|u)(?:ß|ss)(?:e|en)?|"
                  r"best regards|kind regards|regards|cheers|many thanks|thanks in advance")
THANKS_WORDS = (r"(?:vielen |besten |herzlichen )?dank(?:e)?(?: (?:schön|sehr|euch|ihnen|im voraus|vorab))*|"
                r"thanks?(?: you)?(?: (?:so much|very much|a lot|in advance))*|thx|merci|mfg")
# a "please" at the end asks nothing: "wo ist meine bestellung bitte", "where is my order pls"
PLEASE_WORDS = r"bitte(?: schön| sehr)?|please|pls|plz"

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
_GREETING = re.compile(rf"^\s*(?:(?:{GREETING_WORDS})(?:\s+(?:zusammen|there|all|team))?)\s*(?:[,!.:;]+\s*|\s+)",
                       re.I)
_THANKS = re.compile(rf"(?:^|[\s,.!?;:-])(?:{THANKS_WORDS}|{SIGN_OFF_WORDS}|{PLEASE_WORDS})\s*[.!?]*\s*$", re.I)


def words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def without_salutations(text: str) -> str:
    """The question without a greeting and an opening at its start or thanks at its end
    (whitespace tidied), or as given when too little would remain."""
    rest = text
    for opening in (_GREETING, _OPENING):  # "Hallo, ich habe eine Frage: ..."
        found = opening.match(rest)
        if found and words(rest[found.end():]) >= MIN_WORDS_LEFT:
            rest = rest[found.end():]
    for _ in range(MAX_CLOSINGS):
        thanks = _THANKS.search(rest)
        if not thanks or words(rest[:thanks.start()]) < MIN_WORDS_LEFT:
            break
        rest = rest[:thanks.start()].rstrip(" ,;:-")
    rest = rest.strip(" ,;:-")
    return rest if rest else text
