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

Text above a forwarded message, in an e-mail an agent pastes, is left out, with the subject
of its header, only when it is positively a colleague's note ("FYI see below", "Kannst du das
übernehmen?"): its own header names a sender on the shop's own domain (``own_domains``, from
site.yml's e-mail address, passed in by the web layer) and the forwarded message below has text
of its own and a sender outside that domain (:meth:`Mail.without_forwarders_notes`). Every other
note is searched with the forwarded text: a customer who forwards a third party's e-mail (the
shop's invoice, a carrier's notice, PayPal) writes their question above it, and a note without a
header, or with a sender elsewhere, cannot be told from theirs. Text a customer sent themselves
(the contact form, the portal's search box) has no colleague's note: every message of it counts
(kb/search/message_request.py).

Every pattern is applied to one line with ``match`` and repeats without bound only
possessively (or searches with no repeat at all), so each line is read in time linear in
its length, whatever it holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
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
class Message:
    """One message of a pasted e-mail: its own lines, and what the header blocks above it say."""

    lines: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)  # without their prefixes
    sender: str | None = None  # who the nearest From line above it names (see _sender)


@dataclass
class Mail:
    # the pasted e-mail's own message first (the note of a forward), then each forwarded one, in order
    messages: list[Message] = field(default_factory=lambda: [Message()])

    def without_forwarders_notes(self, own_domains: Iterable[str] = ()) -> list[Message]:
        """The messages that carry the customer's request: each one but a colleague's note (see
        :func:`_colleagues_note`); ``own_domains``: the shop's e-mail domains, none drops nothing."""
        domains = frozenset(domain.lower() for domain in own_domains if domain)
        kept: list[Message] = []
        forwarded, forwarded_dropped = None, False
        for message in reversed(self.messages):  # the innermost forward first: a note's fate needs it
            dropped = _colleagues_note(message, forwarded, forwarded_dropped, domains)
            if not dropped:
                kept.append(message)
            forwarded, forwarded_dropped = message, dropped
        return kept[::-1]


@dataclass
class _Header:
    end: int  # the first line after the block
    subject: str | None
    sender: str | None  # who it names as sender: a block like this after a message's text quotes history
    forwarded: bool  # its subject says a forwarded message follows ("WG: …")


def _sender(value: str) -> str:
    """Who a From line names, as compared: the address in lower case ("Anna <ANNA@gmx.de>" and
    "anna@gmx.de" are one sender), else the name as written, case-folded."""
    opened = value.rfind("<")
    closed = value.find(">", opened + 1) if opened >= 0 else -1
    if closed > opened:
        return value[opened + 1:closed].strip().lower()
    for word in value.split():
        if "@" in word:
            return word.strip("<>\"'(),;[]").lower()
    return " ".join(value.split()).casefold()


def sender_domain(sender: str | None) -> str | None:
    """The domain of a sender as :func:`_sender` gives it, None for a name without an address."""
    if not sender or "@" not in sender:
        return None
    return sender.rpartition("@")[2].strip(".") or None


def on_domains(sender: str | None, domains: frozenset[str]) -> bool:
    """Whether a sender's address is on one of the domains, or on a subdomain of one
    ("service@mail.hafenkorb.de" is the shop's too)."""
    domain = sender_domain(sender)
    return domain is not None and any(domain == own or domain.endswith("." + own) for own in domains)


def _colleagues_note(note: Message, forwarded: Message | None, forwarded_dropped: bool,
                     domains: frozenset[str]) -> bool:
    """Whether a message is a colleague's note to leave out: its header names a sender on the
    shop's domain, and below it is a forwarded message with text of its own from outside that
    domain, or another colleague's note (a colleague forwarding a colleague's forward). Anything
    less certain is kept, as a customer's question above a forward is the request; so is a note
    above the shop's own mail (its invoice, its shipping notice), which a customer forwards to ask
    about it."""
    if forwarded is None or not _has_text(forwarded.lines):
        return False  # the note is all there is
    return on_domains(note.sender, domains) and (forwarded_dropped or not on_domains(forwarded.sender, domains))


def _has_text(lines: list[str]) -> bool:
    return any(line.strip() for line in lines)


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
    header, at = _Header(start, None, None, False), start
    while at < len(lines):
        found = _FIELD.match(lines[at])
        if found is None:
            if lines[at].strip():
                break
            at += 1  # blank lines: the block goes on where a field follows them
            continue
        name = found["name"].lower()
        if name in SENDER_FIELDS and header.sender is None:
            header.sender = _sender(found["value"])
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


def layout_lines(lines: list[str]) -> set[int]:
    """The positions of the lines that are the mail's layout, nobody's words: header fields,
    separators of forwarded and original messages, rules, "Am … schrieb …:" (both lines when
    wrapped). For a text whose messages :func:`read_mail` finds empty (it opens with the quoted
    history itself), what remains is still somebody's text."""
    found: set[int] = set()
    for at, line in enumerate(lines):
        if _FIELD.match(line) or _FORWARD.match(line) or _ORIGINAL.match(line) or _RULE.match(line):
            found.add(at)
        elif _attribution(lines, at):
            found.update((at, at + 1) if not line.rstrip().endswith(":") else (at,))
    return found


def read_mail(lines: list[str]) -> Mail:
    """The messages of a pasted e-mail: header blocks before a message's text skipped (their
    subjects kept), a forwarded message one of its own, quoted history left out."""
    mail = Mail()
    has_text = forwarded = False  # forwarded: the next separator or sender's header opens a forward
    at = 0
    while at < len(lines):
        line = lines[at]
        if _FORWARD.match(line) or (forwarded and _ORIGINAL.match(line)):
            mail.messages.append(Message())
            has_text = forwarded = False
            at += 1
            continue
        if _ORIGINAL.match(line) or _attribution(lines, at):
            break
        header = _header(lines, at) if _FIELD.match(line) else None
        if header is not None and has_text and header.sender is None:
            mail.messages[-1].lines.extend(lines[at:header.end])  # "Datum: …" in the text is text
            at = header.end
            continue
        if header is not None:
            if has_text and not forwarded:
                break  # a sender's header below the text: the conversation replied to
            if has_text:
                mail.messages.append(Message())
            _read_header(mail.messages[-1], header)
            has_text, forwarded, at = False, header.forwarded, header.end
            continue
        if not _RULE.match(line):
            mail.messages[-1].lines.append(line)
            has_text = has_text or bool(line.strip())
        at += 1
    return mail


def _read_header(message: Message, header: _Header) -> None:
    """What a header block above ``message`` says of it; the block nearest its text names its sender."""
    if header.subject:
        message.subjects.append(header.subject)
    if header.sender is not None:
        message.sender = header.sender
