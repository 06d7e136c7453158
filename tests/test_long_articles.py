"""Issue 14, points 12 and 13: sentences are counted right whatever whitespace surrounds them,
and a long article is analysed in windows (bounded memory) that the tables do not show."""

from __future__ import annotations

import pytest

from conftest import load_json, run_cli, write_jsonl
from pipeline.windows import WINDOW_CHARS, windows

SENTENCE = "Angela Merkel traf Emmanuel Macron in Berlin. "


@pytest.mark.parametrize("text, sentences, mention_sentences", [
    ("Angela Merkel traf Macron.\n", 1, [0, 0]),
    ("Angela Merkel traf Macron.\n\n \n", 1, [0, 0]),
    ("\n\n  Angela Merkel traf Macron.", 1, [0, 0]),
    ("Angela Merkel reiste ab.\n\n\n\nMacron blieb in Paris.\n\n", 2, [0, 1, 1]),
    ("\nAngela Merkel reiste ab. \n \n Macron blieb in Paris. \n", 2, [0, 1, 1]),
])
def test_whitespace_around_sentences_is_no_sentence(tmp_path, text, sentences,
                                                    mention_sentences):
    corpus = tmp_path / "corpus"
    write_jsonl(corpus / "a.jsonl", [{"id": "j", "text": text}])
    (corpus / "t.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("run", corpus, "--out", out, "--tables", "all").exit_code == 0
    documents = load_json(out, "documents")
    assert [(d["doc_id"], d["sentences"]) for d in documents] == [("j", sentences),
                                                                  ("t", sentences)]
    for doc_id in ("j", "t"):
        mentions = [m for m in load_json(out, "mentions") if m["doc_id"] == doc_id]
        assert [m["sentence"] for m in mentions] == mention_sentences
        tokens = [t for t in load_json(out, "tokens") if t["doc_id"] == doc_id]
        assert {t["sentence"] for t in tokens} == set(range(sentences))


def test_windows_add_up_to_the_text_and_end_between_sentences():
    text = ("Erster Absatz endet hier. Noch ein Satz.\n\nDr. Angela Merkel sprach in Berlin. "
            * 400)
    pieces = windows(text, 2_000)
    assert "".join(pieces) == text and len(pieces) > 10
    assert all(1_000 <= len(piece) <= 2_000 for piece in pieces[:-1])
    assert all(piece.endswith("Noch ein Satz.\n\n") for piece in pieces[:-1])
    no_break = windows(SENTENCE * 100, 1_000)
    assert all(piece.endswith("Berlin. ") for piece in no_break[:-1])
    assert windows("x" * 2_500, 1_000) == ["x" * 1_000, "x" * 1_000, "x" * 500]
    assert windows("kurz", 1_000) == ["kurz"]


def test_a_long_article_is_analysed_in_windows_as_one_article(tmp_path, monkeypatch):
    from spacy.language import Language

    repeat = WINDOW_CHARS // len(SENTENCE) + 300  # a little over one window
    text = SENTENCE * repeat
    longest = []
    pipe = Language.pipe

    def spying_pipe(self, texts, *args, **kwargs):
        texts = list(texts)
        longest.append(sum(map(len, texts)))
        return pipe(self, texts, *args, **kwargs)

    monkeypatch.setattr(Language, "pipe", spying_pipe)
    corpus = tmp_path / "corpus"
    write_jsonl(corpus / "a.jsonl", [{"id": "lang", "text": text},
                                     {"id": "kurz", "text": SENTENCE.strip()}])
    out = tmp_path / "out"
    result = run_cli("run", corpus, "--out", out, "--tables", "all")
    assert result.exit_code == 0, result.output
    assert 0 < max(longest) <= WINDOW_CHARS and len(longest) >= 2, longest
    documents = {d["doc_id"]: d for d in load_json(out, "documents")}
    assert (documents["lang"]["chars"], documents["lang"]["sentences"],
            documents["lang"]["tokens"]) == (len(text), repeat, 8 * repeat)
    mentions = [m for m in load_json(out, "mentions") if m["doc_id"] == "lang"]
    assert len(mentions) == 3 * repeat
    for number, mention in enumerate(mentions):
        assert text[mention["start_char"]:mention["end_char"]] == mention["text"]
        assert mention["sentence"] == number // 3
        assert mention["text"] == ("Angela Merkel", "Emmanuel Macron", "Berlin")[number % 3]
    entities = {e["name"]: e["mentions"] for e in load_json(out, "entities")}
    assert entities == {"Angela Merkel": repeat + 1, "Emmanuel Macron": repeat + 1,
                        "Berlin": repeat + 1}
    tokens = [t for t in load_json(out, "tokens") if t["doc_id"] == "lang"]
    assert [t["token"] for t in tokens] == list(range(8 * repeat))
    assert tokens[-1]["sentence"] == repeat - 1
