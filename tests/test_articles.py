"""Article parsing, sections and the `kb check` rules (one failing fixture per rule)."""
from pathlib import Path

import pytest

from kb.content.articles import parse_article
from kb.content.check import check_articles
from kb.content.sections import split_sections

ROOT = Path(__file__).resolve().parent.parent


def write(root: Path, rel: str, text: str | bytes) -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(text if isinstance(text, bytes) else text.encode())
    return p


GOOD = "---\ntitle: T\nlang: de\ncategory: C\n---\nText.\n"


def problems_for(tmp_path, files: dict) -> list[str]:
    for rel, text in files.items():
        write(tmp_path, rel, text)
    _, problems = check_articles(tmp_path)
    return [str(p) for p in problems]


def test_parse_front_matter_and_id(articles_dir):
    a, problems = parse_article(articles_dir / "de/lieferzeit.md", articles_dir)
    assert problems == []
    assert a.id == "de/lieferzeit"
    assert a.title == "Wie lange dauert die Lieferung?"
    assert a.lang == "de" and a.audience == "public" and a.translation == "delivery"
    assert a.questions == ("wann kommt mein paket",)
    assert str(a.updated) == "2026-10-01"
    assert a.body_line == 11


def test_root_level_id(tmp_path):
    write(tmp_path, "cancel_order.md", GOOD)
    a, _ = parse_article(tmp_path / "cancel_order.md", tmp_path)
    assert a.id == "cancel_order"


def test_sections_by_h2_with_anchor(articles_dir):
    a, _ = parse_article(articles_dir / "de/lieferzeit.md", articles_dir)
    sections = split_sections(a)
    assert [s.heading for s in sections] == ["", "Lieferung ins Ausland"]
    assert sections[1].anchor == "lieferung-ins-ausland"
    assert "Österreich" in sections[1].text and "](" not in sections[1].text


def test_long_section_split_with_overlap(tmp_path):
    body = " ".join(f"Satz Nummer {i} hat ein paar Worte mehr." for i in range(80))
    write(tmp_path, "long.md", f"---\ntitle: T\nlang: de\ncategory: C\n---\n## Lang\n{body}\n")
    a, _ = parse_article(tmp_path / "long.md", tmp_path)
    parts = split_sections(a, max_words=100, overlap=20)
    assert len(parts) > 3 and {p.anchor for p in parts} == {"lang"}
    assert parts[0].text.split(". ")[-1] in parts[1].text  # overlap


@pytest.mark.parametrize("files, expected", [
    ({"a.md": b"\xff\xfe---"}, "a.md:1: error: not valid UTF-8"),
    ({"a.md": "no front matter"}, "a.md:1: error: missing front matter"),
    ({"a.md": "---\ntitle: [unclosed\nlang: de\n---\nx"}, "error: front matter is not valid YAML"),
    ({"a.md": "---\nlang: de\ncategory: C\n---\nx"}, "a.md:1: error: missing required key 'title'"),
    ({"a.md": "---\ntitle: T\nlang: de\ncategory: C\ncolour: red\n---\nx"}, "a.md:5: warning: unknown key 'colour'"),
    ({"a.md": "---\ntitle: T\nlang: de\ncategory: C\ntags: viele\n---\nx"}, "a.md:5: error: 'tags' must be a list"),
    ({"a.md": "---\ntitle: T\nlang: xx\ncategory: C\n---\nx"}, "a.md:3: error: unknown language 'xx'"),
    ({"a.md": "---\ntitle: T\nlang: de\ncategory: C\naudience: vip\n---\nx"}, "a.md:5: error: unknown audience 'vip'"),
    ({"a.md": "---\ntitle: T\nlang: de\ncategory: C\ndraft: maybe\n---\nx"}, "a.md:5: error: 'draft' must be true or false"),
    ({"a.md": "---\ntitle: T\nlang: de\ncategory: C\n---\n\n"}, "error: empty body"),
    ({"a.md": GOOD, "A.md": GOOD.replace("T", "U")}, "duplicate article id"),
    ({"a.md": GOOD, "b.md": GOOD}, "warning: duplicate title 'T' in language 'de'"),
    ({"a.md": GOOD.replace("C\n", "C\ntranslation: k\n"), "b.md": GOOD.replace("T", "U").replace("C\n", "C\ntranslation: k\n")},
     "translation key 'k' is used by another 'de' article"),
    ({"a.md": GOOD + "\nSee [x](missing/page.md).\n"}, "a.md:8: error: link to a missing article 'missing/page'"),
    ({"a.md": GOOD + "\nSee [x](b.md).\n", "b.md": GOOD.replace("T", "U").replace("C\n", "C\naudience: internal\n")},
     "public article links to internal article 'b'"),
    ({"a.md": "---\ntitle: T\nlang: de\ncategory: C\nupdated: gestern\n---\nx"}, "'updated' must be a date"),
    ({"a.md": "---\ntitle: T\nlang: de\ncategory: C\nupdated: 2026-13-01\n---\nx"},
     "a.md:5: error: front matter has a date that does not exist"),
    ({"a.md": b"---\x00binary"}, "binary file"),
])
def test_check_rule(tmp_path, files, expected):
    found = problems_for(tmp_path, files)
    assert any(expected in p for p in found), found


