"""What the model swept in with a name: nouns and titles before it, compound heads after it.

* a noun before a known place ("Millionenmetropole Almaty");
* titles and forms of address before a person ("Vorstand Thiele", "ÖVP-Obmann Reinhold
  Mitterlehner", "Bundeskanzler Werner Faymann", "Mr. Bean", "Frau Dr. Griss");
* a hyphenated compound whose head is a common word ("ODKB-Truppen", "Kreml-loyale") becomes
  a mention of the embedded name;
* a country code in parentheses after a name in a results list ("Hermann Maier (AUT)",
  "Robin Haase/Henri Kontinen (NED/FIN)") is a place, whatever the model said (it mostly
  says ORG).
"""

from __future__ import annotations

import re

from .clean import ACRONYM
from .lexicon import is_common_noun, is_common_word, lexicon, nation_codes

# What a compound's name part may end with before the hyphen: a slash of a gender form
# ("Österreicher/-innen"), which the name does not keep.
TRAILING_PUNCTUATION = re.compile(r"\W+$")
CODES_IN_PARENTHESES = re.compile(r"\((?:[A-Z]{3}/)*[A-Z]{3}\)")
# Country codes in parentheses an article needs to be a results list: one "(AUT)" may be
# anything ("Landeskriminalamt (LKA)", Sri Lanka's code).
MIN_NATION_CODES = 2

# Forms of address and titles that stand before a name, in any length (with or without ".").
FORMS_OF_ADDRESS = frozenset(
    "Herr Herrn Frau Fr Hr Mr Mrs Ms Miss Dr Prof Mag Ing Dipl DI Sir Lord Lady Dame Madame "
    "Monsieur Mme Mlle Señor Signor König Königin Kaiser Kaiserin Prinz Prinzessin Fürst "
    "Fürstin Papst Scheich Emir Sultan Kardinal Bischof Pfarrer Pater Rabbi Imam Ex Vize".split())
# Short heads of hyphenated titles the lemma table lacks ("SPÖ-Chef", "Ex-Boss").
TITLE_HEADS = frozenset("Chef Chefin Boss Vize Star Coach Legende Ikone".split())


def without_leading_noun(mention: dict, places: set[str]) -> dict:
    """"Millionenmetropole Almaty" -> "Almaty": a place the model found together with the noun
    before it, when the rest is a country or a place found on its own in the article."""
    first, _, rest = mention["text"].partition(" ")
    if mention["label"] != "LOC" or rest not in places or not is_common_noun(first):
        return mention
    return {**mention, "start_char": mention["end_char"] - len(rest), "text": rest}


def without_titles(mention: dict) -> dict:
    """A person without the titles before the name ("Frau Dr. Irmgard Griss" -> "Irmgard
    Griss"), one word at a time while a capitalised word follows."""
    while True:
        words = mention["text"].split(" ")
        if mention["label"] != "PER" or len(words) < 2 or not words[1][:1].isupper() or (
                not is_title(words[0])):
            return mention
        mention = {**mention, "start_char": mention["start_char"] + len(words[0]) + 1,
                   "text": " ".join(words[1:])}


def is_title(word: str) -> bool:
    """A form of address, a hyphenated title ("ÖVP-Obmann", "SPÖ-Chef"), or a long noun of
    the lemma table ("Vorstand", "Bundeskanzler", "Werder-Mittelfeldspieler").

    Short nouns without a hyphen are also given names (Mark, Wolf) and short heads hide in
    them (Her|mann, Wolf|gang), so a noun must have 7+ letters and a head of 6+; a hyphenated
    word's head must be a noun or a title itself, since given names are hyphenated too
    ("Hans-Peter", "Kassym-Jomart").
    """
    if word.rstrip(".") in FORMS_OF_ADDRESS:
        return True
    known = lexicon()
    if word in known.adjectives:
        return False
    head = word.rsplit("-", 1)[-1]
    if head != word and (head in TITLE_HEADS or (len(head) >= 4 and head in known.common_words)):
        return True
    heads = (head[start].upper() + head[start + 1:] for start in range(len(head) - 5))
    return len(head) >= 7 and any(part in known.common_words for part in heads)


def in_compound(text: str, start: int, end: int) -> bool:
    """Whether the span is joined by a hyphen to a word before or after it."""
    return (text[start - 1:start] == "-" and text[start - 2:start - 1].isalnum()
            or text[end:end + 1] == "-" and text[end + 1:end + 2].isalnum())


def split_compound(mention: dict, known: set[str]) -> dict:
    """"ODKB-Truppen" -> the embedded "ODKB" when the compound's head is a common word and the
    rest is a name found elsewhere in the article or an acronym ("Coca-Cola" stays whole)."""
    parts = mention["text"].split("-")
    tail = parts[-1]
    if len(parts) < 2 or not (tail[:1].islower() or tail in lexicon().vocabulary) or tail in known:
        return mention
    for first in range(len(parts) - 1):
        name = TRAILING_PUNCTUATION.sub("", "-".join(parts[first:-1]))  # "Österreicher/-innen"
        if not name:
            continue
        if name in known or ACRONYM.fullmatch(name) or (
                tail[:1].islower() and name[:1].isupper() and not is_common_word(name)):
            start = mention["start_char"] + len("-".join(parts[:first])) + (1 if first else 0)
            return {**mention, "start_char": start, "end_char": start + len(name), "text": name}
    return mention


def nations_in_results(text: str, mentions: list[dict]) -> list[dict]:
    """The mentions with the country codes of a results list labelled LOC.

    A code counts where its parenthesis follows a mention directly and the code does not
    start with that mention's first letter (which would make it its abbreviation: "Champions
    Hockey League (CHL)"), in an article with ``MIN_NATION_CODES`` such parentheses at least.
    Parties named like a country code after their politicians ("(PRI)", "(PAN)" in Mexico)
    would be taken for countries; German and Austrian parties are not.
    """
    codes = nation_codes()
    groups = [match for match in CODES_IN_PARENTHESES.finditer(text)
              if all(code in codes for code in match.group()[1:-1].split("/"))]
    if len(groups) < MIN_NATION_CODES:
        return mentions
    names_ending = {mention["end_char"]: mention["text"] for mention in mentions}
    places = set()  # where a code of a results list starts
    for match in groups:
        before = names_ending.get(len(text[:match.start()].rstrip()))
        if before is None:
            continue
        for number, code in enumerate(match.group()[1:-1].split("/")):
            if code[0] != before[0]:
                places.add(match.start() + 1 + 4 * number)
    return [{**mention, "label": "LOC"} if mention["start_char"] in places
            and mention["text"] in codes else mention for mention in mentions]
