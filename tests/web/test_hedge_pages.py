"""A hedged answer (answered, but the first article barely leads another) on every
channel: the portal asks the customer to choose, the API says so, the workspace warns."""
import math

import pytest

from conftest import PASSWORD, csrf_token
from kb.search import answer_model

DE = {"Accept-Language": "de-DE,de;q=0.9"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}


@pytest.fixture()
def hedge_all(monkeypatch):
    """Every answered question that is not a known phrasing is hedged (the app is new per test)."""
    monkeypatch.setattr(answer_model, "HEDGE_MARGIN", math.inf)


def test_portal_asks_the_customer_to_choose_in_both_languages(client, hedge_all):
    html = client.get("/search?q=wann+kommt+mein+Paket+an", headers=DE).get_data(as_text=True)
    assert "Mehrere Artikel könnten passen" in html and "Beste Antworten" not in html
    choice = html.split("Mehrere Artikel könnten passen")[1].split("</ol>")[0]
    assert choice.count('<li class="answer">') >= 2 and "Wie lange dauert die Lieferung?" in choice
    # not the article's title ("How long does delivery take?"): a title is a known phrasing, never hedged
    html = client.get("/search?q=how+long+does+shipping+take", headers=EN).get_data(as_text=True)
    assert "Several articles may answer this" in html and "Please choose the one" in html


def test_portal_without_a_hedge_shows_the_best_answers(client, monkeypatch):
    monkeypatch.setattr(answer_model, "HEDGE_MARGIN", 0.0)
    html = client.get("/search?q=wann+kommt+mein+Paket+an", headers=DE).get_data(as_text=True)
    assert "Beste Antworten" in html and "Mehrere Artikel könnten passen" not in html


def test_api_says_hedged(client, hedge_all):
    body = client.get("/api/search?q=wann+kommt+mein+paket+an").get_json()
    assert body["answered"] is True and body["hedged"] is True
    off = client.get("/api/search?q=wie+wird+das+wetter+morgen+in+hamburg").get_json()
    assert off["answered"] is False and off["hedged"] is False


def test_workspace_warns_the_agent(app, client, accounts, hedge_all):
    client.set_cookie("lang", "de")
    token = csrf_token(client.get("/agent/login").get_data(as_text=True))
    client.post("/agent/login", data={"csrf_token": token, "username": "anna", "password": PASSWORD})
    html = client.get("/agent/", query_string={"q": "wann kommt mein paket an"}).get_data(as_text=True)
    assert "Mehrere Artikel passen etwa gleich gut" in html and "Sichere Antwort" not in html
    # filtered to internal articles, the two that competed are not the two shown: no warning
    html = client.get("/agent/", query_string={"q": "wann kommt mein paket an", "audience": "internal"}
                      ).get_data(as_text=True)
    assert "Mehrere Artikel passen etwa gleich gut" not in html
