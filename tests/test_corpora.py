"""The gold corpora that feed training: tag schemes to PER/LOC/ORG spans, cleaning, and the
selection set held out by source document."""

from __future__ import annotations

import json

import pytest

from conftest import SHARED_DATA
from pipeline.training.cache import StepCache
from pipeline.training.conll import bio_to_spans
from pipeline.training.corpora import (
    DFKI_LABELS, GERMEVAL_LABELS, Sentence, clean_sentence, load_corpus, prepare_corpora, split_by_source,
)

HAS_GOLD = (SHARED_DATA / "germeval2014").exists()


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
    assert clean_sentence(Sentence(words, spans, "doc")) == (
        ["Die", "Deutsche", "Bahn", "fährt", "NewYork"], [(1, 3, "ORG"), (4, 5, "LOC")], "doc"
    )
    assert clean_sentence(Sentence([" ", "\t"], [])) is None


def test_split_by_source_keeps_each_document_on_one_side():
    # 40 documents of 1-4 sentences each
    sentences = [Sentence([f"w{d}-{i}"], [], f"doc{d}") for d in range(40) for i in range(d % 4 + 1)]
    train, select = split_by_source(sentences, 0.15, seed=0)
    assert split_by_source(sentences, 0.15, seed=0) == (train, select)
    assert split_by_source(sentences, 0.15, seed=1) != (train, select)
    assert len(train) + len(select) == len(sentences)
    assert 0.15 * len(sentences) <= len(select) < 0.15 * len(sentences) + 4
    assert not {s.source for s in train} & {s.source for s in select}
    assert [s for s in sentences if s in select] == select  # file order kept


@pytest.mark.skipif(not HAS_GOLD, reason=f"gold corpora not found at {SHARED_DATA}")
@pytest.mark.parametrize(
    ("name", "sentences", "tokens", "entities"),
    [
        ("germeval-test", 5100, 96499, {"PER": 1639, "LOC": 1706, "ORG": 1150}),  # README counts
        ("uner-pud", 1000, 21331, {"PER": 418, "LOC": 429, "ORG": 192}),
    ],
)
def test_corpus_counts_match_their_readmes(name, sentences, tokens, entities):
    import spacy

    corpus = load_corpus(SHARED_DATA, name, spacy.blank("de").tokenizer)
    assert len(corpus) == sentences
    assert sum(len(words) for words, _, _ in corpus) == tokens
    counts = {label: sum(1 for s in corpus for *_, l in s.spans if l == label) for label in entities}
    assert counts == entities


@pytest.mark.skipif(not HAS_GOLD, reason=f"gold corpora not found at {SHARED_DATA}")
def test_germeval_sentences_carry_their_source_url():
    import spacy

    corpus = load_corpus(SHARED_DATA, "germeval-test", spacy.blank("de").tokenizer)
    assert corpus[0].source == "http://de.wikipedia.org/wiki/Schönburg_(Rhein)"
    assert len({s.source for s in corpus}) == 5037  # distinct source URLs in test.tsv


@pytest.mark.skipif(not HAS_GOLD, reason=f"gold corpora not found at {SHARED_DATA}")
def test_prepared_corpora_are_cached_by_their_inputs(tmp_path):
    cache = StepCache(tmp_path)
    folder = prepare_corpora(SHARED_DATA, cache, seed=0)
    counts = json.loads((folder / "counts.json").read_text())
    assert counts["germeval-test"] == 5100 and counts["select_sentences"] == 765
    assert counts["train_sentences"] == 4 * (5100 - 765) + 1944 + 1000
    assert (folder / "select.tsv").read_text(encoding="utf-8").count("\n#\t") + 1 == 765
    assert prepare_corpora(SHARED_DATA, cache, seed=0) == folder  # reused, same key
    assert cache.timings["corpora-1"]["reused"] is True
    assert prepare_corpora(SHARED_DATA, cache, seed=1) != folder  # another split, another key
