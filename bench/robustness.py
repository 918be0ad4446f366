"""The same questions as customers also type them: capitals, umlauts written out, a greeting,
an order number, an e-mail address, in quotes, with "please", after "kurze frage:" or the
shop's name, with repeated question marks or one, an emoji or a smiley, a link, signed with a
name or greetings from a place, introduced by name, with a sentence before or after, or as a statement with a vague question after it.

    python bench/robustness.py [--split test|train] [--set NAME ...] [--form NAME ...]

The evaluation sets' questions are written in lower case, without courtesy or identifiers.
Customers nobody tuned on also shout, write "rueckerstattung" on a keyboard without
umlauts, greet, paste their order number or e-mail address or a quoted question, open with "kurze frage:"
or the shop's name, end with "bitte" or "pls", insist with "???", add an emoji or ":-(",
paste the link of the page they are on, sign with their name, and tell what happened before
or after they ask, sometimes asking only "was nun?" (typos: bench/typos.py). Each set is searched as a help centre whose site.yml names its shop
(``SHOP_NAMES``; ``--no-shop-name``: as one that does not). Each form below
changes every question of a split the same, deterministic way; each set is indexed once and
searched as a customer (public) in every form. Reported per form and language, over all sets:
top-1 / top-3, answered with a wrong first article, and off-topic questions not answered.
Only the train split is for choosing anything.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from retrieval import engine_for  # noqa: E402
from retrieval_sets import SETS, SET_DIRS, articles_of, split_of  # noqa: E402

from kb.encoders import DEFAULT_MODELS  # noqa: E402
from kb.search.engine import SearchEngine  # noqa: E402
from kb.search.evaluate import Case, evaluate, read_set  # noqa: E402

WRITTEN_OUT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
GREETING = {"de": ("Hallo, ", " Danke!"), "en": ("Hi, ", " Thanks!")}
ORDER_NUMBER = " #10023456"
EMAIL = " max.mustermann@web.de"
QUOTES = {"de": ("„", "“"), "en": ('"', '"')}  # a question pasted from somewhere else
PLEASE = {"de": " bitte", "en": " pls"}
OPENING = {"de": "kurze frage: ", "en": "quick question: "}
EMOJI = {"de": " 😅", "en": " 🙏"}
SMILEY = {"de": " :-(", "en": " :)"}
LINK = {"de": " https://www.{shop}.de/konto/bestellungen", "en": " https://www.{shop}.com/account/orders"}
SIGNED = {"de": " Viele Grüße, Anna Schmidt", "en": " Best regards, John Smith"}
FROM_A_PLACE = {"de": "? Viele Grüße aus Hamburg", "en": "? Greetings from Leeds"}
INTRODUCED = {"de": "mein name ist anna schmidt, ", "en": "my name is john smith, "}
# what customers tell before or after their question, one per question by its letters
BEFORE = {"de": ("ich habe letzte woche bei euch bestellt. ", "das ist meine erste bestellung bei euch. ",
                 "ich hab schon im chat gefragt aber keiner antwortet. ", "bin langjährige kundin. ",
                 "habe gestern angerufen, aber niemand ging ran. ", "ich brauche schnell eine antwort. "),
          "en": ("i ordered from you last week. ", "this is my first order with you. ",
                 "i already asked in the chat but nobody answered. ", "i'm a regular customer. ",
                 "called yesterday but no one picked up. ", "i need a quick answer. ")}
# a question that asks nothing without the sentence before it ("paket kaputt. was nun?")
VAGUE = {"de": ("was kann ich tun?", "wie geht das?", "was nun?", "und jetzt?"),
         "en": ("what can i do?", "how does that work?", "what now?", "any help?")}
AFTER = {"de": ("das war ein geschenk.", "ich warte schon seit tagen.", "bin echt genervt.",
                "hab in den faq nichts gefunden."),
         "en": ("it was a gift.", "i have been waiting for days.", "really annoyed.",
                "couldn't find anything in the faq.")}
SHORT_SIGN_OFF = {"de": "? LG Anna", "en": "? Cheers, John"}
# each set's shop as its customers name it (site.yml ``name`` of a deployed help centre)
SHOP_NAMES = {"elektro": "Voltwerk", "moebel": "Wohnwerk", "reisen": "Fernweh", "telco": "Funkfuchs",
              "shop-everyday": "Hafenkorb", "shop-everyday-2": "Hafenkorb", "shop-everyday-3": "Hafenkorb",
              "shop-everyday-4": "Hafenkorb", "shop-messages": "Hafenkorb",
              "gartenwerk": "Gartenwerk", "lindner": "Lindner", "nordfaden": "Nordfaden", "pfotenwelt": "Pfotenwelt"}


FORMS = {
    "as written": lambda q, lang, shop: q,
    "capitals": lambda q, lang, shop: q.upper(),
    "capital first letter": lambda q, lang, shop: q[:1].upper() + q[1:],
    "umlauts written out": lambda q, lang, shop: q.translate(WRITTEN_OUT),
    "greeting and thanks": lambda q, lang, shop: GREETING[lang][0] + q + GREETING[lang][1],
    "order number": lambda q, lang, shop: q + ORDER_NUMBER,
    "e-mail address": lambda q, lang, shop: q + EMAIL,
    "in quotes": lambda q, lang, shop: QUOTES[lang][0] + q + QUOTES[lang][1],
    "please at the end": lambda q, lang, shop: q + PLEASE[lang],
    "opening words": lambda q, lang, shop: OPENING[lang] + q,
    "shop name first": lambda q, lang, shop: f"{shop.lower()} {q}",
    "repeated marks": lambda q, lang, shop: q.rstrip("?!. ") + "???",
    "question mark": lambda q, lang, shop: q.rstrip("?!. ") + "?",
    "a sentence before": lambda q, lang, shop: _one_of(BEFORE[lang], q) + q,
    "a sentence after": lambda q, lang, shop: q.rstrip("?!. ") + "? " + _one_of(AFTER[lang], q),
    "a vague question after": lambda q, lang, shop: q.rstrip("?!. ") + ". " + _one_of(VAGUE[lang], q),
    "emoji": lambda q, lang, shop: q + EMOJI[lang],
    "smiley": lambda q, lang, shop: q + SMILEY[lang],
    "a link": lambda q, lang, shop: q + LINK[lang].format(shop=shop.lower()),
    "signed with a name": lambda q, lang, shop: q + SIGNED[lang],
    "introduced by name": lambda q, lang, shop: INTRODUCED[lang] + q,
    "greetings from a place": lambda q, lang, shop: q.rstrip("?!. ") + FROM_A_PLACE[lang],
    "short sign-off": lambda q, lang, shop: q.rstrip("?!. ") + SHORT_SIGN_OFF[lang],
}


def _one_of(sentences: tuple[str, ...], question: str) -> str:
    """One of ``sentences``, always the same for a question."""
    return sentences[sum(map(ord, question)) % len(sentences)]


def cases_of(set_dir: Path, split: str, reported: bool) -> list[Case]:
    """The split's questions asked in one language, not across; with the set's off-topic ones
    where the split is ``reported`` (off-topic files are never for choosing)."""
    return [c for c in read_set(set_dir, split) if c.lang in GREETING and not c.articles_lang
            and (reported or c.expected is not None)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="test", choices=("test", "train"))
    ap.add_argument("--set", action="append", choices=SETS, dest="sets")
    ap.add_argument("--form", action="append", choices=tuple(FORMS), dest="forms")
    ap.add_argument("--no-shop-name", action="store_true", help="search without the shop's name configured")
    args = ap.parse_args()
    forms = {name: FORMS[name] for name in args.forms or FORMS}
    totals = defaultdict(lambda: [0, 0, 0, 0, 0, 0, 0])  # top1, top3, n, wrong answered, off-topic, answered, right answered
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.sets or SETS:
            set_dir = SET_DIRS[name]
            split = split_of(set_dir, args.split)  # a question-only set's train split is its dev split
            if split is None:
                print(f"{name}: no {args.split} split", flush=True)
                continue
            engine = engine_for(articles_of(set_dir), Path(tmp) / name, DEFAULT_MODELS)
            shop = SHOP_NAMES[name]
            if not args.no_shop_name:
                engine = SearchEngine(engine.index, engine.encoders, (shop,))
            cases = cases_of(set_dir, split, reported=args.split == "test")
            for form, change in forms.items():
                for lang in GREETING:
                    asked = [Case(change(c.query, lang, shop), c.expected, c.lang)
                             for c in cases if c.lang == lang]
                    report = evaluate(engine, asked, audience="public")
                    total = totals[form, lang]
                    total[0] += report.top1
                    total[1] += report.top3
                    total[2] += report.n
                    total[3] += report.answered_wrong_first
                    total[4] += report.offtopic
                    total[5] += report.offtopic_answered
                    total[6] += report.answered_when_right
            print(f"{name}: {len(cases)} questions in {len(forms)} forms", flush=True)
            engine.index.close()
    print("\nper language: top-1 / top-3, answered with a wrong first article, share of right first articles"
          " answered; off-topic not answered")
    print(f"\n| form | {' | '.join(GREETING)} |")
    print("|---|" + "---|" * len(GREETING))
    for form in forms:
        cells = []
        for lang in GREETING:
            top1, top3, n, wrong, off, off_answered, right_answered = totals[form, lang]
            offtopic = f"{1 - off_answered / off:.3f} of {off}" if off else "—"
            cells.append(f"{top1 / n:.3f} / {top3 / n:.3f}, {wrong}, {right_answered / max(top1, 1):.3f}; {offtopic}")
        print(f"| {form} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
