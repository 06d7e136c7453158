"""The gold-corpus converters that feed training: tag schemes to PER/LOC/ORG spans."""

from __future__ import annotations


import pytest

from conftest import SHARED_DATA
from pipeline.corpora import DFKI_LABELS, GERMEVAL_LABELS, bio_to_spans, clean_sentence, load_corpus, split_selection



@pytest.mark.parametrize(
    ("tags", "label_map", "spans"),
    [
        (["B-PER", "I-PER", "O", "B-LOC"], GERMEVAL_LABELS, [(0, 2, "PER"), (3, 4, "LOC")]),
        (["B-LOCderiv", "O", "B-OTH", "I-OTH"], GERMEVAL_LABELS, []),  # deriv and OTH: no entity
        (["B-LOC", "B-LOC", "I-LOC"], GERMEVAL_LABELS, [(0, 1, "LOC"), (1, 3, "LOC")]),
        (["O", "I-ORG", "I-ORG", "O"], GERMEVAL_LABELS, [(1, 3, "ORG")]),  # I- after O starts a span
        (["B-PER", "I-LOC"], GERMEVAL_LABELS, [(0, 1, "PER"), (1, 2, "LOC")]),
        (["B-location-city", "O", "B-location-route", "B-organization-company"], DFKI_LABELS,
         [(0, 1, "LOC"), (3, 4, "ORG")]),  # routes map to nothing
    ],
)
def test_bio_to_spans(tags, label_map, spans):
    assert bio_to_spans(tags, label_map) == spans


def test_clean_sentence_drops_whitespace_tokens_and_moves_spans():
    words = ["Die", " ", "Deutsche", "Bahn", "\u00a0", "fährt", "New York"]
    spans = [(2, 4, "ORG"), (6, 7, "LOC")]
    assert clean_sentence(words, spans) == (
        ["Die", "Deutsche", "Bahn", "fährt", "NewYork"], [(1, 3, "ORG"), (4, 5, "LOC")]
    )
    assert clean_sentence([" ", "\t"], []) is None


def test_split_selection_is_seeded_and_disjoint():
    sentences = [([f"w{i}"], []) for i in range(100)]
    train, select = split_selection(sentences, 0.1, seed=0)
    assert len(select) == 10 and len(train) == 90
    assert split_selection(sentences, 0.1, seed=0) == (train, select)
    assert not {s[0][0] for s in train} & {s[0][0] for s in select}


@pytest.mark.skipif(not (SHARED_DATA / "germeval2014").exists(), reason=f"gold corpora not found at {SHARED_DATA}")
@pytest.mark.parametrize(
    ("name", "sentences", "tokens", "entities"),
    [
        ("germeval-test", 5100, 96499, {"PER": 1639, "LOC": 1706, "ORG": 1150}),  # README counts
        ("uner-pud", 1000, 21331, {"PER": 418, "LOC": 429, "ORG": 192}),
        ("mobie-train", 4582, 57354, {"PER": 88, "LOC": 4527, "ORG": 1560}),  # keeps "#" tokens
    ],
)
def test_corpus_counts_match_their_readmes(name, sentences, tokens, entities):
    import spacy

    corpus = load_corpus(SHARED_DATA, name, spacy.blank("de").tokenizer)
    assert len(corpus) == sentences
    assert sum(len(words) for words, _ in corpus) == tokens
    counts = {label: sum(1 for _, spans in corpus for *_, l in spans if l == label) for label in entities}
    assert counts == entities
