"""Recall within an article: names the model found once, found again where it missed them.

Every other occurrence in the article of a name the model found becomes a mention: also its
genitive, a PER full name's surname (with its particles: "Van der Bellen", never "Bellen"),
an abbreviation defined next to a long form, and occurrences inside compounds. Common words
("der Koch") are not searched for.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict

from .clean import ACRONYM
from .inflection import word_starts
from .lexicon import is_common_word
from .persons import is_full_name, same_person, surname

ABBREVIATION_IN_PARENTHESES = re.compile(r"\(\s*([A-ZÄÖÜ][\wÄÖÜäöüß&.-]{1,11})\s*\)")
WORD_BEFORE = re.compile(r"(?<![\w-])([A-ZÄÖÜ][\w-]+) $")


def abbreviations(text: str, mentions: list[dict]) -> dict[str, str]:
    """Abbreviation -> long form, for "Long Form (ABBR)" and "ABBR (Long Form)" in the text.

    Only organisations and names of more than one word count, and the abbreviation must start
    with the long form's first letter, because a parenthesis after a name is more often a party
    ("Olaf Scholz (SPD)") or a news agency ("Los Angeles (AP)") than a definition.
    """
    before_paren = {mention["end_char"]: mention for mention in mentions}
    inside_paren = {mention["start_char"]: mention for mention in mentions}
    defined = {}
    for match in ABBREVIATION_IN_PARENTHESES.finditer(text):
        before = before_paren.get(len(text[:match.start()].rstrip()))
        inside = inside_paren.get(match.start(1))
        pairs = [(match.group(1), before)]
        if before and inside and inside["end_char"] == match.end(1):
            pairs.append((before["text"], inside))
        for abbreviation, long_form in pairs:
            if (long_form and long_form["label"] in ("ORG", "MISC")
                    and " " in long_form["text"] and ACRONYM.fullmatch(abbreviation)
                    and abbreviation[0] == long_form["text"][0]):
                defined.setdefault(abbreviation, long_form["text"])
    return defined


def other_occurrences(text: str, mentions: list[dict], abbreviations: dict[str, str],
                       sentences: list[tuple[int, int]]) -> list[dict]:
    """Mentions for the occurrences the model missed of the names it found in this article."""
    labels: dict[str, Counter] = defaultdict(Counter)
    for mention in mentions:
        labels[mention["text"]][mention["label"]] += 1
        if mention["label"] == "PER" and is_full_name(mention["text"]):
            labels[surname(mention["text"])]["PER"] += 1
    for abbreviation, long_form in abbreviations.items():
        labels[abbreviation].update(labels[long_form])
    full_names = {mention["text"] for mention in mentions
                  if mention["label"] == "PER" and is_full_name(mention["text"])}
    taken = sorted((mention["start_char"], mention["end_char"]) for mention in mentions)
    sentence_starts = [start for start, _ in sentences]
    added = []
    for name in sorted(labels, key=lambda name: (-len(name), name)):
        single_word = " " not in name
        if len(name) < 2 or (single_word and not ACRONYM.fullmatch(name) and (
                len(name) < 3 or not name[:1].isupper() or is_common_word(name))):
            continue
        for start in word_starts(name, text, genitive=True):
            end = start + len(name)
            if text[end:end + 1] == "s":
                end += 1
            start -= len(_given_name_before(text, start, name, full_names))
            position = bisect.bisect_left(taken, (end, end))
            if position and taken[position - 1][1] > start:
                continue
            bisect.insort(taken, (start, end))
            added.append({"start_char": start, "end_char": end, "text": text[start:end],
                          "label": labels[name].most_common(1)[0][0],
                          "sentence": max(bisect.bisect_right(sentence_starts, start) - 1, 0),
                          "added": True})
    return added


def _given_name_before(text: str, start: int, family: str, full_names: set[str]) -> str:
    """The given name (and its space) before a surname found again, if it spells the given name
    of a full name the model found ("Kassym-Jomart " before "Tokajew"), else ""."""
    before = WORD_BEFORE.search(text, max(start - 60, 0), start)
    if not before or is_common_word(before.group(1)):
        return ""
    candidate = f"{before.group(1)} {family}"
    if any(same_person(candidate, full) for full in full_names):
        return before.group(0)
    return ""
