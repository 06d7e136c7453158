"""Stage tokenize: sentences and token records from a processed spaCy ``Doc``.

Sentence boundaries come from the model's parser, senter or sentencizer (``load_model`` adds a
sentencizer when the model has none); lemmas come from the model's lemmatizer (``load_model``
adds spaCy's German lookup table when the model has none). Whitespace-only tokens (paragraph
breaks) are left out of the token records and counts; ``token`` keeps spaCy's token index.

A "sentence" of whitespace alone is no sentence: models start one after the last full stop of
a text that ends in a line break, or between paragraphs. Its whitespace belongs to the sentence
before it (at the start of a text, to the first one), so sentence numbers count real sentences
only, whatever whitespace surrounds them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from .analyse import Article
    from .settings import RunSettings


def analyse(article: Article, settings: RunSettings) -> None:
    """Add the sentences and the token count (and the token rows, for the tokens table)."""
    doc = article.doc
    article.sentence_index = sentence_of_tokens(doc)
    article.shard["tokens"] = count_tokens(doc)
    article.shard["sentences"] = sentence_spans(doc)
    article.shard["token_rows"] = (token_records(doc, article.sentence_index)
                                   if settings.with_tokens else None)


def sentence_spans(doc: Doc) -> list[tuple[int, int]]:
    """(start_char, end_char) of every sentence, in order, without surrounding whitespace."""
    spans = []
    for sent in doc.sents:
        words = [token for token in sent if not token.is_space]
        if words:
            spans.append((words[0].idx, words[-1].idx + len(words[-1].text)))
    return spans


def sentence_of_tokens(doc: Doc) -> list[int]:
    """The 0-based sentence index of each token (whitespace-only sentences are not counted)."""
    index = []
    number = -1
    for sent in doc.sents:
        if any(not token.is_space for token in sent):
            number += 1
        index.extend([max(number, 0)] * len(sent))
    return index


def token_records(doc: Doc, sentence_index: list[int] | None = None) -> list[dict]:
    """Plain token records: sentence, token, start_char, end_char, text, lemma."""
    sentence_index = sentence_index if sentence_index is not None else sentence_of_tokens(doc)
    return [
        {
            "sentence": sentence_index[token.i],
            "token": token.i,
            "start_char": token.idx,
            "end_char": token.idx + len(token.text),
            "text": token.text,
            "lemma": token.lemma_ or None,
        }
        for token in doc
        if not token.is_space
    ]


def count_tokens(doc: Doc) -> int:
    """Number of tokens that are not whitespace."""
    return sum(1 for token in doc if not token.is_space)
