"""Which language is the customer writing in?

Customer queries are short ("retoure", "wo ist mein paket", "refund pls"), where
general-purpose detectors guess wildly. We score words against small
function-word lists and the vocabulary of the articles themselves, and return
None when the evidence is too thin, so the caller falls back to the UI language.
A search that has no UI language either (an API client sending only the
question) then asks general dictionaries (:meth:`LanguageGuesser.likely`).
"""

from __future__ import annotations

import simplemma
from simplemma.strategies.dictionaries.dictionary_factory import SUPPORTED_LANGUAGES

from kb.content.text import LETTER_WORD
from kb.content.word_forms import dictionary_word

FUNCTION_WORDS = {
    "de": set("""ich du er sie es wir ihr mein meine meinen meiner mir mich dein ihre ihren unser
        der die das den dem des ein eine einen einem einer kein keine nicht und oder aber ist sind
        war wurde wird werden kann können könnte muss müssen soll sollte darf will möchte hätte habe
        hat haben bin bist wie wo wann was warum wieso weshalb welche welcher welches wer wem wen
        mit von zu zum zur bei nach für auf aus über unter vor im in an am ins noch schon auch nur
        sich man gibt geht es bitte danke hallo kein mehr sehr gerne bis seit ob dass wenn dann
        denn doch mal wieviel wieviele lange""".split()),
    "en": set("""i you he she it we they my me your our their the a an this that these those
        is are was were be been being do does did done have has had can could would should will
        shall may might must not no and or but how where when what why which who whom whose with
        from to of for on at by in into about after before over under please thanks hi hello any
        some there here get got want need still yet also only much many long""".split()),
}
GERMAN_CHARS = set("äöüß")
# share of the question's words one language's dictionary knows beyond every other's:
# half, so "account anlegen" is German (both words German, one English) and
# "newsletter" or "track order" (words of both) stays open
DICTIONARY_MARGIN = 0.5
# how much more a question's words must say another language than the page's (``outweighs``)
PAGE_LANGUAGE_MARGIN = 2.0


class LanguageGuesser:
    """Guess de/en (or any language the articles use) from a short query."""

    def __init__(self, vocab: dict[str, set[str]] | None = None) -> None:
        self.vocab = vocab or {}
        self.langs = sorted(set(FUNCTION_WORDS) | set(self.vocab))

    def guess(self, text: str) -> str | None:
        scores = self._scores(text)
        if not scores:
            return None
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        best, top = ranked[0]
        second = ranked[1][1] if len(ranked) > 1 else 0.0
        if top <= 0 or top - second < 1.0:
            return None
        return best

    def outweighs(self, text: str, lang: str, other: str) -> bool:
        """Whether the question's words say ``lang`` clearly enough to overrule ``other``, the
        language the customer reads the page in: a function word or two words of ``lang``'s
        articles more, or a word only ``lang``'s dictionary knows ("erstellen" on the English
        page); one word both know is a loanword as likely ("order canceln" on the German one)."""
        scores = self._scores(text)
        return (scores.get(lang, 0.0) - scores.get(other, 0.0) >= PAGE_LANGUAGE_MARGIN
                or has_word_only_of(text, lang, other))

    def _scores(self, text: str) -> dict[str, float]:
        """Per language: 2 per function word, 1 per word of its articles, 1.5 per word with
        German letters; empty without words."""
        words = [w.lower() for w in LETTER_WORD.findall(text)]
        if not words:
            return {}
        scores = dict.fromkeys(self.langs, 0.0)
        for w in words:
            for lang in self.langs:
                if w in FUNCTION_WORDS.get(lang, ()):
                    scores[lang] += 2.0
                elif w in self.vocab.get(lang, ()):
                    scores[lang] += 1.0
            if GERMAN_CHARS & set(w) and "de" in scores:
                scores["de"] += 1.5
        return scores

    def likely(self, text: str) -> str | None:
        """The language whose general dictionary (simplemma's) knows the larger share of the
        question's words, by at least ``DICTIONARY_MARGIN``; None when that is not clear
        either, or fewer than two of the guesser's languages have such a dictionary.

        For a question the articles' words leave open and no UI language decides:
        "lieferzeit" where the articles say "Laufzeiten", or "passwort vergessen" where
        the English article quotes the German login page's link.
        """
        langs = tuple(lang for lang in self.langs if lang in SUPPORTED_LANGUAGES)
        if len(langs) < 2:
            return None
        # as typed, then with capitals: German dictionaries hold nouns capitalised, and
        # customers type "lieferoptionen" (capitals first would make "Penalty" German too)
        for form in (text, text.title()):
            shares = dict(simplemma.langdetect(form, lang=langs))
            ranked = sorted(langs, key=lambda lang: -shares.get(lang, 0.0))
            if shares.get(ranked[0], 0.0) - shares.get(ranked[1], 0.0) >= DICTIONARY_MARGIN:
                return ranked[0]
        return None


def has_word_only_of(text: str, lang: str, other: str) -> bool:
    """Whether ``text`` holds a word the general dictionary of ``lang`` knows and that of
    ``other`` does not ("vergessen" is German and no English word; "label" is both)."""
    return any(dictionary_word(w, lang) and not dictionary_word(w, other)
               for w in (w.lower() for w in LETTER_WORD.findall(text)))
