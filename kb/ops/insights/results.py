"""The result rows of the insights reports, and how lists of them are ordered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable

@dataclass(frozen=True)
class TopSearch:
    """One query wording and how often it was searched.

    Why: the most frequent searches tell editors what customers care about, and
    a low ``answered_share`` on a frequent query is the cheapest article to
    write next.
    """

    query: str            #: lower-cased, whitespace collapsed
    count: int            #: searches in the period
    answered_share: float  #: 0..1, share of those searches the engine answered
    last_seen: str        #: latest ``at`` (UTC, 'YYYY-MM-DDTHH:MMZ')


@dataclass(frozen=True)
class UnansweredGroup:
    """Unanswered searches that ask the same thing in different words.

    Why: "Wo ist mein Paket?", "wo bleibt mein paket" and "Paket wo ist es"
    are one missing article, not three. Grouping them shows editors the real
    size of each gap.
    """

    representative: str        #: the most frequent original wording in the group
    count: int                 #: unanswered searches in the group
    variants: int              #: number of distinct wordings in the group
    wordings: tuple[str, ...]  #: up to 5 distinct wordings, most frequent first
    keywords: tuple[str, ...]  #: the representative's content words (stemmed), sorted
    last_seen: str             #: latest ``at`` in the group
    lang: str = ""             #: the language most of its searches were made in (the article to write)


@dataclass(frozen=True)
class CompetingArticles:
    """Two articles that searches could not tell apart (answered with a hedge: the first
    barely led the other, and the customer was asked to choose).

    Why: customers who must choose between two articles often choose wrong or give
    up; a clearer title or summary, a question that belongs to one of them, or one
    article instead of two settles it for every later customer.
    """

    article_id: str            #: shown first most often
    other_article_id: str      #: the article it competed with
    count: int                 #: hedged searches with these two articles first
    wordings: tuple[str, ...]  #: up to 5 distinct wordings, most frequent first
    last_seen: str             #: latest ``at`` (UTC, 'YYYY-MM-DDTHH:MMZ')


@dataclass(frozen=True)
class MissingWord:
    """A word customers search with that no article uses, and where they found their answer.

    Why: customers do not use the editors' words ("Newsletter" where the articles say
    "Rundbrief", "bills" where they say "invoices"). Such a search finds its article only
    through the other words or the encoders, often not at all. The article customers voted
    helpful after searching with the word is where the word belongs (a tag or a question).
    Its forms and spellings ("rücksendeetikett", "rücksendeetiketts") are one word to add,
    and one row.
    """

    word: str                  #: lower case, as customers type it (their most frequent spelling)
    other_spellings: tuple[str, ...]  #: the other forms and spellings customers typed it in, commonest first
    count: int                 #: searches with the word in any of its spellings in the period
    answered_share: float      #: 0..1, share of those searches the engine answered
    wordings: tuple[str, ...]  #: up to 3 distinct searches with it, most frequent first
    article_id: str | None     #: the article most often voted helpful after such a search
    helpful_votes: int         #: those helpful votes
    last_seen: str             #: latest ``at`` (UTC, 'YYYY-MM-DDTHH:MMZ')


@dataclass(frozen=True)
class NotHelpfulArticle:
    """An article that readers voted "not helpful", with what they said.

    Why: an article that exists but does not help is worse than a missing one
    (the customer read it and still had to write to support); the comments
    usually name what is wrong.
    """

    article_id: str
    no_votes: int
    yes_votes: int
    helpful_ratio: float          #: yes / (yes + no)
    comments: tuple[str, ...]     #: latest non-empty comments of "not helpful" votes, newest first, up to 5


@dataclass(frozen=True)
class ArticleStat:
    """Reach and reception of one article.

    Why: views alone reward articles that are easy to find; votes alone ignore
    reach. Side by side they show which much-read articles deserve care first.
    """

    article_id: str
    views: int
    yes_votes: int
    no_votes: int
    helpful_ratio: float | None   #: yes / (yes + no); None when nobody voted


@dataclass(frozen=True)
class DeflectionPoint:
    """Self-service success in one time bucket.

    Why: the help centre exists to answer questions before they become contact
    requests. ``rate`` = helpful searches / (helpful searches + contact
    requests) tracks that over time; a falling rate after a product change
    points to articles that went stale.
    """

    bucket: str              #: 'YYYY-MM-DD' (day) or ISO week 'YYYY-Www' (week)
    start: str               #: first day of the bucket inside the period, 'YYYY-MM-DD'
    end: str                 #: last day of the bucket inside the period (inclusive)
    searches: int            #: searches made in the bucket
    helpful_searches: int    #: of those, searches with at least one "helpful" vote linked to them
    contact_requests: int    #: contact requests sent in the bucket
    rate: float | None       #: helpful / (helpful + contacts); None when both are 0



def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def ordered(items: Iterable[Any], *keys: tuple[Callable[[Any], Any], bool]) -> list[Any]:
    """Sort by several keys, each ascending or descending (``(key, reverse)``, primary first).

    Stable sorts applied from the last key to the first; cheaper than building
    "descending string" keys for timestamps.
    """
    result = list(items)
    for key, reverse in reversed(keys):
        result.sort(key=key, reverse=reverse)
    return result
