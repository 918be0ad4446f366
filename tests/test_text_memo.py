from kb.content.text_memo import TextMemo


def test_results_are_remembered_per_text_and_context_and_bounded():
    memo: TextMemo[int] = TextMemo(limit=2)
    calls = []

    def compute(value):
        return lambda: calls.append(value) or value

    assert memo.get("a", compute(1)) == 1
    assert memo.get("a", compute(99)) == 1  # remembered
    assert memo.get("a", compute(2), "other context") == 2  # the same text, other context
    assert calls == [1, 2]
    assert memo.get("b", compute(3)) == 3  # the limit reached: forgotten, then stored
    assert memo.get("a", compute(4)) == 4
    assert calls == [1, 2, 3, 4]
