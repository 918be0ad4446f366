"""A staff form sent after the session ended is kept (kb/web/resume.py): sign in again, send it again."""
import html
import re

from werkzeug.datastructures import MultiDict

from tests.web.conftest import csrf_token
from tests.web.editor_fixtures import PASSWORD, editor_app, editor_index, form_of, sign_in  # noqa: F401 (fixtures)

OWN_PAGE = {"Origin": "http://localhost"}
TYPED = "Zwei Stunden Arbeit.\n\nZweiter Absatz mit <b>Zeichen</b> & mehr.\n"


def _hidden(page: str) -> list[tuple[str, str]]:
    return [(html.unescape(n), html.unescape(v)) for n, v in
            re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)]


def _signed_out_elsewhere(app, client):
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    token = csrf_token(other.get("/agent/").get_data(as_text=True))
    assert other.post("/agent/logout", data={"csrf_token": token}).status_code == 303


def test_an_article_typed_after_the_session_ended_is_kept_and_saved_after_signing_in(editor_app):
    app = editor_app()
    client = app.test_client()
    client.set_cookie("lang", "de")
    sign_in(client, "eva")
    form = form_of(client, "/agent/articles/de/lieferzeit/edit")
    _signed_out_elsewhere(app, client)
    r = client.post("/agent/articles/save", data={**form, "action": "save", "body": TYPED}, headers=OWN_PAGE)
    page = r.get_data(as_text=True)
    assert r.status_code == 401 and "Ihre Sitzung ist beendet" in page and 'name="password"' in page
    assert html.escape(TYPED.splitlines()[2]) in page  # shown read-only, escaped
    kept = _hidden(page)
    assert ("kept.body", TYPED) in kept and ("resume_action", "/agent/articles/save") in kept
    # a wrong password keeps the user name and the form
    again = client.post("/agent/login", data=MultiDict([*kept, ("username", "eva"), ("password", "nope")]))
    assert again.status_code == 401 and 'value="eva"' in again.get_data(as_text=True)
    assert ("kept.body", TYPED) in _hidden(again.get_data(as_text=True))
    signed_in = client.post("/agent/login", data=MultiDict([*_hidden(again.get_data(as_text=True)),
                                                            ("username", "eva"), ("password", PASSWORD)]))
    resume = signed_in.get_data(as_text=True)
    assert signed_in.status_code == 200 and 'action="/agent/articles/save"' in resume
    labels = re.findall(r'<label for="kept-\d+">([^<]*)</label>', resume)
    assert "Titel" in labels and any(label.startswith("Text (Markdown") for label in labels), labels
    assert "body" not in labels and "title" not in labels  # the form's labels, not field names    assert open(app.config["KB_ARTICLES"] + "/de/lieferzeit.md", encoding="utf-8").read().count("Zwei Stunden") == 0
    sent = client.post("/agent/articles/save", data=MultiDict(_hidden(resume)))
    assert sent.status_code == 303, sent.get_data(as_text=True)[:500]
    assert "Zweiter Absatz mit <b>Zeichen</b> & mehr." in open(app.config["KB_ARTICLES"] + "/de/lieferzeit.md",
                                                               encoding="utf-8").read()


def test_a_form_whose_session_cookie_is_gone_is_kept_too(editor_app):
    app = editor_app()
    client = app.test_client()
    sign_in(client, "eva")
    form = form_of(client, "/agent/articles/de/lieferzeit/edit")
    client.delete_cookie("session")  # the browser dropped it when it expired
    r = client.post("/agent/articles/save", data={**form, "body": TYPED}, headers={"Referer": "http://localhost/agent/"})
    assert r.status_code == 401 and ("kept.body", TYPED) in _hidden(r.get_data(as_text=True))


def test_a_form_another_site_sent_is_not_kept(editor_app):
    app = editor_app()
    client = app.test_client()
    sign_in(client, "eva")
    form = form_of(client, "/agent/articles/de/lieferzeit/edit")
    _signed_out_elsewhere(app, client)
    r = client.post("/agent/articles/save", data={**form, "body": TYPED}, headers={"Origin": "https://evil.example"})
    assert r.status_code == 302 and "kept." not in r.get_data(as_text=True)
    assert r.headers["Location"] == "/agent/login"  # not back to an address that takes only forms
    for headers in ({"Origin": "https://evil.example"}, {}):  # the session is gone now: so is its token
        r = client.post("/agent/articles/save", data={**form, "body": TYPED}, headers=headers)
        assert r.status_code == 400 and "kept." not in r.get_data(as_text=True)


def test_a_kept_form_goes_only_to_a_staff_address(editor_app):
    app = editor_app()
    client = app.test_client()
    page = client.get("/agent/login").get_data(as_text=True)
    r = client.post("/agent/login", data={"csrf_token": csrf_token(page), "username": "eva", "password": PASSWORD,
                                          "resume_action": "https://evil.example/agent/x", "kept.body": "x"})
    assert r.status_code == 303  # an address elsewhere is ignored: an ordinary sign-in


def test_a_wrong_password_keeps_the_user_name(editor_app):
    client = editor_app().test_client()
    page = client.get("/agent/login").get_data(as_text=True)
    r = client.post("/agent/login", data={"csrf_token": csrf_token(page), "username": "eva", "password": "nope"})
    page = r.get_data(as_text=True)
    assert r.status_code == 401 and 'name="username" value="eva"' in page
    assert re.search(r'name="password"[^>]*autofocus', page)  # the password is what to type again


