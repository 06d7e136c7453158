"""Personal names: given names and surname, with name particles kept whole.

"Alexander Van der Bellen" is given name "Alexander" and surname "Van der Bellen"; "Ursula von
der Leyen" is "Ursula" + "von der Leyen"; "von der Leyen" and "De Maizière" alone are
surnames. A capitalised particle opens the surname when another particle follows it ("Van der
Bellen"), or after the first word ("Marine Le Pen"); as the first word of a two-word name only
the European particles do ("De Maizière" at a sentence start, not "Al Gore").
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

from .lexicon import CLUB_PREFIXES, PARTICLES

# Particles that open a two-word surname even capitalised ("De Maizière", "Van Gogh").
LEADING_PARTICLES = frozenset("de van von di da du del della dos ten ter zu le".split())

# Given names this similar (difflib ratio) under one surname are one person spelt two ways.
GIVEN_NAME_SIMILARITY = 0.75
# A given name as people write it: capitalised letters, hyphenated parts ("Hans-Peter").
_GIVEN_PART = r"[A-ZÄÖÜÀ-Ý][a-zäöüßà-ÿ'’]+"
GIVEN_NAME = re.compile(rf"{_GIVEN_PART}(?:-{_GIVEN_PART})*")


def is_particle(word: str) -> bool:
    return word.lower() in PARTICLES


def surname_start(words: list[str]) -> int:
    """Index of the first word of the surname in a personal name's words."""
    for number, word in enumerate(words[:-1]):
        if not is_particle(word):
            continue
        if number > 0 or word[:1].islower() or is_particle(words[1]) or (
                len(words) == 2 and word.lower() in LEADING_PARTICLES):
            return number
    return len(words) - 1


@lru_cache(maxsize=8192)
def name_parts(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(given names, surname words) of a personal name."""
    words = name.split()
    if not words:
        return (), ()
    start = surname_start(words)
    return tuple(words[:start]), tuple(words[start:])


def is_full_name(name: str) -> bool:
    """Given name(s) and surname: a capitalised given name before the surname ("Ursula von der
    Leyen"); "von der Leyen", "Van der Bellen" and "Merkel" alone are surnames."""
    given, _ = name_parts(name)
    return bool(given) and given[0][:1].isupper()


def is_club(name: str) -> bool:
    """A sports club by the abbreviation before its name ("SKN St. Pölten", "FC Bayern
    München"): an organisation, whatever the model said. (Its short name, "St. Pölten", is
    the club in a match report and the city elsewhere; the model labels either way, so only
    the partial-name rule of a person, ``link``, joins it to the club.)"""
    first, _, rest = name.partition(" ")
    return first in CLUB_PREFIXES and rest[:1].isupper()


def surname(name: str) -> str:
    """The surname with its particles: "Ursula von der Leyen" -> "von der Leyen"."""
    return " ".join(name_parts(name)[1])


def surname_key(name: str) -> str:
    """The surname with its particles in lower case, so that "Van der Bellen" at any position
    and "van der Bellen" compare equal."""
    return " ".join(word.lower() if is_particle(word) else word for word in name_parts(name)[1])


def ends_with(whole: str, part: str) -> bool:
    """Whether ``part`` is a surname or shorter name that ``whole`` ends with (particles
    compared without case): "Van der Bellen" ends "Alexander Van der Bellen"."""
    whole_words, part_words = whole.split(), part.split()
    if not part_words or len(part_words) >= len(whole_words):
        return False
    tail = whole_words[-len(part_words):]
    return all(one == other or (is_particle(one) and one.lower() == other.lower())
               for one, other in zip(tail, part_words))


def same_person(one: str, other: str) -> bool:
    """Two full names with one surname whose given names are one spelt two ways or abridged."""
    if one.rsplit(" ", 1)[-1] != other.rsplit(" ", 1)[-1]:  # the fast, common answer
        return False
    given_one, _ = name_parts(one)
    given_other, _ = name_parts(other)
    if surname_key(one) != surname_key(other) or not given_one or not given_other:
        return False
    first, second = " ".join(given_one), " ".join(given_other)
    shorter, longer = sorted((first, second), key=len)
    if longer.startswith(shorter) and longer[len(shorter):len(shorter) + 1] in ("", " ", "-"):
        return True
    if longer[:-1] == shorter:  # Martin/Martina, Andrea/Andreas: two people
        return False
    return difflib.SequenceMatcher(None, first, second).ratio() >= GIVEN_NAME_SIMILARITY


@lru_cache(maxsize=8192)
def is_personal_name(name: str) -> bool:
    """Whether a full name's given names look like a person's: capitalised words or initials,
    not acronyms, abbreviations or words of the lexicon's common nouns, adjectives and
    sentence openers ("SV Grödig", "St. Moritz", "Gebürtiger Bosnier", "This Angela")."""
    from .lexicon import lexicon

    known = lexicon()
    given, _ = name_parts(name)
    return bool(given) and all(
        re.fullmatch(r"[A-ZÄÖÜ]\.", word) or (
            GIVEN_NAME.fullmatch(word)
            and word not in known.common_words and word not in known.adjectives
            and word not in known.usually_lower)
        for word in given)
