"""Which language is the customer writing in?

Customer queries are short ("retoure", "wo ist mein paket", "refund pls"), where
general-purpose detectors guess wildly. We score words against small
function-word lists and the vocabulary of the articles themselves, and return
None when the evidence is too thin, so the caller falls back to the UI language.
"""

from __future__ import annotations

from kb.content.text import LETTER_WORD

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


class LanguageGuesser:
    """Guess de/en (or any language the articles use) from a short query."""

    def __init__(self, vocab: dict[str, set[str]] | None = None) -> None:
        self.vocab = vocab or {}
        self.langs = sorted(set(FUNCTION_WORDS) | set(self.vocab))

    def guess(self, text: str) -> str | None:
        words = [w.lower() for w in LETTER_WORD.findall(text)]
        if not words:
            return None
        scores = dict.fromkeys(self.langs, 0.0)
        for w in words:
            for lang in self.langs:
                if w in FUNCTION_WORDS.get(lang, ()):
                    scores[lang] += 2.0
                elif w in self.vocab.get(lang, ()):
                    scores[lang] += 1.0
            if GERMAN_CHARS & set(w) and "de" in scores:
                scores["de"] += 1.5
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        best, top = ranked[0]
        second = ranked[1][1] if len(ranked) > 1 else 0.0
        if top <= 0 or top - second < 1.0:
            return None
        return best
