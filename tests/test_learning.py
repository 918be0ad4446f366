"""Learned questions without a server: folding, the front matter writer, evidence and suggestions."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.git_folder import committed

from kb.content.articles import load_articles
from kb.content.front_matter_questions import FrontMatterEditError, add_question
from kb.content.phrasing import fold, has_placeholder, same_phrasing
from kb.ops import learning
from kb.ops.database import Store
from kb.ops.suggestions import SuggestionError, accept, reject, suggestions

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "articles"


def test_fold_merges_case_accents_umlaut_spellings_and_punctuation():
    assert fold("Wo ist mein Päckchen?") == fold("wo ist mein paeckchen") == "wo ist mein paeckchen"
    assert fold("Can I change my E-Mail?") == fold("can i change my email")
    assert fold("Don't want it") == fold("dont want it")
    assert fold("Café crème") == "cafe creme"
    assert same_phrasing(fold("where is my parcel"), fold("wehre is my parcel"))  # one typo
    assert not same_phrasing(fold("versand"), fold("verband"))  # short words: no typos allowed
    assert not same_phrasing(fold("where is my parcel"), fold("where is my invoice"))
    assert has_placeholder("order [number] missing") and has_placeholder("order {{Order Number}}")
    assert not has_placeholder("order 12 missing")


@pytest.mark.parametrize("front, expected", [
    ("questions:\n  - one\n  - two # note\ntags: [a]\n", "questions:\n  - one\n  - two # note\n  - NEW\ntags: [a]\n"),
    ("questions:\n- one\nlang: en\n", "questions:\n- one\n- NEW\nlang: en\n"),
    ("questions: [one, two]  # c\n", "questions: [one, two, NEW]  # c\n"),
    ("questions: []\n", "questions: [NEW]\n"),
    ("questions:\nlang: en\n", "questions:\n  - NEW\nlang: en\n"),
    ("lang: en\n", "lang: en\nquestions:\n  - NEW\n"),
])
def test_add_question_changes_only_the_questions_lines(tmp_path, front, expected):
    path = tmp_path / "a.md"
    body = "Body with --- and questions: [x]\n\n## Heading\ntext\n"
    path.write_bytes(f"---\ntitle: A\n{front}---\n{body}".encode())
    assert add_question(path, "where is my parcel") is True
    assert path.read_bytes().decode() == f"---\ntitle: A\n{expected.replace('NEW', 'where is my parcel')}---\n{body}"
    assert add_question(path, "Where is my  PARCEL?") is False  # the same question, folded
    assert path.read_bytes().decode().count("where is my parcel") == 1


def test_add_question_quotes_when_needed_keeps_crlf_and_refuses_what_it_cannot_edit(tmp_path):
    path = tmp_path / "a.md"
    path.write_bytes(b"\xef\xbb\xbf---\r\ntitle: A\r\nquestions:\r\n  - x\r\n---\r\nBody\r\n")
    assert add_question(path, "can I pay: with card #2?")
    assert path.read_bytes() == (b"\xef\xbb\xbf---\r\ntitle: A\r\nquestions:\r\n  - x\r\n"
                                 b"  - \"can I pay: with card #2?\"\r\n---\r\nBody\r\n")
    odd = tmp_path / "b.md"
    odd.write_text("---\ntitle: A\nquestions: just text\n---\nBody\n")
    with pytest.raises(FrontMatterEditError):
        add_question(odd, "where is my parcel")
    assert odd.read_text() == "---\ntitle: A\nquestions: just text\n---\nBody\n"


@pytest.fixture()
def shop(tmp_path):
    articles = tmp_path / "articles"
    shutil.copytree(FIXTURES, articles)
    return Store(tmp_path / "kb.sqlite3"), articles


def _search_and_vote(store, query, lang, article_id, helpful=True, channel="api", shown=None, votes=1):
    token = store.log_search(query, lang, True, shown or [article_id], channel)
    for _ in range(votes):
        store.add_feedback(article_id, helpful, None, lang, token)
    return token


def test_suggestions_merge_count_and_respect_language_audience_and_privacy(shop):
    store, root = shop
    articles = load_articles(root)[0]
    for q in ("When does my parcel arrive", "when does my parcel arrive?", "When does my parcle arrive"):
        _search_and_vote(store, q, "en", "en/delivery")
    _search_and_vote(store, "how long to austria", "en", "en/delivery", votes=3)  # one search, one vote
    _search_and_vote(store, "How long to Austria", "en", "en/delivery")
    _search_and_vote(store, "how long to austria", "en", "en/delivery", helpful=False)  # counter-evidence
    _search_and_vote(store, "wie lange dauert es nach österreich", "de", "en/delivery")  # -> German version
    _search_and_vote(store, "my order [number] is late", "en", "en/delivery")  # masked: never
    _search_and_vote(store, "wann kommt mein Paket", "de", "de/lieferzeit")  # already a question
    _search_and_vote(store, "kulanz bis wieviel euro", "de", "intern/kulanz")  # customer: no
    _search_and_vote(store, "wie viel kulanz darf ich geben", "de", "intern/kulanz", channel="agent")
    _search_and_vote(store, "parcel not shown", "en", "en/delivery", shown=["en/returns"])  # not shown

    found = {s.phrasing: s for s in suggestions(store, articles)}
    arrive = found["When does my parcel arrive"]
    assert arrive.article_id == "en/delivery" and arrive.evidence == 3 and len(arrive.variants) == 2
    austria = found["how long to austria"]
    assert (austria.helpful, austria.against, austria.evidence) == (2, 1, 1)
    assert found["wie lange dauert es nach österreich"].article_id == "de/lieferzeit"
    assert found["wie viel kulanz darf ich geben"].article_id == "intern/kulanz"
    assert not any("[number]" in p or "kulanz bis" in p or "wann kommt" in p.casefold()
                   or "not shown" in p for p in found)
    assert [s.phrasing for s in suggestions(store, articles, min_evidence=2)] == ["When does my parcel arrive"]
    token = _search_and_vote(store, "how long to austria", "en", "en/delivery")
    store.add_feedback("en/delivery", False, None, "en", token)  # changed their mind: the last vote counts
    assert "how long to austria" not in {s.phrasing for s in suggestions(store, articles)}


def test_suggestions_leave_out_greeting_and_thanks_and_merge_with_the_plain_question(shop):
    store, root = shop
    articles = load_articles(root)[0]
    _search_and_vote(store, "Hallo, wie lange dauert der Versand nach Wien? Danke!", "de", "de/lieferzeit")
    _search_and_vote(store, "wie lange dauert der versand nach wien", "de", "de/lieferzeit")
    _search_and_vote(store, "hi, is there a return fee? thanks", "en", "en/returns")
    found = {s.phrasing: s for s in suggestions(store, articles)}
    assert set(found) == {"wie lange dauert der Versand nach Wien?", "is there a return fee?"}
    assert found["wie lange dauert der Versand nach Wien?"].evidence == 2
    reject(store, found["is there a return fee?"], "eva")
    _search_and_vote(store, "Hello, is there a return fee?", "en", "en/returns")  # rejected, greeted again
    assert {s.phrasing for s in suggestions(store, articles)} == {"wie lange dauert der Versand nach Wien?"}
    # a decision taken on the phrasing with its courtesy (before it was cut) holds for the plain one
    learning.decide(store, "de/lieferzeit", "Hallo, wie lange dauert der Versand nach Wien? Danke!", "rejected", "eva")
    assert suggestions(store, articles) == []


def test_a_signed_name_emoji_and_a_link_are_neither_stored_nor_learned(shop):
    store, root = shop
    articles = load_articles(root)[0]
    _search_and_vote(store, "wie lange dauert der versand nach wien? 😅 Viele Grüße, Anna Schmidt", "de",
                     "de/lieferzeit")
    _search_and_vote(store, "how long to austria https://www.shop.com/delivery :-( Cheers, John", "en",
                     "en/delivery")
    stored = " ".join(r["query"] for r in store.query("SELECT query FROM searches"))
    assert "Anna" not in stored and "Schmidt" not in stored and "John" not in stored
    assert {s.phrasing for s in suggestions(store, articles)} == {
        "wie lange dauert der versand nach wien?", "how long to austria"}


def test_suggestions_capped_per_article_most_frequent_then_most_different(shop):
    store, root = shop
    articles = load_articles(root)[0]
    for n, q in ((4, "when will my order be delivered"), (3, "when will my order be delivered here"),
                 (2, "delivery time to austria")):
        for _ in range(n):
            _search_and_vote(store, q, "en", "en/delivery")
    found = suggestions(store, articles, per_article=2)
    assert [s.phrasing for s in found] == ["when will my order be delivered", "delivery time to austria"]


def test_accept_writes_front_matter_once_and_reject_is_remembered(shop):
    store, root = shop
    articles = load_articles(root)[0]
    _search_and_vote(store, "when does my parcel arrive", "en", "en/delivery")
    _search_and_vote(store, "is there a return fee", "en", "en/returns")
    _search_and_vote(store, "return costs", "en", "en/returns")
    fee, costs, first = sorted(suggestions(store, articles), key=lambda s: s.phrasing)
    before = (root / "en/delivery.md").read_text()
    assert accept(store, articles, first, "eva") is True
    after = (root / "en/delivery.md").read_text()
    assert after == before.replace("translation: delivery\n",
                                   "translation: delivery\nquestions:\n  - when does my parcel arrive\n")
    reject(store, costs, "eva")
    with pytest.raises(SuggestionError, match="personal data"):
        accept(store, articles, fee, "eva", phrasing="is there a fee, call 040 1234567")
    with pytest.raises(SuggestionError, match="no words"):
        accept(store, articles, fee, "eva", phrasing=" 👍 ?! ")
    assert accept(store, articles, fee, "eva", phrasing="Is there a return fee?")
    assert suggestions(store, load_articles(root)[0]) == []  # accepted, rejected: none again
    _search_and_vote(store, "Return  costs!", "en", "en/returns")  # rejected before, folded
    assert suggestions(store, load_articles(root)[0]) == []
    check = subprocess.run([sys.executable, "-m", "kb.cli", "check", str(root)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout


def test_inbox_and_copy_evidence_counts_once(shop):
    store, root = shop
    articles = load_articles(root)[0]
    ref_search = store.log_search("retourenlabel verloren", "de", False, [], "portal")
    store.add_contact_request("Ich habe das Retourenlabel verloren, was nun?", None, "de",
                              "retourenlabel verloren", [], ref_search)
    request_id = store.contact_requests()[0]["id"]
    assert learning.record_answered_with(store, request_id, ["de/ruecksendung", "de/ruecksendung"], "anna")
    assert learning.record_answered_with(store, request_id, ["de/ruecksendung"], "anna")
    assert not learning.record_answered_with(store, 999, ["de/ruecksendung"], "anna")
    assert store.contact_request(request_id)["status"] == "answered"
    assert learning.answered_with(store, request_id) == ["de/ruecksendung"]
    for _ in range(2):
        learning.record_copy(store, "Kulanz für Kratzer, Kunde 4711-123456", "de", "intern/kulanz", "anna")
    found = {s.phrasing: s for s in suggestions(store, articles)}
    assert found["retourenlabel verloren"].evidence == 1
    assert found["Ich habe das Retourenlabel verloren, was nun?"].evidence == 1
    assert not any("Kulanz" in p for p in found)  # masked number: never suggested
    learning.record_copy(store, "kulanz bei kratzern", "de", "intern/kulanz", "anna")
    learning.record_copy(store, "Kulanz bei Kratzern", "de", "intern/kulanz", "bert")
    assert {s.key: s for s in suggestions(store, articles)}["kulanz bei kratzern"].evidence == 2


def questions_command(store, root):
    """`kb questions …` in a process of its own, on this test's database and articles."""
    env = {"KB_INSTANCE": str(store.path.parent), "KB_ARTICLES": str(root), "PATH": "/usr/bin:/bin",
           "PYTHONPATH": str(ROOT)}

    def kb(*args):
        return subprocess.run([sys.executable, "-m", "kb.cli", "questions", *args], capture_output=True,
                              text=True, env=env)
    return kb


