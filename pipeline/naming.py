"""Stage normalize: each mention's entity name and id, and the article's entity summary.

By default ``names.article.analyse_article`` merges the variants of a name within the article
(its module says by which rules), may add mentions the model missed, and summarises the
article's entities (``shard["entities"]``) for the corpus step that runs when the tables are
assembled (``names.resolve``). With ``--no-normalize`` every mention's text is its own name and
there is no summary (``None``). Either way each mention must still index the article text
exactly, or the article fails here instead of writing wrong offsets into the tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .names import article as names

if TYPE_CHECKING:
    from .analyse import Article
    from .settings import RunSettings


def analyse(article: Article, settings: RunSettings) -> None:
    """Replace the raw mention records with named ones; add the entity summary."""
    shard = article.shard
    text = shard["text"]
    entities = None
    if settings.normalize:
        mentions, entities = names.analyse_article(text, shard["mentions"], shard["sentences"])
    else:
        mentions = names.raw_mentions(shard["mentions"])
    for mention in mentions:
        if text[mention["start_char"]:mention["end_char"]] != mention["text"]:
            raise ValueError(f"mention {mention['text']!r} does not match its offsets")
    shard["mentions"] = mentions
    shard["entities"] = entities
