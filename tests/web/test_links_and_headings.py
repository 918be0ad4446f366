"""What `kb index` says about an article and what the help centre then shows agree:
a public article linking to an internal one is published with the link's text
only (and reported as such, not as skipped); headings with '<' or '&' show once
escaped in the table of contents and the answer section's label."""
import re
import shutil
from pathlib import Path

import pytest
from jinja2 import Environment

from kb.content.markdown import render_html
from kb.web.present import table_of_contents, wrap_sections

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "articles"

HEADINGS = ["Preise < 10 € & Versand", "Größen <S> & <M>", "Fragen & Antworten"]
LINKING = f"""---
title: Kulanz bei Reklamationen
lang: de
category: Service
---
Wir finden eine Lösung. Details regeln die [internen Kulanzgrenzen](../intern/kulanz.md) im Team.

## {HEADINGS[0]}

Kleine Beträge erstatten wir sofort.

## {HEADINGS[1]}

Alle Größen sind lieferbar.

## {HEADINGS[2]}

Schreiben Sie uns.
"""


@pytest.fixture(scope="module")
def linking_index(tmp_path_factory, encoders):
    from kb.encoders import DEFAULT_MODELS
    from kb.index.build import build_index

    base = tmp_path_factory.mktemp("links")
    articles = base / "articles"
    shutil.copytree(FIXTURES, articles)
    (articles / "de" / "kulanz-service.md").write_text(LINKING, encoding="utf-8")
    report = build_index(articles, base / "index", lambda: encoders, DEFAULT_MODELS)
    return base, report


@pytest.fixture()
def client(linking_index, tmp_path):
    from kb.web import create_app

    app = create_app({"KB_INDEX": str(linking_index[0] / "index"), "INSTANCE": str(tmp_path / "instance"),
                      "DATABASE": str(tmp_path / "kb.sqlite3"), "KB_SITE": str(ROOT / "site.yml"),
                      "SECRET_KEY": "test-secret", "RATELIMIT_ENABLED": False})
    return app.test_client()


def test_the_report_says_the_article_is_published_without_the_link(linking_index):
    _, report = linking_index
    assert not any("kulanz-service.md" in p.path for p in report.skipped)
    (problem,) = [p for p in report.published_anyway if p.path.endswith("kulanz-service.md")]
    assert "internal article 'intern/kulanz'" in problem.message
    assert "published with the link's text only, without the link" in problem.message


def test_the_cli_prints_published_anyway_not_skipped(linking_index, capsys):
    from kb.cli.indexing import _print_report

    _print_report(linking_index[1], FIXTURES)
    err = capsys.readouterr().err
    assert "published anyway:" in err and "kulanz-service.md" in err
    assert "skipped:" not in err and "were skipped" not in err


def test_the_public_page_shows_the_link_text_but_neither_link_nor_target(client):
    r = client.get("/articles/de/kulanz-service")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "internen Kulanzgrenzen" in html
    assert "intern/kulanz" not in html and "kulanz.md" not in html
    assert not re.search(r"<a\b[^>]*>\s*internen Kulanzgrenzen", html)
    assert client.get("/articles/intern/kulanz").status_code == 404
    found = client.get("/api/search?q=Kulanz+bei+Reklamationen").get_data(as_text=True)
    assert "kulanz-service" in found and "intern/kulanz" not in found


def test_the_table_of_contents_escapes_headings_once(client):
    html = client.get("/articles/de/kulanz-service").get_data(as_text=True)
    toc = html[html.index('class="toc"'):]
    toc = toc[:toc.index("</nav>")]
    assert "Preise &lt; 10 € &amp; Versand" in toc
    assert "Größen &lt;S&gt; &amp; &lt;M&gt;" in toc
    assert "&amp;lt;" not in toc and "&amp;amp;" not in toc


def test_heading_text_is_plain_for_the_template_and_the_section_label():
    html = render_html("\n\n".join(f"## {h}\n\ntext" for h in HEADINGS))
    toc = table_of_contents(html)
    assert [text for _, _, text in toc] == HEADINGS
    shown = Environment(autoescape=True).from_string("{% for _, _, t in toc %}{{ t }}|{% endfor %}")
    assert shown.render(toc=toc).split("|")[0] == "Preise &lt; 10 € &amp; Versand"
    anchor = toc[0][1]
    wrapped = str(wrap_sections(html, anchor))
    assert 'aria-label="Preise &lt; 10 € &amp; Versand"' in wrapped