def test_bad_file_does_not_stop_others(tmp_path):
    write(tmp_path, "bad.md", b"\xff")
    write(tmp_path, "good.md", GOOD + "\n[x](nope.md)\n")
    found = problems_for(tmp_path, {})
    assert any("bad.md" in p for p in found) and any("good.md" in p and "nope" in p for p in found)


def test_a_symlinked_article_file_is_refused_not_read(tmp_path):
    """Its text could be any file on the server; the editor refuses such files too."""
    outside = write(tmp_path / "outside", "secret.md", GOOD.replace("Text.", "Geheim."))
    root = tmp_path / "articles"
    write(root, "good.md", GOOD)
    (root / "leak.md").symlink_to(outside)
    articles, problems = check_articles(root)
    assert [a.id for a in articles] == ["good"]
    assert [(Path(p.path).name, p.severity) for p in problems] == [("leak.md", "error")]
    assert "symbolic link" in problems[0].message


def test_html_in_an_article_is_a_warning_where_readers_would_see_it_as_text(tmp_path):
    body = "Text mit <b>fett</b>.\n\n`<b>` im Code, a < b, <hilfe@shop.example>\n\n<div>\nBlock\n</div>\n"
    found = problems_for(tmp_path, {"a.md": GOOD.replace("Text.\n", body)})
    assert [p.split(": warning: ")[0] for p in found] == [f"{tmp_path / 'a.md'}:6", f"{tmp_path / 'a.md'}:10"]
    assert all("shown to readers as text" in p for p in found)
    assert "tags and all (<b>)" in found[0] and "tags and all (<div>)" in found[1]  # which to replace


def test_the_tags_of_html_are_named_once_each_and_code_holds_none():
    from kb.content.markdown import raw_html, raw_html_tags
    body = ("<DIV class=x>a</div> <Script>b</script>\n\n`<b>` a < b <hilfe@shop.example>\n\n"
            "<!-- note -->\n\n<div>\n<span>c</span>\n</div>\n")
    assert raw_html(body) == {0: ["<div>", "<script>"], 4: ["<!--"], 6: ["<div>", "<span>"]}
    assert raw_html_tags(body) == ["<div>", "<script>", "<!--", "<span>"]
    assert raw_html("Nur Text, a < b.") == {}


def test_links_in_code_blocks_are_ignored(tmp_path):
    assert problems_for(tmp_path, {"a.md": GOOD + "\n```\n[x](missing.md)\n```\n"}) == []


def test_sample_help_centre_passes_check():
    articles, problems = check_articles(ROOT / "articles")
    assert [p for p in problems if p.severity == "error"] == []
    public = [a for a in articles if a.public]
    assert len(public) >= 48 and len([a for a in articles if not a.public]) >= 4
    langs = {}
    for a in public:
        langs.setdefault(a.translation, set()).add(a.lang)
    assert sum(1 for v in langs.values() if v == {"de", "en"}) >= 24
    assert sum(1 for a in public if a.questions) > len(public) / 2
    assert any(not a.questions for a in public)


