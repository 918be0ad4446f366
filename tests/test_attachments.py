"""Files pasted as text (base64 blobs, data: URIs) are neither stored nor searched
(kb/content/attachments.py): what replaces them, what is no file, and the search without them."""
import base64
import random
import time

import pytest

from kb.content.attachments import ATTACHMENT, MIN_BLOB_CHARS, without_attachments
from kb.content.privacy import mask_pii
from kb.content.text import MASKED
from kb.search.as_searched import without_personal_data
from kb.search.message_search import message_parts

# 1,500 bytes of an "image": 2,000 characters of base64, as a screenshot pasted as text
BLOB = base64.b64encode(random.Random(7).randbytes(1500)).decode()
WRAPPED = "\n".join(BLOB[i:i + 76] for i in range(0, len(BLOB), 76))  # as e-mail wraps it
QUESTION = "Zahlung mit Kreditkarte fehlgeschlagen"


@pytest.mark.parametrize("text, kept", [
    (f"{QUESTION} {BLOB}", f"{QUESTION} {ATTACHMENT}"),
    (f"{QUESTION}\n{WRAPPED}\nDanke", f"{QUESTION}\n{ATTACHMENT}\nDanke"),        # its lines, not the next one
    (f"Foto: data:image/png;base64,{BLOB[:60]}== bitte", f"Foto: {ATTACHMENT} bitte"),  # a data: URI of any length
    (f"Foto: data:image/jpeg;name=a.jpg;base64,{BLOB}", f"Foto: {ATTACHMENT}"),
    # stored before files were known: masking cut the run into pieces, which count together
    (f"Foto: {BLOB[:300]}+[code]/{BLOB[300:]}", f"Foto: {ATTACHMENT}"),
])
def test_a_file_pasted_as_text_is_one_placeholder(text, kept):
    assert without_attachments(text) == kept


@pytest.mark.parametrize("text", [
    "a" * 300,                                                   # one letter held down: no digit
    "Donaudampfschifffahrtsgesellschaftskapitänsmütze " * 6,
    "Donaudampfschifffahrt" * 12,                                # long, but no capitals and digits mixed
    "https://shop.example/de/artikel/" + "-".join(["Ab1cD2"] * 40),  # a link's parts stand apart
    "sha256 " + "0f" * 32, "Gutschein ABCD-EFGH-IJKL-MNOP", "A1B2C3D4E5F6" * 3,  # codes: short
    BLOB[:MIN_BLOB_CHARS - 1],
])
def test_no_word_code_or_link_is_a_file(text):
    assert without_attachments(text) == text


def test_what_is_stored_holds_the_placeholder_which_every_reader_of_masked_text_knows():
    stored = mask_pii(f"{QUESTION}, hier der Screenshot: {BLOB}")
    assert stored == f"{QUESTION}, hier der Screenshot: {ATTACHMENT}"
    assert MASKED.fullmatch(ATTACHMENT)                                # insights and learning skip it
    assert without_personal_data(stored) == f"{QUESTION}, hier der Screenshot"  # the search cuts it


def test_a_contact_request_is_stored_without_the_file(tmp_path):
    from kb.ops.database import Store
    store = Store(tmp_path / "kb.sqlite3")
    ref, _new = store.add_contact_request_once(f"{QUESTION}\n{WRAPPED}", "k@example.de", "de", None, [])
    [row] = store.query("SELECT question FROM contact_requests WHERE ref = ?", (ref,))
    assert row["question"] == f"{QUESTION}\n{ATTACHMENT}"


@pytest.mark.parametrize("pasted", [f"{QUESTION}\n{WRAPPED}", f"{QUESTION} {BLOB}",
                                    f"{QUESTION}\ndata:image/png;base64,{BLOB}"])
def test_a_pasted_message_is_searched_without_the_file(pasted):
    assert message_parts(pasted, by_customer=True) == [QUESTION]


@pytest.mark.parametrize("with_file", [f"{QUESTION} {BLOB}", f"{QUESTION}\n{WRAPPED}",
                                       f"{QUESTION} data:image/png;base64,{BLOB}"])
def test_the_requests_topic_comes_first_with_a_file_pasted_into_it(shop_engine, with_file):
    """A screenshot pasted into a contact request put "Welche Zahlungsarten gibt es?" before "Probleme
    bei der Zahlung" in the agent's suggestions; the request is searched as stored, masked."""
    from kb.search.message_search import search_message
    _parts, alone = search_message(shop_engine, mask_pii(QUESTION), lang="de", limit=3, by_customer=True)
    _parts, pasted = search_message(shop_engine, mask_pii(with_file), lang="de", limit=3, by_customer=True)
    assert alone[0].hit.title == "Probleme bei der Zahlung"
    assert [m.hit.id for m in pasted] == [m.hit.id for m in alone]


HOSTILE_CHARS = 16_000
HOSTILE_BOUND_S = 0.2  # every run starts where none stands before it: 16,000 characters take about a millisecond


@pytest.mark.parametrize("unit", ["A1+", "A1+\n", "a" * 41 + "\n", "Ab1" * 14 + "\n", "[code]", "A[code]",
                                  "data:image/png;base64,", "a=", "A1" * 30 + "[ab]"])
def test_reading_hostile_text_for_files_takes_no_time_to_speak_of(unit):
    text = (unit * (HOSTILE_CHARS // len(unit) + 1))[:HOSTILE_CHARS]
    started = time.perf_counter()
    without_attachments(text)
    assert time.perf_counter() - started < HOSTILE_BOUND_S, unit
