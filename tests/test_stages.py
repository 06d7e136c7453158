"""Stages 2 and 3 on real German text: sentences, tokens with lemmas, mention records."""

from __future__ import annotations

import pytest

from pipeline.mentions import mention_records
from pipeline.tokens import count_tokens, sentence_of_tokens, sentence_spans, token_records

TEXT = ("Präsident Tokajew hatte Moskau um Hilfe gebeten.\n\nRussische Soldaten sollen den "
        "Flughafen in Almaty kontrollieren.")


@pytest.fixture(scope="module")
def nlp():
    from pipeline.model import load_model

    return load_model()


def test_sentences_tokens_and_lemmas(nlp):
    doc = nlp(TEXT)
    assert sentence_spans(doc) == [(0, 48), (50, 114)]
    tokens = token_records(doc)
    assert [(t["sentence"], t["token"], t["start_char"], t["end_char"], t["text"])
            for t in tokens[:3]] == [(0, 0, 0, 9, "Präsident"), (0, 1, 10, 17, "Tokajew"),
                                     (0, 2, 18, 23, "hatte")]
    assert all(TEXT[t["start_char"]:t["end_char"]] == t["text"] for t in tokens)
    assert "\n\n" not in [t["text"] for t in tokens]
    assert count_tokens(doc) == len(tokens) == 17
    lemmas = {t["text"]: t["lemma"] for t in tokens}
    assert (lemmas["hatte"], lemmas["Soldaten"], lemmas["Russische"]) == (
        "haben", "Soldat", "russisch")


def test_mention_records_index_the_text_and_sentence(nlp):
    from spacy.tokens import Span

    doc = nlp.make_doc(TEXT)
    nlp.get_pipe("sentencizer")(doc) if "sentencizer" in nlp.pipe_names else None
    if not doc.has_annotation("SENT_START"):
        pytest.skip("model sets sentences with a parser; covered by the CLI tests")
    doc.ents = [Span(doc, 1, 2, "PER"), Span(doc, 3, 4, "LOC"), Span(doc, 15, 16, "LOC")]
    assert sentence_of_tokens(doc)[15] == 1
    assert mention_records(doc) == [
        {"start_char": 10, "end_char": 17, "text": "Tokajew", "label": "PER", "sentence": 0},
        {"start_char": 24, "end_char": 30, "text": "Moskau", "label": "LOC", "sentence": 0},
        {"start_char": 93, "end_char": 99, "text": "Almaty", "label": "LOC", "sentence": 1},
    ]