def test_edited_links_are_checked_again(tmp_path):
    """Links are remembered per body (kb index --watch re-checks only edited articles)."""
    files = {"a.md": GOOD + "\nSee [x](b.md).\n", "b.md": GOOD.replace("T", "U")}
    assert problems_for(tmp_path, files) == []
    assert problems_for(tmp_path, files) == []  # the same bodies again: the same answer
    broken = problems_for(tmp_path, {"a.md": GOOD + "\nSee [x](c.md).\n"})
    assert any("link to a missing article 'c'" in p for p in broken), broken
    (tmp_path / "b.md").unlink()  # the link target removed: a's unchanged link is reported
    gone = problems_for(tmp_path, {"a.md": GOOD + "\nSee [x](b.md).\n"})
    assert any("link to a missing article 'b'" in p for p in gone), gone


def test_parsing_is_remembered_per_text_path_and_default_language(tmp_path):
    """kb index --watch parses only changed files; nothing else may leak between files."""
    (tmp_path / "en").mkdir()
    first = tmp_path / "en" / "a.md"
    first.write_text(GOOD, encoding="utf-8")
    a, problems = parse_article(first, tmp_path)
    assert a is not None and a.id == "en/a" and problems == []
    again, _ = parse_article(first, tmp_path)
    assert again == a  # the same text: the same article
    first.write_text(GOOD.replace("title: T", "title: Edited"), encoding="utf-8")
    assert parse_article(first, tmp_path)[0].title == "Edited"
    copy = tmp_path / "en" / "b.md"
    copy.write_text(GOOD, encoding="utf-8")
    b, _ = parse_article(copy, tmp_path)
    assert (b.id, b.path) == ("en/b", str(copy))  # same text, other file: its own id and path
    no_lang = tmp_path / "en" / "c.md"
    no_lang.write_text(GOOD.replace("lang: de\n", ""), encoding="utf-8")
    assert parse_article(no_lang, tmp_path, "fr")[0].lang == "fr"
    assert parse_article(no_lang, tmp_path, "it")[0].lang == "it"
    missing, problems = parse_article(no_lang, tmp_path)
    assert missing is None and any("missing required key 'lang'" in str(p) for p in problems)
    problems.clear()  # a caller's list: changing it changes nothing remembered
    assert parse_article(no_lang, tmp_path)[1]


def test_a_question_customers_cannot_type_is_a_warning(tmp_path):
    from kb.web.i18n import translate_message
    article = tmp_path / "de" / "lang.md"
    article.parent.mkdir()
    article.write_text("---\ntitle: Lang\nlang: de\ncategory: X\nquestions:\n- " + "wort " * 120 + "\n- '???'\n"
                       "- wo ist mein paket\n---\nText.\n", encoding="utf-8")
    parsed, problems = parse_article(article, tmp_path)
    assert parsed is not None and len(parsed.questions) == 3  # published; the questions stay
    found = [p for p in problems if "search box" in p.message]
    assert [p.severity for p in found] == ["warning", "warning"] and found[0].line == 5
    assert translate_message("de", found[0].message).startswith("Die Frage „wort wort")


def test_a_file_name_the_browser_editor_cannot_open_is_a_warning_naming_the_file_and_the_rule(tmp_path):
    """The portal serves it (a warning: `kb check` passes), but the editor's view, edit, rename and
    delete refuse its id: editors learn it from `kb check`, with a name that works."""
    found = problems_for(tmp_path, {"de/Aktion/Sommer Rabatt.md": GOOD, "de/aktion/winter.md": GOOD.replace(
        "title: T", "title: W")})
    assert len(found) == 1
    assert found[0].startswith(f"{tmp_path / 'de/Aktion/Sommer Rabatt.md'}:1: warning: ")
    assert "the id 'de/Aktion/Sommer Rabatt', which the browser editor cannot open" in found[0]
    assert "lower-case letters, digits, '-' and '_'" in found[0] and "'de/aktion/sommer-rabatt.md'" in found[0]
    articles, _problems = check_articles(tmp_path)
    assert len(articles) == 2  # published all the same
