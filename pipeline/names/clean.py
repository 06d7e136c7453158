"""Model spans cut back to the name, and spans that are no name dropped.

Each model span goes through these steps, on the cleaned article text (``text.CleanText``):

1. A span across a sentence end ("France24. Mittlerweile") is cut at the end of the sentence;
   each part goes on alone.
2. Punctuation at the edges goes ("-Wien", "@Paris", "Belgrad–", "Qabus’", "Abdullah II."):
   a name never starts or ends with it. A trailing hyphen of a shortened compound ("Nord- und
   Südamerika") leaves nothing of a name unless what stands before it is an acronym ("FPÖ- und
   ÖVP-Politiker").
3. Lower-case words before the name go: articles ("der Kreml") and adjectives ("spanischen
   Fußball-Supercup", "pro-kurdische HDP"), but not name particles ("van Gogh").
4. A word that opens the sentence and is usually written lower-case ("Leider", "Irgendwann";
   see ``lexicon``) is no name unless it also stands as a capitalised word inside a sentence
   of the article ("Kurz sagte" beside "Sebastian Kurz"); a function word opening a longer
   span goes ("Sagt Iggy" -> "Iggy").
5. A name cut inside its particles is completed from the text: "Alexander Van" before
   " der Bellen" becomes "Alexander Van der Bellen"; a place or organisation that starts with
   a particle takes the capitalised word before it ("de France" -> "Tour de France").
6. A place that is a single word naming a country's people ("Russen", "Syrer", "Israelis";
   see ``lexicon.is_demonym``) is no place: GermEval counts it as a derivation (LOCderiv).
7. What is left must look like a name (``is_name``): letters, not mostly digits (unless a
   letter leads, as in the codes of channels, teams and roads: "Ö24", "U21", "B311"), not a date,
   and, when lower-case, not a German word ("spanischen", "heim"); "dpa", "ver.di",
   "orf.at" and "iPhone" are names written in lower case.
"""

from __future__ import annotations

import bisect
import re

from .lexicon import (PARTICLES, START_PARTICLES, is_common_noun, is_demonym, is_german_word,
                      lexicon)
from .persons import is_particle

MONTHS = ("Jänner Januar Februar März April Mai Juni Juli August September Oktober November "
          "Dezember")
DATE = re.compile(r"\d{1,4}[./-]\d{1,2}(?:[./-]\d{0,4})?|(?:\d{1,2}\.\s?)?(?:%s)(?:\s\d{2,4})?"
                  % "|".join(MONTHS.split()))
DOMAIN = re.compile(r"[\w-]+(?:\.[\w-]+)*\.[a-z]{2,6}")
ELISION = re.compile(r"-\s*(?:,|und\b|oder\b|bis\b|sowie\b|bzw\b|&|/)")
ACRONYM = re.compile(r"[A-ZÄÖÜ][A-Za-zÄÖÜäöüß&]*[A-ZÄÖÜ][A-Za-zÄÖÜäöüß&0-9]*")
PARTICLE_TAIL = re.compile(r"(?:\s+(?i:%s))+\s+[A-ZÄÖÜ]\w*(?:-\w+)*"
                           % "|".join(sorted(PARTICLES)))
# Articles of other languages that begin names ("Los Angeles", "Las Vegas", "Il Sole").
FOREIGN_ARTICLES = frozenset("Los Las Les Il Lo".split())
# What a new sentence-like clause can start after, besides a sentence end.
OPENERS = frozenset(":–—„“\"«»‚‘(")
ALPHANUMERIC = re.compile(r"[^\W_]")
LAST_WORD = re.compile(r"(?<![\w-])([\w-]+) $")


def clean_spans(text: str, mention: dict, sentence_starts: list[int]) -> list[dict]:
    """The name-bearing parts of a model span (none, one, or one per sentence it crosses)."""
    start, end = mention["start_char"], mention["end_char"]
    if DATE.fullmatch(text[start:end].strip(" .,;:()")):  # before a cut at "23. August"
        return []
    cuts = sentence_starts[bisect.bisect_right(sentence_starts, start):
                           bisect.bisect_left(sentence_starts, end)]
    parts = []
    for first, last in zip([start, *cuts], [*cuts, end]):
        sentence = max(bisect.bisect_right(sentence_starts, first) - 1, 0)
        part = _tidy(text, first, last, mention["label"], sentence_starts[sentence]
                     if sentence_starts else 0)
        if part is not None:
            first, last = part
            parts.append({**mention, "start_char": first, "end_char": last,
                          "text": text[first:last], "sentence": sentence, "added": False})
    return parts


