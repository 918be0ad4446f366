"""The text of a pasted customer message that carries the request.

An agent pastes an e-mail as the mail client shows it, or a chat. The e-mail's header
blocks, forwarded messages and quoted history are told apart first, and a colleague's note
above a forwarded message left out (kb/search/mail_layout.py);
in a chat transcript only the customer's lines count (kb/search/chat_turns.py); in a letter
the greeting line is skipped and the sign-off or signature ends it. A subject is kept apart:
the customer's own words for the request, unless they name no topic ("Anfrage", "Frage").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from whoosh.lang import stopwords_for_language

from kb.content.attachments import without_attachments
from kb.content.salutations import (GREETING_WORDS, SHORT_SIGN_OFF_WORDS, SIGN_OFF_WORDS, THANKS_WORDS,
                                    courtesy_only)
from kb.search.chat_turns import customer_turns
from kb.search.mail_layout import layout_lines, read_mail

MAX_MESSAGE_CHARS = 20_000
# a line opening with these ends the letter: a signature follows ("Best, John" and a lone
# "LG" too, "LG Fernseher ..." is a brand; thanks with a closing: "Danke und Gruß", "Thanks and regards")
_SIGN_OFF = re.compile(rf"^\s*(--\s*$|(?:{SIGN_OFF_WORDS})\b|(?:{SHORT_SIGN_OFF_WORDS})(?:,|\s*$)|sent from my|"
                       rf"(?:{THANKS_WORDS})[ \t]*(?:,|und|and|&)[ \t]*(?:{SIGN_OFF_WORDS}|{SHORT_SIGN_OFF_WORDS})\b|"
                       r"von meinem \w+ gesendet|gesendet von)", re.I)
# a signature's lines: thanks with a name after it ("Danke, Klaus Weber"), a phone or fax number
_SIGNATURE_LINE = re.compile(rf"^\s*(?:(?i:{THANKS_WORDS})[ \t]*[,!.]?(?:[ \t]+[A-ZÄÖÜ][\w'’-]*\.?){{1,3}}\s*"
                             r"|(?i:tel(?:efon)?|fon|mobil|handy|phone|mobile|cell|fax)\.?:?[ \t]*[+(\d][^?]*)$")
# a line that is only a greeting, with a name: "Hallo Frau Müller," "Sehr geehrte Frau Dr. Weber,"
# "Guten Tag Herr Schmidt"; "Hallo, ich habe ..." or "hi where is my parcel" on one line is the
# request itself. Words follow whitespace, so the match is linear in the line's length.
GREETING_NAME_WORDS = 4  # a name after the greeting, its closing mark after it
UNMARKED_NAME_WORDS = 2  # without the mark, more words are the request
_GREETING_START = rf"^\s*(?:{GREETING_WORDS}|sehr geehrter?|liebe[rs]?|dear)"
_NAME_WORD = r"[ \t]+[\w.'’-]+"
_GREETING = re.compile(rf"{_GREETING_START}(?:(?:{_NAME_WORD}){{0,{GREETING_NAME_WORDS}}}[ \t]*[,!.:]"
                       rf"|(?:{_NAME_WORD}){{0,{UNMARKED_NAME_WORDS}}})\s*$", re.I)
# a subject of only these words names no topic: "Anfrage", "Frage zu meiner Bestellung" does
NO_TOPIC_WORDS = frozenset({"anfrage", "frage", "fragen", "question", "questions", "hilfe", "help", "problem",
                            "kontakt", "contact", "kontaktformular", "form", "nachricht", "message", "support",
                            "kundenservice", "customer", "service", "request", "inquiry", "enquiry", "info",
                            "information", "informationen", "betreff", "subject", "wichtig", "important",
                            "dringend", "urgent"})
_FUNCTION_WORDS = frozenset(stopwords_for_language("de")) | frozenset(stopwords_for_language("en"))


@dataclass
class Request:
    subjects: list[str] = field(default_factory=list)  # the messages' subjects that name a topic
    # the customer's own text, in order: each message's lines joined (a letter wraps a sentence
    # over lines), each chat turn apart (a turn ends what its speaker says)
    texts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(self.texts)


def _letter_lines(lines: list[str]) -> list[str]:
    """A letter's lines: greeting lines and quoted lines ("> …") skipped, ended by the sign-off or signature."""
    kept = []
    for line in lines:
        if _SIGN_OFF.match(line) or _SIGNATURE_LINE.match(line):
            break  # everything below is signature
        if line.strip() and not line.lstrip().startswith(">") and not _GREETING.match(line):
            kept.append(line.strip())
    return kept


def _chat_lines(lines: list[str]) -> list[str]:
    """A customer's chat lines: each turn is a line of its own, so a greeting or a closing
    drops only itself."""
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith(">")
            and not (_GREETING.match(line) or _SIGN_OFF.match(line) or _SIGNATURE_LINE.match(line))]


def names_a_topic(subject: str) -> bool:
    """Whether a subject says what the message is about: not "Anfrage", "Frage", "Hallo" or "Danke"."""
    words = [w for w in re.findall(r"\w+", subject.lower()) if w not in _FUNCTION_WORDS]
    return bool(words) and not courtesy_only(subject) and not all(w in NO_TOPIC_WORDS for w in words)


def read_request(text: str, by_customer: bool = False, own_domains: Iterable[str] = ()) -> Request:
    """The customer's lines of a pasted e-mail or chat, and the subjects that name a topic.

    ``by_customer``: the customer sent the text themselves (the contact form, the portal's
    search box), so a note above a forwarded message is theirs and is read too; otherwise an
    agent pasted it, and such a note is left out when it is a colleague's, from one of the shop's
    ``own_domains`` (kb/search/mail_layout.py)."""
    # a file pasted as text is no words of the request (kb/content/attachments.py)
    mail = read_mail(without_attachments(text, "")[:MAX_MESSAGE_CHARS].splitlines())
    messages = mail.messages if by_customer else mail.without_forwarders_notes(own_domains)
    subjects = [subject for message in messages for subject in message.subjects]
    request = Request([s for s in dict.fromkeys(subjects) if names_a_topic(s)])
    for segment in (message.lines for message in messages):
        turns = customer_turns(segment)
        texts = [_letter_lines(segment)] if turns is None else [_chat_lines(turn) for turn in turns]
        request.texts += [" ".join(lines) for lines in texts if lines]
    return request


def request_text(text: str, by_customer: bool = False, own_domains: Iterable[str] = ()) -> str:
    """The message's own lines, joined: no headers, quoted history, greetings, signature or agent's lines."""
    return read_request(text, by_customer, own_domains).text


def customer_preview(text: str) -> str:
    """A request's text for a one-line preview in the inbox: the customer's own lines
    (:func:`request_text`, as the customer sent it). When those are empty, as in a pasted mail
    that opens with "-----Original Message-----" and its header, every line that is not the
    mail's layout, so the preview starts with words, not "From: … Sent: …"; the text as it is
    when nothing else is left."""
    own = request_text(text, by_customer=True)
    if not own:
        lines = text[:MAX_MESSAGE_CHARS].splitlines()
        layout = layout_lines(lines)
        own = " ".join(line.strip() for at, line in enumerate(lines) if at not in layout and line.strip())
    return " ".join((own or text).split())
