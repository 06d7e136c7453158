"""Stage extract: entity mention records from a processed spaCy ``Doc``.

A mention record is ``{"start_char", "end_char", "text", "label", "sentence"}`` with offsets
into the article text, so ``text == article[start_char:end_char]``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .tokens import sentence_of_tokens

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from .analyse import Article
    from .settings import RunSettings


def analyse(article: Article, settings: RunSettings) -> None:
    """Add the model's entity spans as mention records (the normalize stage names them)."""
    article.shard["mentions"] = mention_records(article.doc, article.sentence_index)

def mention_records(doc: Doc, sentence_index: list[int] | None = None) -> list[dict]:
    """The model's entity spans as plain records, in text order."""
    sentence_index = sentence_index if sentence_index is not None else sentence_of_tokens(doc)
    return [
        {
            "start_char": ent.start_char,
            "end_char": ent.end_char,
            "text": ent.text,
            "label": ent.label_,
            "sentence": sentence_index[ent.start],
        }
        for ent in doc.ents
    ]


def mention_rows(doc_id: str, mentions: list[dict]) -> list[dict]:
    """An article's mentions as rows of the mentions table: in text order, numbered from 0."""
    ordered = sorted(mentions, key=lambda mention: (mention["start_char"], mention["end_char"]))
    return [{**mention, "doc_id": doc_id, "mention": number}
            for number, mention in enumerate(ordered)]
