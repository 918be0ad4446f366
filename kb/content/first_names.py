"""First names customers introduce themselves with, so "ich bin anna" reads as a name.

After "ich bin", "hier ist", "this is" or "I am" most words say how the customer is or
what they write about ("ich bin enttäuscht", "this is broken"); a first name says who
they are, whether they capitalise it or not (kb/content/introductions.py). The list holds
common given names of customers of a German and English shop. It leaves out every name
that is also an ordinary word a customer might write after those words, in either
language: "Mark", "Frank", "Ernst", "Rosa", "Will", "Bill", "Grace", "Amber", "Jack",
"Matt", "Otto" (a shop), months and seasons. A name missing here is still found when it is
written as one: capitalised and followed by a comma or "und"/"and" (kb/content/introductions.py).
"""

from __future__ import annotations

_GERMAN_WOMEN = """
anna andrea angelika anja anke annette antje barbara bärbel beate bettina birgit brigitte carina
carla carolin caroline charlotte christa christiane christina claudia cornelia dagmar daniela doris
dorothea elena elfriede elisabeth elke ella emilia emma erika eva franziska frieda gabriele gerda
gisela gudrun hanna hannah heike helga helene hildegard ilse ines ingrid irene jana janina jennifer
jessica johanna julia juliane jutta karin katharina kathrin katja kerstin klara lara laura lea lena
leonie lina lisa luisa maja manuela mareike maria marie marion marlene martina melanie mia michaela
miriam monika nadine nadja natalie nicole nina paula petra pia ramona regina renate ruth sabine
sandra sara sarah silke simone sofia sophia sophie stefanie stephanie susanne svenja tanja tina
ulrike ursula ute vanessa vera yvonne
"""
_GERMAN_MEN = """
achim alexander andreas anton armin axel ben benjamin bernd bernhard björn christian christoph
daniel david dennis detlef dieter dirk dominik elias emil erich erik fabian felix finn florian
franz friedrich georg gerhard günter günther hans harald heinz helmut henrik herbert holger horst
hubert ingo jakob jan jens joachim jochen johannes jonas jörg josef julian jürgen kai karl karsten
klaus konrad kurt lars leon linus lukas lutz malte manfred marcel marco marcus markus martin
matthias max maximilian michael mirko moritz niklas nico nils noah norbert olaf oliver oskar patrick
paul peter philipp rainer ralf reinhard rené richard robert roland rolf rüdiger sascha sebastian
simon stefan stephan steffen sven thomas thorsten tim timo tobias torsten udo ulrich uwe volker
walter werner wilhelm wolfgang yannick
"""
# names of customers whose families came from Turkey, Poland, Russia and elsewhere
_OTHER_ORIGINS = """
ahmet ali ayse ayşe elif emine fatma hasan hüseyin ibrahim leyla mehmet murat mustafa özlem yusuf
zeynep aleksandra katarzyna piotr tomasz agnieszka olga natalia irina sergej dmitri ivan
"""
_ENGLISH_WOMEN = """
abigail alice amanda amelia amy angela ann ashley ava betty beverly brenda brittany carol carolyn
catherine charlotte cheryl chloe christine cynthia danielle deborah debra denise diana diane donna
elizabeth emily evelyn frances gloria heather helen isabella jacqueline jane janet janice jennifer
jenny jessica joan joyce judith judy julie karen kate katherine kathleen kathryn katie kayla
kimberly lauren linda lori lucy madison margaret marilyn martha mary megan melissa michelle nancy
natalie olivia pamela patricia rachel rebecca samantha sharon shirley susan teresa theresa
victoria virginia
"""
_ENGLISH_MEN = """
aaron adam alan alex andrew andy anthony arthur austin bob brandon brian bruce bryan charles chris
christopher dan dylan edward eric ethan eugene fred gabriel gary george greg gregory harry henry
jacob jake james jason jeffrey jeremy jerry jim joe john jonathan jordan jose joseph josh joshua
juan justin keith kenneth kevin kyle larry lawrence liam logan louis luke matthew mike nathan
nicholas nick owen pete philip ralph roger ronald ryan sam samuel scott sean stephen steve steven
terry timothy tom tony tyler wayne william zachary
"""

FIRST_NAMES = frozenset(
    " ".join((_GERMAN_WOMEN, _GERMAN_MEN, _OTHER_ORIGINS, _ENGLISH_WOMEN, _ENGLISH_MEN)).split())
# names that are also a word in lower case ("max. 3 Artikel", "jan 2026", "a nick in the
# glass", "am kai"): a name only when capitalised
CAPITALISED_ONLY = frozenset({"max", "jan", "nick", "kai"})


def is_first_name(word: str) -> bool:
    """Whether ``word`` is a first name of the list, in any case (those of ``CAPITALISED_ONLY``
    capitalised); a double name counts by its first part ("Hans-Peter", "mary-jane")."""
    first = word.split("-", 1)[0]
    name = first.casefold()
    return name in FIRST_NAMES and (name not in CAPITALISED_ONLY or first[:1].isupper())
