"""One article's text with every mention highlighted by label, drawn by spaCy's displaCy.

displaCy's entity renderer (``style="ent"``, ``manual=True``) escapes the text it is given but
puts labels and knowledge-base ids into its markup as they are: both are escaped here, since
every string in the tables can come from an article. A mention whose text differs from its
entity's name (``Tokajew`` for *Kassym-Jomart Tokajew*) shows the name beside its label, as
displaCy's ``kb_id``, linking to the entity's row in the article's entity list.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from .colors import tint


@dataclass
class ArticleView:
    """What the page shows for one article."""

    anchor: str  # prefix of the element ids of this view, unique on the page
    markup: str  # displaCy's markup, safe to insert as it is
    entities: list[dict]  # name, label, mentions, variants, row_id; most mentioned first
    skipped: int = 0  # mentions that could not be highlighted (overlapping or off the text)


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def entities_of(mentions: list[dict], anchor: str) -> list[dict]:
    """The entities named in one article, from its mention records, most mentioned first."""
    found: dict[str, dict] = {}
    for mention in mentions:
        key = _text(mention.get("entity_id")) or _text(mention.get("name"))
        entity = found.setdefault(key, {"name": _text(mention.get("name")),
                                        "label": _text(mention.get("label")), "mentions": 0,
                                        "variants": set()})
        entity["mentions"] += 1
        entity["variants"].add(_text(mention.get("text")))
    ordered = sorted(found.items(), key=lambda item: (-item[1]["mentions"], item[1]["name"],
                                                      item[0]))
    rows = []
    for number, (key, entity) in enumerate(ordered):
        variants = sorted(v for v in entity["variants"] if v and v != entity["name"])
        rows.append({**entity, "key": key, "variants": variants,
                     "row_id": f"{anchor}-e{number}"})
    return rows


def article_view(text: str, mentions: list[dict], colors: dict[str, str],
                 anchor: str) -> ArticleView:
    """The highlighted text of one article and its entity list."""
    from spacy import displacy

    entities = entities_of(mentions, anchor)
    row_of = {entity["key"]: entity["row_id"] for entity in entities}
    spans, skipped, end_of_last = [], 0, 0
    for mention in sorted(mentions, key=lambda m: (int(m["start_char"]), int(m["end_char"]))):
        start, end = int(mention["start_char"]), int(mention["end_char"])
        if not (end_of_last <= start < end <= len(text)):
            skipped += 1  # displaCy's entity style cannot draw overlapping spans
            continue
        end_of_last = end
        name = _text(mention.get("name"))
        key = _text(mention.get("entity_id")) or name
        span = {"start": start, "end": end, "label": html.escape(_text(mention.get("label")))}
        if name and name != text[start:end]:
            span.update(kb_id=html.escape(name), kb_url=f"#{row_of[key]}")
        spans.append(span)
    label_tints = {html.escape(label): tint(color) for label, color in colors.items()}
    markup = displacy.render({"text": text, "ents": spans, "title": None}, style="ent",
                             manual=True, jupyter=False, options={"colors": label_tints})
    return ArticleView(anchor, markup, entities, skipped)
