"""Long articles in windows, so that one article's memory stays bounded whatever its length.

spaCy's memory for a ``Doc`` grows with its length while the model runs (the embedded model:
about 2.6 KB per character, 2.5 GB for a 920,000-character article). So an article longer than
``WINDOW_CHARS`` is cut into windows of at most that many characters, the model runs over the
windows one ``nlp.pipe`` call at a time, and their Docs are joined into one ``Doc`` of the whole
text again (``Doc.from_docs``) before the stages run. The stages therefore see one article as
always: offsets index the whole text, sentences are numbered across the windows, and the
normalize stage sees all of the article's mentions at once.

A window ends where a sentence ends (best before a line break) in its second half, else at a line
break or a space, so no name is cut at a border (only a text without a space in ``WINDOW_CHARS
/ 2`` characters is cut inside a word) and a sentence rarely is. Short articles are grouped into
``nlp.pipe`` calls of at most ``WINDOW_CHARS`` characters for the same reason: a batch of many
long articles must not add up. News articles are far shorter (10kGNAD's longest has 32,600
characters, its batches of 16 about 42,000), so they are analysed whole and in one call, as
without windows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

# The longest text one nlp.pipe call gets (the embedded model: about 300 MB above the model).
WINDOW_CHARS = 100_000
# Where a window may end, best first: at the end of a sentence followed by a line break, at
# the end of a sentence followed by a capital, at a line break, at any whitespace. A sentence
# end is a lower-case word, then . ! or ? (not "Dr." or "Nr."), where spaCy's tokenizer splits
# off the full stop and its sentencizer starts a new sentence anyway. Each cut takes the
# whitespace after it, so the next window starts with a word.
_END = r"(?<=[a-zäöüß]{2}[.!?])[\"'»«“”)]*"
_CUTS = (
    re.compile(_END + r"[^\S\n]*\n\s*"),
    re.compile(_END + r"\s+(?=[\"'„»«(]?[A-ZÄÖÜ])"),
    re.compile(r"\n\s*"),
    re.compile(r"\s+"),
)


def windows(text: str, size: int = WINDOW_CHARS) -> list[str]:
    """``text`` in pieces of at most ``size`` characters that add up to ``text`` exactly."""
    pieces = []
    start = 0
    while len(text) - start > size:
        end = _cut(text, start, start + size)
        pieces.append(text[start:end])
        start = end
    pieces.append(text[start:])
    return pieces


def _cut(text: str, start: int, limit: int) -> int:
    """Where the window ``text[start:limit]`` ends best: the last cut in its second half."""
    middle = start + (limit - start) // 2
    for pattern in _CUTS:
        end = None
        for match in pattern.finditer(text, middle, limit):
            end = match.end()
        if end is not None:
            return end
    return limit


def analysed_docs(nlp: Language, batch: list[tuple[str, str]], disable: list[str],
                  size: int = WINDOW_CHARS) -> Iterator[tuple[str, Doc]]:
    """(key, Doc) for each (key, text) of ``batch``, in order; a long text in windows."""
    articles = [(key, windows(text, size)) for key, text in batch]
    docs = _pipe(nlp, [piece for _, pieces in articles for piece in pieces], disable, size)
    for key, pieces in articles:
        parts = [next(docs) for _ in pieces]
        yield key, parts[0] if len(parts) == 1 else _joined(parts)


def _pipe(nlp: Language, texts: list[str], disable: list[str], size: int) -> Iterator[Doc]:
    """The Docs of ``texts``, in order, from nlp.pipe calls of at most ``size`` characters
    (or one text)."""
    group: list[str] = []
    chars = 0
    for text in texts:
        if group and chars + len(text) > size:
            yield from nlp.pipe(group, batch_size=len(group), disable=disable)
            group, chars = [], 0
        group.append(text)
        chars += len(text)
    if group:
        yield from nlp.pipe(group, batch_size=len(group), disable=disable)


def _joined(parts: list[Doc]) -> Doc:
    """One Doc of the windows' Docs: the text, tokens, sentences and entities of each, in
    order (the model's internal tensors are left out: no stage reads them)."""
    from spacy.tokens import Doc

    return Doc.from_docs(parts, ensure_whitespace=False, exclude=["tensor", "user_data"])
