"""German case endings on names, removed only on evidence; whole-word search in article text.

A case ending is removed only on evidence, never by a bare suffix rule, so names that end
that way by nature (Paris, Lukas, Kaunas, Los Angeles) stay as they are:

* the uninflected form occurs in the same article (Kasachstans -> Kasachstan, Putins -> Putin);
* or it is a German country name from pycountry (Vereinigten Staaten -> Vereinigte Staaten);
* or spaCy's German lemma table says so: a genitive for places only (Deutschlands ->
  Deutschland; the table also maps Thomas -> Thoma and Reuters -> Reuter), a weak adjective
  before the head for places and organisations (Europäischen Union -> Europäische Union).

Across articles (``corpus_key``), names of organisations and places also compare without the
endings of the adjectives before their head ("Internationaler/Internationalen Währungsfonds").
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from .lexicon import lexicon

ADJECTIVE_ENDING = re.compile(r"(?<=\w\w\w)(?:e[mnrs]?)$")


def uninflected(surface: str, label: str, text: str) -> str:
    """``surface`` without a German case ending, where the evidence supports one (see module)."""
    words = surface.split()
    if not words or len(words) > 4:
        return surface
    known = lexicon()
    candidates = _deinflections(words)
    # A person's surname on its own is evidence for the full name (Wladimir Putins -> Putin).
    supported = next((candidate for candidate in candidates if occurs(candidate, text) or (
        label == "PER" and candidate.split()[:-1] == words[:-1]
        and occurs(candidate.split()[-1], text))), None)
    if supported is None and label == "LOC" and surface not in known.places:
        supported = next((candidate for candidate in candidates if candidate in known.places),
                         None)
    if label == "PER":
        return supported or surface
    *rest, last = (supported or surface).split()
    adjectives = [word[:-1] if word in known.weak_adjectives else word for word in rest]
    # The table's genitive: for a one-word place (Deutschlands); in a longer name for the German
    # -es ("Weißen Hauses") or after a weak adjective, which marks the phrase as inflected
    # ("Deutschen Bundestages"), since +s alone is also an English plural ("Northway Games").
    lemma = known.genitives.get(last, last)
    if supported is None and (adjectives != rest or (
            label == "LOC" and (not rest or last == lemma + "es"))):
        last = lemma
    return " ".join(adjectives + [last])


def corpus_key(name: str) -> str:
    """What an organisation's or place's name is compared by across articles: the words before
    the last without adjective endings ("Internationaler Währungsfonds" and "Internationale
    Währungsfonds" -> "International Währungsfonds")."""
    *rest, last = name.split() or [""]
    return " ".join([ADJECTIVE_ENDING.sub("", word) if word[:1].isupper() else word
                     for word in rest] + [last])


def _deinflections(words: list[str]) -> list[str]:
    """Candidate nominative forms: -s/-es off the last word, weak adjective -en -> -e/-er."""
    last = words[-1]
    lasts = [last[:-1]] if len(last) > 3 and last.endswith("s") else []
    if len(last) > 4 and last.endswith("es"):
        lasts.append(last[:-2])
    options = [[word, word[:-1], word[:-1] + "r"] if word.endswith("en") and word[:1].isupper()
               else [word] for word in words[:-1]]
    candidates = [" ".join(choice) for choice in itertools.product(*options, [last, *lasts])]
    return [candidate for candidate in candidates if candidate != " ".join(words)]


def occurs(phrase: str, text: str) -> bool:
    """Whether the phrase stands in the text as whole words (a hyphen counts as a border)."""
    return next(word_starts(phrase, text), None) is not None


def _is_word_char(char: str) -> bool:
    """``re``'s ``\\w`` for str patterns: a letter, a digit or an underscore."""
    return char.isalnum() or char == "_"


def word_starts(phrase: str, text: str, genitive: bool = False) -> Iterator[int]:
    """Start of every occurrence of ``phrase`` in ``text`` as whole words: the same matches as
    ``re.finditer(rf"(?<!\\w){re.escape(phrase)}(?!\\w)", text)``, or with ``genitive`` as
    ``(?=s?(?!\\w))`` in place of ``(?!\\w)``. Plain ``str.find``, because compiling a
    pattern for every name of every article cost more than the rest of this stage."""
    if not phrase:  # never asked for; the pattern keeps the meaning exact
        ending = r"(?=s?(?!\w))" if genitive else r"(?!\w)"
        yield from (match.start() for match in re.finditer(rf"(?<!\w){ending}", text))
        return
    size, end = len(phrase), len(text)
    position = text.find(phrase)
    while position >= 0:
        after = position + size
        if (position == 0 or not _is_word_char(text[position - 1])) and (
                after == end or not _is_word_char(text[after]) or (
                    genitive and text[after] == "s"
                    and (after + 1 == end or not _is_word_char(text[after + 1])))):
            yield position
            position = text.find(phrase, after)
        else:
            position = text.find(phrase, position + 1)
