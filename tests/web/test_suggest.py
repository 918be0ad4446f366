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
    assert '"combobox"' in script and "aria-activedescendant" in script and "location.assign" in script


def test_without_javascript_the_search_form_is_a_plain_form_with_no_datalist(client):
    """The listbox app.js fills is hidden and empty in the page, the field no combobox until the
    script makes it one; the form searches by itself (tests/web/test_browser_suggest.py: with JS)."""
    import re
    for path, field in (("/", "q"), ("/search?q=Lieferzeit", "q-top"), ("/articles/de/lieferzeit", "q-top")):
        html = client.get(path, headers={"Accept-Language": "de"}).get_data(as_text=True)
        assert "<datalist" not in html and " list=" not in html
        form = html.split('role="search"')[1].split("</form>")[0]
        box = re.search(r'<input id="%s" name="q" type="search"[^>]*>' % field, form).group(0)
        assert "combobox" not in box and "aria-expanded" not in box and "aria-controls" not in box
        suffix = field[1:]
        assert re.search(r'<ul id="suggestions%s" class="suggest-list" role="listbox" '
                         r'aria-label="Vorgeschlagene Artikel" hidden></ul>' % suffix, form)
        status = re.search(r'<p id="suggest-status%s" [^>]*role="status"[^>]*></p>' % suffix, form).group(0)
        assert 'data-one="1 Vorschlag"' in status and 'data-many="{n} Vorschläge"' in status
        ids = re.findall(r'\bid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), path
    english = client.get("/?lang=en").get_data(as_text=True)
    assert 'data-one="1 suggestion" data-many="{n} suggestions"' in english
    page = client.get("/search", query_string={"q": "Wie lange dauert die Lieferung?"},
                      headers={"Accept-Language": "de"})
    assert page.status_code == 200 and "Wie lange dauert die Lieferung?" in page.get_data(as_text=True)


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