def test_cli_suggest_accept_reject(shop, monkeypatch):
    store, root = shop
    _search_and_vote(store, "when does my parcel arrive", "en", "en/delivery")
    _search_and_vote(store, "how much is a return", "en", "en/returns")
    _search_and_vote(store, "return label lost", "en", "en/returns")
    kb = questions_command(store, root)
    listed = json.loads(kb("suggest", "--json").stdout)
    assert {s["phrasing"] for s in listed} == {"when does my parcel arrive", "how much is a return",
                                               "return label lost"}
    only = json.loads(kb("suggest", "--json", "--article", "en/returns").stdout)
    assert {s["phrasing"] for s in only} == {"how much is a return", "return label lost"}
    assert json.loads(kb("suggest", "--json", "--lang", "de").stdout) == []
    for wrong in (("--lang", "xx"), ("--article", "en/nope")):
        failed = kb("suggest", *wrong)
        assert failed.returncode == 2 and "unknown" in failed.stderr, failed.stderr
    label = next(s for s in listed if s["phrasing"] == "return label lost")
    assert kb("reject", label["id"]).returncode == 0
    assert kb("accept", "nope").returncode == 2
    assert kb("accept").returncode == 2
    done = kb("accept", "--all", "--article", "en/delivery")
    assert done.returncode == 0 and "1 question added to 1 article" in done.stdout
    assert "how much is a return" not in (root / "en/returns.md").read_text()
    done = kb("accept", "--all", "--min-evidence", "1", "--lang", "en")
    assert done.returncode == 0 and "1 question added to 1 article" in done.stdout
    assert "when does my parcel arrive" in (root / "en/delivery.md").read_text()
    assert "how much is a return" in (root / "en/returns.md").read_text()
    assert "return label lost" not in (root / "en/returns.md").read_text()
    assert json.loads(kb("suggest", "--json").stdout) == []
    history = store.query("SELECT article_id, author, message FROM article_versions ORDER BY id")
    added = [(r["article_id"], r["message"]) for r in history if r["author"].startswith("cli")]
    assert added == [("en/delivery", "Add the question 'when does my parcel arrive' to en/delivery"),
                     ("en/returns", "Add the question 'how much is a return' to en/returns")]  # versioned


