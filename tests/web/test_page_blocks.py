"""Each block once: contact channels, the form link, the home heading, result titles; agent pages without the customer footer."""
import re

from conftest import csrf_token

DE = {"Accept-Language": "de"}
PASSWORD = "correct horse battery"


def test_home_asks_how_can_we_help_once(client):
    html = client.get("/", headers=DE).get_data(as_text=True)
    assert html.count("Wie können wir helfen?") == 1


def test_footer_links_the_contact_form_once(client):
    html = client.get("/articles/de/lieferzeit", headers=DE).get_data(as_text=True)
    footer = html.split("<footer")[1]
    assert footer.count('href="/contact"') == 1


def test_no_answer_page_and_contact_page_show_the_contact_block_once(client):
    html = client.get("/search", query_string={"q": "Wer gewann die Fußball-WM 1954?"}, headers=DE).get_data(as_text=True)
    assert "Dazu haben wir keinen" in html or "no-answer" in html
    assert html.count('class="channels"') == 1 and html.count('class="contact-form"') == 1
    html = client.get("/contact", headers=DE).get_data(as_text=True)
    assert html.count('class="channels"') == 1 and html.count('class="contact-form"') == 1
    assert 'class="channel channel-form"' not in html      # no link to the page itself


def test_a_result_does_not_repeat_its_title_in_the_section_path(client):
    html = client.get("/search", query_string={"q": "return label"}, headers={"Accept-Language": "en"}).get_data(as_text=True)
    answers = re.findall(r'<li class="answer">(.*?)</li>', html, re.S)
    assert answers
    for answer in answers:
        title = re.search(r"<h3[^>]*><a [^>]*>(.*?)</a>", answer).group(1)
        path = re.search(r'<p class="section-path"[^>]*>(.*?)</p>', answer)
        assert path is None or title not in path.group(1)
    assert any('<p class="section-path" lang="en">Create a return label</p>' in a for a in answers)


def test_agent_pages_carry_no_customer_footer(app, client):
    app.extensions["kb.accounts"].add("anna", "agent", PASSWORD)
    token = csrf_token(client.get("/agent/login").get_data(as_text=True))
    client.post("/agent/login", data={"csrf_token": token, "username": "anna", "password": PASSWORD})
    for path in ("/agent/", "/agent/inbox"):
        html = client.get(path).get_data(as_text=True)
        footer = html.split("<footer")[1]
        assert 'class="channels"' not in footer and "/contact" not in footer


def test_topic_chips_show_counts_and_only_topics_with_results(client):
    html = client.get("/search", query_string={"q": "return label"}, headers={"Accept-Language": "en"}).get_data(as_text=True)
    nav = html.split('class="filters topics"')[1].split("</nav>")[0]
    chips = re.findall(r'category=([^"&]+)"[^>]*>([^<]+) <span class="chip-count">(\d+)', nav)
    assert chips and all(int(n) > 0 for _slug, _name, n in chips)
    assert sum(int(n) for *_rest, n in chips) == len(re.findall(r'<li class="answer">', html)) + \
        len(re.findall(r'<span class="category">', html))
    slug = chips[0][0]
    chosen = client.get("/search", query_string={"q": "return label", "category": slug},
                        headers={"Accept-Language": "en"}).get_data(as_text=True)
    nav2 = chosen.split('class="filters topics"')[1].split("</nav>")[0]
    assert re.findall(r'category=([^"&]+)"', nav2) == [c[0] for c in chips]   # same chips when one is chosen