def _tidy(text: str, start: int, end: int, label: str,
          sentence_start: int) -> tuple[int, int] | None:
    """Steps 2 to 7 of the module docstring on one span; None when no name is left."""
    span = _trim_edges(text, start, end)
    if span is None:
        return None
    start, end = _drop_leading_words(text, *span)
    if start > span[0] and " " not in text[start:end] and is_common_noun(text[start:end]):
        return None  # "beide Richtungen", "südamerikanische Fußballverband"
    if start < end and _opens_sentence(text, start, sentence_start):
        start = _without_sentence_opener(text, start, end)
        if start is None:
            return None
    if start >= end:
        return None
    start, end = _complete_particles(text, start, end, label)
    if label == "PER" and is_particle(text[start:end]):  # "mit seinem Van überfuhr"
        return None
    if label == "LOC" and is_demonym(text[start:end]):  # "von den Russen"
        return None
    return (start, end) if is_name(text[start:end]) else None


def _trim_edges(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Without whitespace and punctuation at the edges; None for a shortened compound."""
    while start < end and not text[start].isalnum():
        start += 1
    trimmed = end
    while trimmed > start and not text[trimmed - 1].isalnum():
        trimmed -= 1
    if "-" in text[trimmed:end] and ELISION.match(text, text.index("-", trimmed, end)):
        if not ACRONYM.fullmatch(text[start:trimmed]):
            return None
    return (start, trimmed) if start < trimmed else None


def _drop_leading_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Without lower-case words (articles, adjectives) before the first capitalised word,
    unless they begin a name with particles ("van Gogh", "de Maizière")."""
    while True:
        word_end = _word_end(text, start, end)
        word = text[start:word_end]
        if word_end >= end or not word[:1].islower() or word in START_PARTICLES:
            return start, end
        start = _next_word(text, word_end, end)


def _opens_sentence(text: str, start: int, sentence_start: int) -> bool:
    """Whether only punctuation stands between the sentence start and ``start``, or a colon, a
    dash or an opening quote stands right before it ("Saakaschwili: Leider", "Santa Clara –
    Irgendwann", "„Leider")."""
    before = text[max(sentence_start, start - 3):start].rstrip()
    return before[-1:] in OPENERS or ALPHANUMERIC.search(text, sentence_start, start) is None


def _without_sentence_opener(text: str, start: int, end: int) -> int | None:
    """Step 4 of the module docstring: the new start, or None when no name is left."""
    word_end = _word_end(text, start, end)
    word = text[start:word_end]
    known = lexicon()
    if word not in known.usually_lower or is_particle(word) or word in FOREIGN_ARTICLES:
        return start
    if word_end >= end:
        return start if _stands_inside_a_sentence(word, text) else None
    if word.lower() not in known.stop_words:
        return start
    rest = _next_word(text, word_end, end)
    rest_text = text[rest:end]
    if not rest_text[:1].isupper() or (" " not in rest_text and is_common_noun(rest_text)):
        return None
    return rest


def _stands_inside_a_sentence(word: str, text: str) -> bool:
    """Whether ``word`` also occurs capitalised after a lower-case word or a comma."""
    from .inflection import word_starts

    for position in word_starts(word, text):
        before = text[:position].rstrip()
        if before and (before[-1] == "," or before[-1].islower()):
            return True
    return False


def _complete_particles(text: str, start: int, end: int, label: str) -> tuple[int, int]:
    """Step 5 of the module docstring: the span's new start and end. Only a span that ends or
    starts with a particle is widened: "Lopatka von der ÖVP" is a person and a party."""
    words = text[start:end].split()
    if is_particle(words[-1]) and words[-1][:1].isupper() or len(words) > 1 and is_particle(
            words[-1]):
        tail = PARTICLE_TAIL.match(text, end - len(words[-1]) - 1)
        if tail is not None:
            end = tail.end()
    if label != "PER" and words[0] in START_PARTICLES:
        before = LAST_WORD.search(text, max(start - 40, 0), start)
        if before is not None and before.group(1)[:1].isupper():
            start = before.start(1)
    return start, end


def is_name(span: str) -> bool:
    """Whether a cleaned span can be a name (step 7 of the module docstring)."""
    if span[:1].isupper() and len(span) > 1 and span.replace(" ", "").replace("-", "").isalpha():
        return True  # the common case, decided fast
    letters = sum(map(str.isalpha, span))
    digits = sum(map(str.isdigit, span))
    if letters == 0 or letters == 1 and digits == 0:  # "0,606", "A."; "Ö1" is a name
        return False
    if digits > letters and not span[:1].isalpha() or DATE.fullmatch(span):
        return False  # "2016er"; codes that start with a letter are names ("Ö24", "U21")
    if any(word[:1].isupper() or word[:1].isdigit() for word in span.split()):
        return True
    words = span.split()
    if len(words) > 1 or any(char.isupper() for char in span) or DOMAIN.fullmatch(span):
        return len(words) == 1  # "iPhone", "orf.at"; "beide Richtungen" is no name
    return not is_german_word(span) and span not in PARTICLES


def _word_end(text: str, start: int, end: int) -> int:
    space = text.find(" ", start, end)
    return end if space < 0 else space


def _next_word(text: str, position: int, end: int) -> int:
    while position < end and text[position].isspace():
        position += 1
    return position