def test_cli_names_the_broken_file_of_an_article_whose_front_matter_cannot_be_read(shop):
    store, root = shop
    _search_and_vote(store, "how much is a return", "en", "en/returns")
    kb = questions_command(store, root)
    suggestion = json.loads(kb("suggest", "--json").stdout)[0]["id"]
    article = root / "en/returns.md"
    article.write_text(article.read_text().replace("title: Returning an item", "title: [Returning an item"))
    for args in (("accept", suggestion), ("reject", suggestion), ("suggest", "--article", "en/returns"),
                 ("accept", "--all", "--article", "en/returns")):
        r = kb(*args)
        assert r.returncode == 2 and "Traceback" not in r.stderr, (args, r.stderr)
        assert f"the file of article 'en/returns' cannot be read: {article}:" in r.stderr, (args, r.stderr)
        assert "front matter is not valid YAML" in r.stderr and "decided already" not in r.stderr, r.stderr
    listed = kb("suggest")
    assert listed.returncode == 0 and "0 suggestions" in listed.stdout
    assert "warning: suggestions not listed: the file of article 'en/returns' cannot be read" in listed.stderr
    assert "decided already" in kb("accept", "0123456789").stderr  # an id of no article: as before
    assert "how much is a return" not in article.read_text()


def test_cli_accept_is_a_commit_where_the_articles_are_in_git(shop):
    store, root = shop
    git = committed(root)
    _search_and_vote(store, "when does my parcel arrive", "en", "en/delivery")
    env = {"KB_INSTANCE": str(store.path.parent), "KB_ARTICLES": str(root), "PATH": "/usr/bin:/bin",
           "PYTHONPATH": str(ROOT), "HOME": str(root.parent)}
    done = subprocess.run([sys.executable, "-m", "kb.cli", "questions", "accept", "--all"], capture_output=True,
                          text=True, env=env)
    assert done.returncode == 0 and "warning" not in done.stderr, done.stderr
    log = subprocess.run([*git, "log", "-1", "--format=%an|%s", "--", "en/delivery.md"], capture_output=True,
                         text=True).stdout.strip()
    assert log.startswith("cli") and log.endswith("|Add the question 'when does my parcel arrive' to en/delivery")
    assert subprocess.run([*git, "status", "--porcelain"], capture_output=True, text=True).stdout == ""


