"""Stage normalize: each mention's entity name and id.

By default ``normalize.normalize_article`` merges the variants of a name within the article (its
module says by which rules) and may add mentions the model missed; with ``--no-normalize`` every
mention's text is its own name. Either way each mention must still index the article text
exactly, or the article fails here instead of writing wrong offsets into the tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import normalize

if TYPE_CHECKING:
    from .analyse import Article
    from .settings import RunSettings


def analyse(article: Article, settings: RunSettings) -> None:
    """Replace the raw mention records with named ones."""
    shard = article.shard
    text = shard["text"]
    if settings.normalize:
        mentions = normalize.normalize_article(text, shard["mentions"], shard["sentences"])
    else:
        mentions = normalize.raw_mentions(shard["mentions"])
    for mention in mentions:
        if text[mention["start_char"]:mention["end_char"]] != mention["text"]:
            raise ValueError(f"mention {mention['text']!r} does not match its offsets")
    shard["mentions"] = mentions
