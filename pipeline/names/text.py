"""The article text as the name rules see it: Unicode NFC, no invisible characters.

A soft hyphen ("Ber\\u00adlin"), a zero-width joiner or a decomposed "A\\u0308" makes a name
look different to every comparison while it looks the same to a reader. The rules therefore
work on a cleaned copy of the article, ``CleanText.text``, and ``CleanText`` maps offsets both
ways, so that the mentions still index the original text (``text[start:end]`` is the mention's
text there, soft hyphen and all) while their names are clean.
"""

from __future__ import annotations

import bisect
import re
import unicodedata

# Invisible characters that only steer line breaking, joining or direction.
INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064"
                      "\ufeff\u034f\u180e")
INVISIBLE_CHARACTER = re.compile("[%s]" % "".join(sorted(INVISIBLE)))


def needs_cleaning(text: str) -> bool:
    """Whether ``clean`` would change the text (the common case, no, is checked fast)."""
    return not unicodedata.is_normalized("NFC", text) or bool(INVISIBLE_CHARACTER.search(text))


def clean(text: str) -> str:
    """NFC, without invisible characters: how a name is compared and shown."""
    if not needs_cleaning(text):
        return text
    return unicodedata.normalize("NFC", "".join(c for c in text if c not in INVISIBLE))


class CleanText:
    """A cleaned copy of an article with offset maps to and from the original."""

    def __init__(self, original: str):
        self.original = original
        self.identity = not needs_cleaning(original)
        if self.identity:
            self.text = original
            return
        pieces, starts = [], []  # clean character i comes from original[starts[i]:...]
        for start, cluster in _clusters(original):
            composed = unicodedata.normalize("NFC", cluster)
            pieces.append(composed)
            starts.extend([start] * len(composed))
        self.text = "".join(pieces)
        if self.text != clean(original):  # a composition across clusters (not in German text)
            self.text = "".join(c for c in original if c not in INVISIBLE)
            starts = [index for index, c in enumerate(original) if c not in INVISIBLE]
        self._starts = starts
        self._ends = [_end_of(original, start) for start in starts]

    def to_clean(self, start: int, end: int) -> tuple[int, int]:
        """The clean span holding what original[start:end] holds."""
        if self.identity:
            return start, end
        first = bisect.bisect_left(self._starts, start)
        last = bisect.bisect_left(self._starts, end)
        return first, max(first, last)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """The original span of clean[start:end] (never empty for a non-empty span)."""
        if self.identity or start >= end:
            return (start, end) if self.identity else (self._position(start),) * 2
        return self._starts[start], self._ends[end - 1]

    def _position(self, index: int) -> int:
        return self._starts[index] if index < len(self._starts) else len(self.original)


def _clusters(text: str):
    """(start, characters) of each visible character with its combining marks, invisible
    characters left out."""
    cluster, start = "", 0
    for index, char in enumerate(text):
        if char in INVISIBLE:
            continue
        if cluster and unicodedata.combining(char):
            cluster += char
            continue
        if cluster:
            yield start, cluster
        cluster, start = char, index
    if cluster:
        yield start, cluster


def _end_of(text: str, start: int) -> int:
    """End of the cluster starting at ``start``: the character and its combining marks."""
    end = start + 1
    while end < len(text) and (unicodedata.combining(text[end]) or text[end] in INVISIBLE):
        end += 1
    while end > start + 1 and text[end - 1] in INVISIBLE:
        end -= 1
    return end
