"""Which lines of a pasted e-mail are messages, and which are headers and quoted history.

Agents paste what their mail client shows. A copy from Outlook or Gmail opens with header
lines (From, Sent, To, Cc, Subject, Date; Von, Gesendet, An, Betreff, Datum); a forwarded
message follows a separator ("---------- Weitergeleitete Nachricht ----------", "----------
Forwarded message ---------") and header lines of its own before the customer's text; a reply
has the conversation so far below it ("Am … schrieb …:", "On … wrote:", "-----Original
Message-----", or a header block naming a sender, as Outlook and GMX quote). A header block
before a message's text is skipped and its subject kept: the customer's own words for the
request. Quoted history ends the e-mail. Each message's own lines make one segment, which
the letter's rules read next (greeting, sign-off, signature: kb/search/message_request.py).

Every pattern is applied to one line with ``match`` and repeats without bound only
possessively (or searches with no repeat at all), so each line is read in time linear in
its length, whatever it holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# the fields mail clients copy above a message, in English and German
HEADER_FIELDS = ("antwort an", "reply-to", "from", "von", "sent", "gesendet", "to", "an", "cc", "bcc", "kopie",
                 "subject", "betreff", "date", "datum", "importance", "wichtigkeit", "attachments", "anlagen",
                 "anhänge")
SENDER_FIELDS = frozenset({"from", "von"})
SUBJECT_FIELDS = frozenset({"subject", "betreff"})
# a subject's prefixes: a reply's ("AW: Rücksendung") and a forward's ("WG:", "Fwd:")
REPLY_PREFIXES = frozenset({"re", "aw", "antw", "sv"})
FORWARD_PREFIXES = frozenset({"fw", "fwd", "wg", "wtr"})
MAX_PREFIXES = 10  # "AW: AW: WG: ..." of a long thread

_FIELD = re.compile(rf"[ \t]*+(?P<name>{'|'.join(HEADER_FIELDS)})[ \t]*+:[ \t]*+(?P<value>.*+)", re.I)
# longest first, then alphabetical: one pattern, the same in every process (sets iterate by hash)
_PREFIXES = "|".join(sorted(REPLY_PREFIXES | FORWARD_PREFIXES, key=lambda prefix: (-len(prefix), prefix)))
_PREFIX = re.compile(rf"[ \t]*+(?P<kind>{_PREFIXES})(?:\[\d{{1,3}}\])?[ \t]*+:", re.I)
# what comes below it is forwarded: Gmail, Thunderbird, Apple Mail
_FORWARD = re.compile(r"[ \t]*+(?:-{2,}+[ \t]*+(?:forwarded message|weitergeleitete nachricht)[ \t]*+-*+"
                      r"|begin forwarded message:|anfang der weitergeleiteten nachricht:)[ \t]*+$", re.I)
# what comes below it is the message replied to (or, under a forward's subject, the one forwarded)
_ORIGINAL = re.compile(r"[ \t]*+-{2,}+[ \t]*+(?:original|ursprüngliche)\b.*+", re.I)
# "Am Mo., 12. Okt. 2026 um 10:32 Uhr schrieb Anna <anna@example.de>:", "On Mon, … Anna wrote:"
_ATTRIBUTION = re.compile(r"[ \t]*+(?:am|on)[ \t]", re.I)
_ATTRIBUTION_VERB = re.compile(r"[ \t](?:schrieb|wrote)\b", re.I)
# a rule between messages: Outlook's "________________________________"
_RULE = re.compile(r"[ \t]*+(?:_{3,}+|-{3,}+|={3,}+|\*{3,}+)[ \t]*+$")


@dataclass
class Mail:
    subjects: list[str] = field(default_factory=list)  # of the messages read, without their prefixes
    segments: list[list[str]] = field(default_factory=lambda: [[]])  # each message's own lines, in order


@dataclass
class _Header:
    end: int  # the first line after the block
    subject: str | None
    sender: bool  # names who sent it: a block like this after a message's text quotes history
    forwarded: bool  # its subject says a forwarded message follows ("WG: …")


def subject_text(value: str) -> tuple[str, bool]:
    """A subject without its reply and forward prefixes, and whether one was a forward's."""
    position, forwarded = 0, False
    for _ in range(MAX_PREFIXES):
        prefix = _PREFIX.match(value, position)
        if prefix is None:
            break
        forwarded = forwarded or prefix["kind"].lower() in FORWARD_PREFIXES
        position = prefix.end()
    return value[position:].strip(), forwarded


def _header(lines: list[str], start: int) -> _Header | None:
    """The header block from ``start``: field lines, blank lines between them allowed."""
    header, at = _Header(start, None, False, False), start
    while at < len(lines):
        found = _FIELD.match(lines[at])
        if found is None:
            if lines[at].strip():
                break
            at += 1  # blank lines: the block goes on where a field follows them
            continue
        name = found["name"].lower()
        header.sender = header.sender or name in SENDER_FIELDS
        if name in SUBJECT_FIELDS:
            header.subject, header.forwarded = subject_text(found["value"])
        at += 1
        header.end = at
    return header if header.end > start else None


def _attribution(lines: list[str], at: int) -> bool:
    """"Am … schrieb …:" or "On … wrote:", also wrapped onto a second line as Gmail wraps it."""
    line = lines[at]
    if not _ATTRIBUTION.match(line):
        return False
    if not line.rstrip().endswith(":") and at + 1 < len(lines):
        line = f"{line} {lines[at + 1]}"
    return line.rstrip().endswith(":") and _ATTRIBUTION_VERB.search(line) is not None


def read_mail(lines: list[str]) -> Mail:
    """The messages of a pasted e-mail: header blocks before a message's text skipped (their
    subjects kept), a forwarded message a segment of its own, quoted history left out."""
    mail = Mail()
    has_text = forwarded = False  # forwarded: the next separator or sender's header opens a forward
    at = 0
    while at < len(lines):
        line = lines[at]
        if _FORWARD.match(line) or (forwarded and _ORIGINAL.match(line)):
            mail.segments.append([])
            has_text = forwarded = False
            at += 1
            continue
        if _ORIGINAL.match(line) or _attribution(lines, at):
            break
        header = _header(lines, at) if _FIELD.match(line) else None
        if header is not None and has_text and not header.sender:
            mail.segments[-1].extend(lines[at:header.end])  # "Datum: …" in the text is text
            at = header.end
            continue
        if header is not None:
            if has_text and not forwarded:
                break  # a sender's header below the text: the conversation replied to
            if has_text:
                mail.segments.append([])
            if header.subject:
                mail.subjects.append(header.subject)
            has_text, forwarded, at = False, header.forwarded, header.end
            continue
        if not _RULE.match(line):
            mail.segments[-1].append(line)
            has_text = has_text or bool(line.strip())
        at += 1
    return mail
