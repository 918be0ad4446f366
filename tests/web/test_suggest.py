"""Type-ahead: suggestions fit the typed prefix, and choosing one opens the article."""
from kb.content.text import WORD_CHARS as _WORD, fold
from kb.web.suggest_match import title_rank, typed

TITLES = {
    "tracking": ("Wo ist mein Paket?", "sendungsverfolgung dhl"),
    "green": ("Wie nachhaltig ist die Verpackung?", "karton umwelt"),
    "parcels": ("Mehrere Pakete in einer Bestellung", "teillieferung"),
    "invoice": ("Rechnung herunterladen", "beleg pdf"),
}


def suggest(query):
    t = typed(query, fold, _WORD.findall)
    found = []
    for key, (title, other) in TITLES.items():
        words = set(_WORD.findall(fold(title)))
        rank = title_rank(t, " ".join(_WORD.findall(fold(title))), words, set(_WORD.findall(fold(other))) - words)
        if rank is not None:
            found.append((rank, key))
    return [key for _rank, key in sorted(found)]


def test_question_words_alone_only_match_titles_beginning_with_them():
    assert suggest("wo ist") == ["tracking"]
    assert suggest("Wo ist m") == ["tracking"]
    assert suggest("ist") == []                    # a filler word says nothing about the topic
    assert suggest("wie") == ["green"]             # ... unless a title begins with it


def test_finished_words_are_words_the_last_one_a_prefix():
    assert set(suggest("pak")) == {"tracking", "parcels"}   # partial: word beginnings ("Paket", "Pakete")
    assert suggest("wo ist mein paket") == ["tracking", "parcels"]   # the title that begins so comes first
    assert set(suggest("paket ")) == {"tracking", "parcels"}         # finished, >= 4 letters: a word beginning
    assert suggest("pdf rech") == ["invoice"] and suggest("die") == []
    assert suggest("rech") == ["invoice"] and suggest("beleg") == ["invoice"]   # tags count too
    assert suggest("rechnung dhl") == []          # every topic word must fit


def test_suggest_api_and_the_script_that_opens_the_chosen_article(client):
    data = client.get("/api/suggest", query_string={"q": "retur", "lang": "en"}).get_json()
    assert data["suggestions"] and data["suggestions"][0]["url"].startswith("/articles/")
    script = client.get("/static/app.js").get_data(as_text=True)
    assert "insertReplacementText" in script and "location.assign" in script


def test_frequently_asked_needs_enough_views_before_it_replaces_the_editors_list(app, client):
    from kb.ops.popular import MIN_VIEWS
    store = app.extensions["kb.store"]

    def asked():
        html = client.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)
        return html.split('id="pop-title"')[1].split("</section>")[0]

    assert "Artikel zurücksenden" in asked()          # the editors' choice (site.yml featured)
    for _ in range(MIN_VIEWS - 1):
        store.count_view("de/lieferzeit")
    assert "Wie lange dauert die Lieferung?" not in asked()   # a handful of views change nothing
    store.count_view("de/lieferzeit")
    section = asked()
    assert section.index("Wie lange dauert die Lieferung?") < section.index("Artikel zurücksenden")