def test_a_kept_address_keeps_its_query_and_never_leaves_the_staff_pages():
    from flask import Flask
    from kb.web.resume import safe_action
    with Flask(__name__).test_request_context():
        assert safe_action("/agent/insights/words?days=30") == "/agent/insights/words?days=30"
        for outside in ("/agent/../contact", "/agent/%2e%2e/contact", "/agent/./x/../../y", "/agent/login",
                        "//evil.example/agent/x", "https://evil.example/agent/x", "/portal"):
            assert safe_action(outside) is None, outside


def test_a_form_from_the_public_address_behind_a_proxy_is_kept(editor_app):
    app = editor_app(KB_BASE_URL="https://hilfe.example.de")
    client = app.test_client()
    sign_in(client, "eva")
    form = form_of(client, "/agent/articles/de/lieferzeit/edit")
    _signed_out_elsewhere(app, client)
    r = client.post("/agent/articles/save", data={**form, "body": TYPED}, headers={"Origin": "https://hilfe.example.de"})
    assert r.status_code == 401 and ("kept.body", TYPED) in _hidden(r.get_data(as_text=True))


def test_too_many_sign_ins_keep_the_form_too(editor_app):
    app = editor_app(RATELIMIT_ENABLED=True, RATE_LIMIT_LOGIN="2 per minute")
    client = app.test_client()
    sign_in(client, "eva")  # the first sign-in of the budget
    form = form_of(client, "/agent/articles/de/lieferzeit/edit")
    _signed_out_elsewhere(app, client)
    kept = _hidden(client.post("/agent/articles/save", data={**form, "action": "save", "body": TYPED},
                               headers=OWN_PAGE).get_data(as_text=True))
    wrong = client.post("/agent/login", data=MultiDict([*kept, ("username", "eva"), ("password", "nope")]))
    assert wrong.status_code == 401
    refused = client.post("/agent/login", data=MultiDict([*_hidden(wrong.get_data(as_text=True)),
                                                          ("username", "eva"), ("password", "nope")]))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert ("kept.body", TYPED) in _hidden(page) and 'value="eva"' in page and 'name="password"' in page


def _kept_labels(page: str) -> list[tuple[str, str]]:
    """(label, value) of what the kept-form page shows."""
    return [(html.unescape(label), html.unescape(value)) for label, value in re.findall(
        r'<label for="kept-\d+">([^<]*)</label>\s*<textarea[^>]*>([^<]*)</textarea>', page)]


def test_kept_fields_are_labelled_as_their_own_form_labels_them_and_articles_by_title(editor_app):
    """``message`` is the editor's change note in the article form but the customer's pasted
    text in the workspace; a kept "answered with" shows the articles' titles, not their ids;
    a suggestion's id is nobody's typing."""
    app = editor_app()
    client = app.test_client()
    client.set_cookie("lang", "de")
    store = app.extensions["kb.store"]
    ref = store.add_contact_request("Wie melde ich mich ab?", None, "de", None, [])
    rid = next(r["id"] for r in store.contact_requests() if r["ref"] == ref)
    sign_in(client, "anna")
    token = csrf_token(client.get("/agent/message").get_data(as_text=True))
    _signed_out_elsewhere(app, client)
    pasted = "Hallo, wo bleibt mein Paket?\nGruß Erika"
    page = client.post("/agent/message", data={"csrf_token": token, "message": pasted},
                       headers=OWN_PAGE).get_data(as_text=True)
    assert _kept_labels(page) == [("E-Mail oder Chat der Kundin / des Kunden einfügen", pasted)]
    assert "Änderungsnotiz" not in page
    page = client.post(f"/agent/inbox/{rid}/answered-with",
                       data=MultiDict([("csrf_token", token), ("article", "en/returns"), ("article", "intern/kulanz"),
                                       ("article", "")]), headers=OWN_PAGE).get_data(as_text=True)
    assert _kept_labels(page) == [("Beantwortet mit", "Returning an item"),
                                  ("Beantwortet mit", "Kulanzgrenzen für Agenten")]
    assert ("kept.article", "en/returns") in _hidden(page)  # sent again as it was
    page = client.post(f"/agent/inbox/{rid}/answered-with/remove", data={"csrf_token": token, "article": "de/lieferzeit"},
                       headers=OWN_PAGE).get_data(as_text=True)
    assert _kept_labels(page) == [("Aus „Beantwortet mit“ entfernen", "Wie lange dauert die Lieferung?")]
    page = client.post("/agent/questions?min=1", data={"csrf_token": token, "id": "0123456789", "action": "accept",
                                                       "phrasing": "wie melde ich mich ab", "language": "de"},
                       headers=OWN_PAGE).get_data(as_text=True)
    assert _kept_labels(page) == [("Bearbeiten, dann übernehmen", "wie melde ich mich ab")]
    signed_in = client.post("/agent/login", data=MultiDict([*_hidden(page), ("username", "eva"), ("password", PASSWORD)]))
    assert _kept_labels(signed_in.get_data(as_text=True)) == [("Bearbeiten, dann übernehmen", "wie melde ich mich ab")]