def test_cli_questions_use_the_shared_database_of_replicas(tmp_path, postgres_server):
    """`kb questions` reads and writes KB_DATABASE_URL, as the servers do: the cron decision
    works where replicas share PostgreSQL, and no SQLite file appears beside them."""
    url = postgres_server.new_database()
    store = Store(url)
    articles = tmp_path / "articles"
    shutil.copytree(FIXTURES, articles)
    _search_and_vote(store, "when does my parcel arrive", "en", "en/delivery")
    env = {"KB_INSTANCE": str(tmp_path / "instance"), "KB_ARTICLES": str(articles), "KB_DATABASE_URL": url,
           "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)}
    listed = subprocess.run([sys.executable, "-m", "kb.cli", "questions", "suggest", "--json"],
                            capture_output=True, text=True, env=env)
    assert listed.returncode == 0, listed.stderr
    assert "when does my parcel arrive" in listed.stdout
    done = subprocess.run([sys.executable, "-m", "kb.cli", "questions", "accept", "--all"], capture_output=True,
                          text=True, env=env)
    assert done.returncode == 0 and done.stdout.startswith("1 question added"), done.stdout + done.stderr
    assert "when does my parcel arrive" in (articles / "en" / "delivery.md").read_text(encoding="utf-8")
    assert [d["phrasing"] for d in learning.decisions(store, "accepted")] == ["when does my parcel arrive"]
    assert not (tmp_path / "instance" / "kb.sqlite3").exists()


def test_the_first_decision_on_a_suggestion_counts_and_a_failed_write_leaves_it_open(store_url, tmp_path):
    """Two editors (two replicas) deciding one suggestion at once: the second is told it was
    decided meanwhile, never that its opposite decision was carried out. On both engines."""
    store = Store(store_url)
    root = tmp_path / "articles"
    shutil.copytree(FIXTURES, root)
    articles = load_articles(root)[0]
    for q in ("when does my parcel arrive", "how long until my parcel is here"):
        _search_and_vote(store, q, "en", "en/delivery")
    first, second = suggestions(store, articles)  # both editors listed the same page
    reject(store, first, "otto")
    before = (root / "en" / "delivery.md").read_text(encoding="utf-8")
    with pytest.raises(SuggestionError, match="decided on this suggestion meanwhile"):
        accept(store, articles, first, "eva")
    assert (root / "en" / "delivery.md").read_text(encoding="utf-8") == before  # nothing written

    def disk_full(path, question):
        raise OSError("disk full")
    with pytest.raises(OSError):
        accept(store, articles, second, "eva", write=disk_full)
    assert [s.phrasing for s in suggestions(store, articles)] == [second.phrasing]  # still open
    assert accept(store, articles, second, "eva")
    with pytest.raises(SuggestionError, match="meanwhile"):
        reject(store, second, "otto")
    assert {d["phrasing"]: d["decision"] for d in learning.decisions(store)} == {
        first.phrasing: "rejected", second.phrasing: "accepted"}


def test_another_articles_question_is_neither_suggested_nor_accepted_for_this_one(shop):
    store, root = shop
    articles = load_articles(root)[0]
    _search_and_vote(store, "Wann kommt mein Paket?", "de", "de/ruecksendung")  # de/lieferzeit's question
    _search_and_vote(store, "wie schicke ich etwas zurück", "de", "de/ruecksendung")
    found = suggestions(store, articles)
    assert [s.phrasing for s in found] == ["wie schicke ich etwas zurück"]
    with pytest.raises(SuggestionError, match="de/lieferzeit"):  # edited into it: refused, nothing written
        accept(store, articles, found[0], "eva", phrasing="wann kommt mein paket")
    assert "wann kommt mein paket" not in (root / "de/ruecksendung.md").read_text()
    assert [s.phrasing for s in suggestions(store, articles)] == ["wie schicke ich etwas zurück"]  # still open


def test_an_articles_title_is_never_suggested_as_a_question(shop):
    """The search ranks an article first for its title as for its questions: another
    article's title as a question would tear it between two, the article's own adds nothing."""
    store, root = shop
    articles = load_articles(root)[0]
    _search_and_vote(store, "wie lange dauert die lieferung", "de", "de/ruecksendung")  # de/lieferzeit's title
    _search_and_vote(store, "Artikel zurücksenden", "de", "de/ruecksendung")  # its own title
    _search_and_vote(store, "wie schicke ich etwas zurück", "de", "de/ruecksendung")
    found = suggestions(store, articles)
    assert [s.phrasing for s in found] == ["wie schicke ich etwas zurück"]
    with pytest.raises(SuggestionError, match="title or a question of 'de/lieferzeit'"):
        accept(store, articles, found[0], "eva", phrasing="Wie lange dauert die Lieferung")


def test_a_near_variant_of_another_articles_question_is_refused_too(shop):
    store, root = shop
    articles = load_articles(root)[0]
    _search_and_vote(store, "wie schicke ich etwas zurück", "de", "de/ruecksendung")
    found = suggestions(store, articles)
    with pytest.raises(SuggestionError, match="de/lieferzeit"):  # "wann kommt mein paket", one letter off
        accept(store, articles, found[0], "eva", phrasing="wann kommt mein packet")


@pytest.fixture()
def both_engines(store_url, tmp_path):
    """The shop's articles and a store on SQLite or PostgreSQL: evidence is counted in SQL and Python."""
    root = tmp_path / "articles"
    shutil.copytree(FIXTURES, root)
    return Store(store_url), root


def _request(store, question, query=None, lang="de", channel="portal", shown=()):
    """A contact request (after a search of ``query`` when given); its id and its search's token."""
    token = store.log_search(query, lang, True, list(shown), channel) if query else None
    ref = store.add_contact_request(question, None, lang, query, list(shown), token)
    return next(r["id"] for r in store.contact_requests(None) if r["ref"] == ref), token


def test_one_request_and_article_are_one_piece_of_evidence_however_the_agents_say_so(both_engines):
    """Copying an article's answer for a request's words and marking the request answered with
    it is one customer, not two: a cron `accept --all --min-evidence 2` must not take it."""
    store, root = both_engines
    articles = load_articles(root)[0]
    question = "Wie schicke ich die Jacke zurück?"
    rid, _token = _request(store, question)
    learning.record_copy(store, question, "de", "de/ruecksendung", "anna")
    learning.record_copy(store, "Hallo, wie schicke ich die Jacke zurueck", "de", "de/ruecksendung", "bert")
    assert learning.record_answered_with(store, rid, ["de/ruecksendung", "en/returns"], "anna")  # both versions
    (found,) = suggestions(store, articles)
    assert (found.article_id, found.evidence, dict(found.kinds)) == ("de/ruecksendung", 1, {"inbox": 1})
    assert found.as_dict()["requests"] == 1 and found.as_dict()["copies"] == 0
    assert suggestions(store, articles, min_evidence=2) == []
    # a copy for words no request asked (a customer in a chat) counts on its own, and another request
    learning.record_copy(store, "Jacke passt nicht, wie geht die Rücksendung", "de", "de/ruecksendung", "carla")
    rid2, _ = _request(store, "wie schicke ich die Jacke zurück")
    learning.record_answered_with(store, rid2, ["de/ruecksendung"], "carla")
    found = {s.phrasing: s for s in suggestions(store, articles)}
    assert [(found[question].evidence, dict(found[question].kinds))] == [(2, {"inbox": 2})]
    chat = found["Jacke passt nicht, wie geht die Rücksendung"]
    assert (chat.evidence, dict(chat.kinds)) == (1, {"copy": 1})


def test_a_request_and_the_vote_of_the_search_it_came_from_are_one_piece(both_engines):
    store, root = both_engines
    articles = load_articles(root)[0]
    rid, token = _request(store, "Label verloren, was tun?", query="retourenlabel verloren",
                          shown=["de/ruecksendung"])
    store.add_feedback("de/ruecksendung", False, None, "de", token)  # "not helpful" when searching
    assert [s.phrasing for s in suggestions(store, articles)] == []
    learning.record_answered_with(store, rid, ["de/ruecksendung"], "anna")  # the agent's answer counts over it
    found = {s.phrasing: s for s in suggestions(store, articles)}
    assert (found["retourenlabel verloren"].evidence, found["retourenlabel verloren"].against) == (1, 0)
    assert dict(found["retourenlabel verloren"].kinds) == {"inbox": 1}


def test_answered_with_from_a_stale_page_records_the_articles_but_not_the_status(both_engines):
    store, _root = both_engines
    rid, _token = _request(store, "Wo bleibt mein Paket?")
    assert store.set_request_status(rid, "answered", "anna", shown=("open", 0))
    assert store.set_request_status(rid, "open", "anna", shown=("answered", 1))  # open again, version 2
    assert learning.record_answered_with(store, rid, ["de/lieferzeit"], "ben", shown=("open", 0)) == learning.REFUSED
    row = store.contact_request(rid)
    assert (row["status"], row["status_by"], row["status_version"]) == ("open", "anna", 2)
    assert learning.answered_with(store, rid) == ["de/lieferzeit"]  # the evidence counts all the same
    assert learning.record_answered_with(store, rid, ["de/lieferzeit"], "ben", shown=("open", 2)) == learning.MARKED
    row = store.contact_request(rid)
    assert (row["status"], row["status_by"], row["status_version"]) == ("answered", "ben", 3)
    assert not store.set_request_status(rid, "open", "carla", shown=("open", 2))  # a page of before: stale
    assert learning.record_answered_with(store, rid, ["de/ruecksendung"], "carla", shown=("answered", 3)) \
        == learning.KEPT  # added to an answered request as the page showed it: ben's answer stays
    assert store.contact_request(rid)["status_by"] == "ben"
    assert learning.record_answered_with(store, 999, ["de/lieferzeit"], "ben", shown=("open", 0)) is None


def test_removing_an_answered_with_article_withdraws_its_evidence_and_the_copy_of_its_answer(both_engines):
    """A request answered with a wrong article: taken off, the customer's words are suggested for
    it no more, nor by the agent's copy of its answer for those words; the customer's own vote
    stays. Reopening takes nothing off (kb/web/agent/inbox.py only sets the status)."""
    store, root = both_engines
    articles = load_articles(root)[0]
    rid, token = _request(store, "Wann kommt meine Bestellung an?", query="wann kommt die bestellung",
                          shown=["de/lieferzeit", "de/ruecksendung"])
    store.add_feedback("de/lieferzeit", True, None, "de", token)  # the customer's own vote
    learning.record_copy(store, "Wann kommt meine Bestellung an?", "de", "de/ruecksendung", "anna")
    learning.record_answered_with(store, rid, ["de/ruecksendung", "de/lieferzeit"], "anna")
    assert {(s.article_id, s.phrasing) for s in suggestions(store, articles)} == {
        ("de/ruecksendung", "Wann kommt meine Bestellung an?"), ("de/ruecksendung", "wann kommt die bestellung"),
        ("de/lieferzeit", "Wann kommt meine Bestellung an?"), ("de/lieferzeit", "wann kommt die bestellung")}
    assert store.set_request_status(rid, "open", "anna")  # reopened: the list and its evidence stay
    assert learning.answered_with(store, rid) == ["de/lieferzeit", "de/ruecksendung"]
    assert learning.remove_answered_with(store, rid, "de/ruecksendung")
    assert not learning.remove_answered_with(store, rid, "de/ruecksendung")  # taken off already
    assert learning.answered_with(store, rid) == ["de/lieferzeit"]
    found = {(s.article_id, s.phrasing): s for s in suggestions(store, articles)}
    assert set(found) == {("de/lieferzeit", "Wann kommt meine Bestellung an?"),
                          ("de/lieferzeit", "wann kommt die bestellung")}
    assert learning.remove_answered_with(store, rid, "de/lieferzeit")
    only = suggestions(store, articles)
    assert [(s.phrasing, dict(s.kinds)) for s in only] == [("wann kommt die bestellung", {"vote": 1})]
    learning.record_answered_with(store, rid, ["de/ruecksendung"], "bert")  # chosen again: counts again
    assert {s.article_id for s in suggestions(store, articles)} == {"de/lieferzeit", "de/ruecksendung"}
    assert store.contact_request(rid)["status"] == "answered"


def test_an_internal_article_chosen_for_a_request_learns_only_staff_words(both_engines):
    """Any article may be recorded, internal ones too; a customer's words never teach an
    internal article, an agent's copy for them does (as before), and a request in one language
    teaches the version of the article in its language."""
    store, root = both_engines
    articles = load_articles(root)[0]
    rid, _ = _request(store, "Kratzer am Schrank, bekomme ich Geld zurück?")
    learning.record_answered_with(store, rid, ["intern/kulanz", "en/returns"], "anna")
    assert learning.answered_with(store, rid) == ["en/returns", "intern/kulanz"]
    found = suggestions(store, articles)
    assert [(s.article_id, s.phrasing) for s in found] == [
        ("de/ruecksendung", "Kratzer am Schrank, bekomme ich Geld zurück?")]  # the German version
    learning.record_copy(store, "Kratzer am Schrank, bekomme ich Geld zurück?", "de", "intern/kulanz", "anna")
    kulanz = [s for s in suggestions(store, articles) if s.article_id == "intern/kulanz"]
    assert [(s.evidence, dict(s.kinds)) for s in kulanz] == [(1, {"copy": 1})]  # the agent's, once


def test_cli_lists_what_the_evidence_is_and_a_cron_needs_two_pieces(shop):
    store, root = shop
    rid, _ = _request(store, "Wie schicke ich die Jacke zurück?")
    learning.record_copy(store, "Wie schicke ich die Jacke zurück?", "de", "de/ruecksendung", "anna")
    learning.record_answered_with(store, rid, ["de/ruecksendung"], "anna")
    _search_and_vote(store, "how long to austria", "en", "en/delivery")
    kb = questions_command(store, root)
    listed = kb("suggest")
    assert "  1x (1 request)  " in listed.stdout and "  1x (1 search)  " in listed.stdout, listed.stdout
    assert "searches (helpful" not in kb("suggest", "--help").stdout  # says what is counted
    done = kb("accept", "--all", "--min-evidence", "2")
    assert done.returncode == 0 and done.stdout.startswith("0 questions added"), done.stdout
    assert "Jacke" not in (root / "de" / "ruecksendung.md").read_text(encoding="utf-8")
