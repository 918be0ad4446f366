"""A pasted chat transcript: the customer's lines are the request, the agent's are not.

Chat tools copy a conversation one turn a line, the speaker before a colon, often after a
time: "Kunde: …", "Agent: …", "Customer: …", "You: …", "[10:32] Anna: …", "(10:32:01) Anna
Schmidt: …", "Anna (10:32): …"; a turn's further lines follow without a speaker. The agent's
own lines ("Moment bitte", "Wie kann ich Ihnen helfen?") ask nothing the articles answer.

Lines are a transcript when two speakers or more take turns and the speakers are marked:
two of them by a role ("Kunde", "Agent", "You"), two turns or more by their time, or one
speaker by a role or an agent's phrase while a speaker writes again after another. A letter's
or a form's lines ("Bestellnummer: …", "Artikel: …") are none of these, and in a transcript
such a line continues the turn it is in. The customer is the speaker named as one; else every
speaker but the agents (named by role, else by their phrases); else the first to write, as a
visitor opens a chat.

Every pattern is applied with ``match`` and repeats without bound only possessively, or is
searched with no unbounded repeat at all: each line is read in time linear in its length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_SPEAKER_CHARS = 40  # "Hafenkorb Kundenservice (Tom)"; longer is a sentence with a colon
MIN_TURNS = 2  # a speaker without role or time is a participant from two turns on
MIN_TIMED_TURNS = 2
MAX_ROLE_WORDS = 3  # "Hafenkorb Kundenservice (Tom)"; a longer name is a sentence ("Meine Frage an den Support:")
CUSTOMER_ROLES = frozenset({"kunde", "kundin", "customer", "client", "visitor", "besucher", "besucherin", "gast",
                            "guest", "user", "nutzer", "nutzerin", "käufer", "käuferin", "buyer"})
# the agent's side, as a chat tool or the agent's own copy names it ("You", "Ich")
AGENT_ROLES = frozenset({"agent", "agentin", "support", "service", "kundenservice", "kundendienst", "team",
                         "mitarbeiter", "mitarbeiterin", "berater", "beraterin", "operator", "bot", "chatbot",
                         "assistant", "assistent", "assistentin", "system", "admin"})
SELF_NAMES = frozenset({"you", "du", "ich", "me"})  # the agent's own copy of the chat
# what an agent writes in a chat and a customer does not (turns' whitespace is made single first)
AGENT_PHRASES = (r"wie kann ich (?:ihnen |dir |euch )?(?:heute |noch |weiter)?(?:helfen|behilflich sein)|"
                 r"was kann ich für (?:sie|dich|euch) tun|how (?:can|may) i (?:help|assist)|"
                 r"(?:einen )?moment(?:chen)?,? bitte|one moment|just a moment|"
                 r"ich schaue (?:kurz |gleich |mal )?nach|let me (?:check|look)|"
                 r"danke für (?:ihre|deine|eure) geduld|thanks? (?:you )?for (?:your )?(?:patience|waiting)")

# a time before or after the speaker: "10:32", "[10:32]", "(10:32:01)", "[12.10.26, 10:32]", "10:32 am"
_TIME = (r"[\[(]?(?:\d{1,4}[./-]\d{1,2}(?:[./-]\d{1,4})?,?[ \t]{1,3})?\d{1,2}:\d{2}(?::\d{2})?"
         r"(?:[ \t]?[ap]\.?m\.?)?[\])]?")
_TURN = re.compile(rf"[ \t]*+(?:(?P<time>{_TIME})[ \t]*+(?:-[ \t]*+)?)?"
                   rf"(?P<speaker>[^\W\d_][\w .'’()/-]{{0,{MAX_SPEAKER_CHARS}}}?)"
                   rf"(?:[ \t]*+(?P<after>{_TIME}))?[ \t]*+:(?:[ \t]++(?P<text>.*+))?$", re.I)
_AGENT_PHRASE = re.compile(rf"(?<!\w)(?:{AGENT_PHRASES})(?!\w)", re.I)


@dataclass
class Turn:
    speaker: str  # as written, whitespace made single, lower case
    timed: bool
    lines: list[str] = field(default_factory=list)


def _role(speaker: str) -> str | None:
    """"agent", "customer" or None, by the words of a speaker's short name ("Support (Tom)",
    "Kunde Anna Schmidt"); "you" or "ich" only as the whole name."""
    if speaker in SELF_NAMES:
        return "agent"
    words = set("".join(ch if ch.isalpha() else " " for ch in speaker).split())
    if len(words) > MAX_ROLE_WORDS:
        return None
    if words & AGENT_ROLES:
        return "agent"
    return "customer" if words & CUSTOMER_ROLES else None


def _turns(lines: list[str]) -> list[Turn]:
    """Each line a participant speaks opens a turn (one with a role, a time or two turns or
    more); the lines after it continue it, "Bestellnummer: …" too. Lines before the first
    turn are left out."""
    found = [_TURN.match(line) for line in lines]
    names = [" ".join(f["speaker"].lower().split()) if f else None for f in found]
    turns_of: dict[str, int] = {}
    for name in names:
        if name is not None:
            turns_of[name] = turns_of.get(name, 0) + 1
    turns: list[Turn] = []
    for line, match, name in zip(lines, found, names):
        timed = bool(match and (match["time"] or match["after"]))
        if name is not None and (timed or turns_of[name] >= MIN_TURNS or _role(name)):
            turns.append(Turn(name, timed, [match["text"] or ""]))
        elif turns:
            turns[-1].lines.append(line)
    return turns


def _speaks_as_agent(turn: Turn) -> bool:
    return any(_AGENT_PHRASE.search(" ".join(line.split())) for line in turn.lines)


def _customers(turns: list[Turn]) -> set[str]:
    """The customer's speakers (see the module's docstring)."""
    speakers = list(dict.fromkeys(t.speaker for t in turns))
    named = {s for s in speakers if _role(s) == "customer"}
    if named:
        return named
    for agents in ({s for s in speakers if _role(s) == "agent"}, {t.speaker for t in turns if _speaks_as_agent(t)}):
        others = {s for s in speakers if s not in agents}
        if agents and others:
            return others
    return {speakers[0]}


def _marked(turns: list[Turn]) -> bool:
    """Whether turns are a chat: two speakers or more, two of them named by role, two turns or
    more timed, or a speaker named by role or an agent's phrase and one speaking again after
    another."""
    speakers = list(dict.fromkeys(t.speaker for t in turns))
    if len(speakers) < 2:
        return False
    if sum(_role(s) is not None for s in speakers) >= 2 or sum(t.timed for t in turns) >= MIN_TIMED_TURNS:
        return True
    alternate = any(a.speaker != b.speaker for a, b in zip(turns, turns[1:])) and len(turns) > len(speakers)
    return alternate and (any(_role(s) for s in speakers) or any(_speaks_as_agent(t) for t in turns))


def customer_turns(lines: list[str]) -> list[list[str]] | None:
    """The lines of each of the customer's turns when ``lines`` are a chat transcript with its
    speakers marked, else None."""
    turns = _turns(lines)
    if not _marked(turns):
        return None
    customers = _customers(turns)
    return [t.lines for t in turns if t.speaker in customers]
