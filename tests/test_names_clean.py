"""Names cleaned before anything else: each rule as a table of model spans and what comes out.

Every case gives an article, the spans the model found in it (exact substrings, the n-th
occurrence with "#n") and the mentions that come out: (text, name) pairs, or [] for a span
that is no name. The names that must not change are in the same tables.
"""

from __future__ import annotations

import re

import pytest

from pipeline.names.article import analyse_article, entity_id
from pipeline.names.text import CleanText, clean

OUTPUT_KEYS = {"start_char", "end_char", "text", "label", "sentence", "name", "entity_id",
               "compound", "link"}


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Rough sentences (end punctuation or line break, not after "1.", "Dr." or "A."), enough
    to give mentions an index and cut spans at sentence ends as spaCy would."""
    end = r"(?<!\b\d)(?<!\b\d\d)(?<!\b[A-Z][a-z])(?<!\b[A-Z])[.!?](?=\s|$)"
    return [match.span() for match in re.finditer(rf"\S.*?(?:{end}|(?=\n)|$)", text)]


def model_spans(text: str, picks: list[tuple[str, str]]) -> list[dict]:
    """A mention for a substring (its first occurrence, or the n-th with "#n"), as the model
    gives them: any characters, no word boundaries."""
    sentences = sentence_spans(text)
    mentions = []
    for surface, label in picks:
        surface, _, nth = surface.partition("#")
        starts = [match.start() for match in re.finditer(re.escape(surface), text)]
        start = starts[int(nth or 0)]
        sentence = next((number for number, (first, last) in enumerate(sentences)
                         if first <= start < last), 0)
        mentions.append({"start_char": start, "end_char": start + len(surface),
                         "text": surface, "label": label, "sentence": sentence})
    return mentions


def cleaned(text: str, picks: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(text, name) of every mention that comes out; checks the offsets and the output keys."""
    mentions, entities = analyse_article(text, model_spans(text, picks), sentence_spans(text))
    for mention in mentions:
        assert set(mention) == OUTPUT_KEYS
        assert text[mention["start_char"]:mention["end_char"]] == mention["text"]
    assert {mention["entity_id"] for mention in mentions} == {e["entity_id"] for e in entities}
    return [(mention["text"], mention["name"]) for mention in mentions]


@pytest.mark.parametrize("text, picks, expected", [
    pytest.param("Ost-Wien wächst.", [("-Wien", "LOC")], [("Wien", "Wien")], id="hyphen"),
    pytest.param("Treffen in @Paris heute.", [("@Paris", "LOC")], [("Paris", "Paris")], id="at"),
    pytest.param("Belgrad– Bei einem Angriff starben zwei.", [("Belgrad–", "LOC")],
                 [("Belgrad", "Belgrad")], id="dash"),
    pytest.param("Das zeigt die Präferenzen Qabus’ an.", [("Qabus’", "PER")],
                 [("Qabus", "Qabus")], id="apostrophe"),
    pytest.param("Kerry traf König Abdullah II. Er sprach.", [("Abdullah II.", "PER")],
                 [("Abdullah II", "Abdullah II")], id="ordinal-period"),
    pytest.param("Wer sind die Namen in Qabus’ Kuverts?", [("’ Kuverts", "PER")],
                 [("Kuverts", "Kuverts")], id="leading-apostrophe"),
    pytest.param("Die Grenze zwischen Nord- und Südtirol.", [("Nord-", "LOC")], [],
                 id="shortened-compound"),
    pytest.param("FPÖ- und ÖVP-Politiker streiten.", [("FPÖ-", "ORG")], [("FPÖ", "FPÖ")],
                 id="shortened-compound-acronym"),
    pytest.param('Er sagte: "Die ODKB" hilft.', [('"Die ODKB"', "ORG")], [("ODKB", "ODKB")],
                 id="quotes-and-article"),
])
def test_punctuation_at_the_edges(text, picks, expected):
    assert cleaned(text, picks) == expected


@pytest.mark.parametrize("text, picks, expected", [
    pytest.param("Das berichtete France24. Mittlerweile sind zwei Personen angeklagt.",
                 [("France24. Mittlerweile", "PER")], [("France24", "France24")],
                 id="across-a-sentence-end"),
    pytest.param("Das sagte Merkel. Macron schwieg.", [("Merkel. Macron", "PER")],
                 [("Merkel", "Merkel"), ("Macron", "Macron")], id="two-names-two-sentences"),
])
def test_spans_across_sentence_ends(text, picks, expected):
    assert cleaned(text, picks) == expected


@pytest.mark.parametrize("text, picks, expected", [
    pytest.param("Schluss. (APA/dpa, 23.8.2015)", [("23.8.2015", "ORG")], [], id="date"),
    pytest.param("Er kam am 23. August 2015 an.", [("23. August 2015", "ORG")], [],
                 id="date-with-month"),
    pytest.param("Der Brite war 0,606 Sekunden langsamer.", [("0,606", "PER")], [],
                 id="number"),
    pytest.param("Die 2016er waren gut.", [("2016er", "ORG")], [], id="mostly-digits"),
    pytest.param("Es kam 4:0 für Rapid.", [("4:0", "ORG")], [], id="score"),
    pytest.param("Er hört Ö1, sieht W24 und fährt auf der B311.",
                 [("Ö1", "ORG"), ("W24", "ORG"), ("B311", "LOC")],
                 [("Ö1", "Ö1"), ("W24", "W24"), ("B311", "B311")], id="codes-are-names"),
    pytest.param("Schalke 04 gewann gegen den 1. FC Köln.",
                 [("Schalke 04", "ORG"), ("1. FC Köln", "ORG")],
                 [("Schalke 04", "Schalke 04"), ("1. FC Köln", "1. FC Köln")],
                 id="club-names-with-numbers-stay"),
    pytest.param("Der Angeklagte A. schwieg.", [("A.", "PER")], [], id="lone-initial"),
])
def test_numbers_and_dates_are_no_names(text, picks, expected):
    assert cleaned(text, picks) == expected


@pytest.mark.parametrize("text, picks, expected", [
    pytest.param("Das sagte Varoufakis der spanischen Zeitung.", [("spanischen", "LOC")], [],
                 id="adjective"),
    pytest.param("Hilfe für die syrischen und libyschen Flüchtlinge aus dem türkischem Lager.",
                 [("syrischen", "LOC"), ("libyschen", "LOC"), ("türkischem", "LOC")], [],
                 id="rare-adjectives-in-sch"),
    pytest.param("Gegen Altach (heim) gewann er.", [("heim", "LOC")], [], id="adverb"),
    pytest.param("Das Verletzungspech bleibt dem spanischen Fußball-Supercup treu.",
                 [("spanischen Fußball-Supercup", "ORG")],
                 [("Fußball-Supercup", "Fußball-Supercup")], id="adjective-before-a-name"),
    pytest.param("Die pro-kurdische HDP protestiert.", [("pro-kurdische HDP", "ORG")],
                 [("HDP", "HDP")], id="prefixed-adjective"),
    pytest.param("Das sagte ein Sprecher der dpa.", [("dpa", "ORG")], [("dpa", "dpa")],
                 id="dpa-is-a-name"),
    pytest.param("Das ist auf orf.at zu lesen.", [("orf.at", "ORG")], [("orf.at", "orf.at")],
                 id="domain"),
    pytest.param("Die Gewerkschaft ver.di streikt.", [("ver.di", "ORG")],
                 [("ver.di", "ver.di")], id="dotted-name"),
    pytest.param("Das neue iPhone kommt.", [("iPhone", "ORG")], [("iPhone", "iPhone")],
                 id="inner-capital"),
    pytest.param("Der Bus fährt in beide Richtungen.", [("beide Richtungen", "LOC")], [],
                 id="lower-case-phrase"),
    pytest.param("Ein Bild von van Gogh hängt hier.", [("van Gogh", "PER")],
                 [("van Gogh", "van Gogh")], id="particle-stays"),
])
def test_lower_case_words(text, picks, expected):
    assert cleaned(text, picks) == expected


@pytest.mark.parametrize("text, picks, expected", [
    pytest.param("Die Russen halfen den Syrern, die Israelis den Palästinensern.",
                 [("Russen", "LOC"), ("Syrern", "LOC"), ("Israelis", "LOC"),
                  ("Palästinensern", "LOC")], [], id="peoples-are-no-places"),
    pytest.param("Griechen, Kasachen, Ukrainer und Amerikaner kamen.",
                 [("Griechen", "LOC"), ("Kasachen", "LOC"), ("Ukrainer", "LOC"),
                  ("Amerikaner", "LOC")], [], id="stems-of-griechenland-kasachstan-ukraine-amerika"),
    pytest.param("Er flog von Polen über Schweden zu den Niederlanden, dann nach Trier.",
                 [("Polen", "LOC"), ("Schweden", "LOC"), ("Niederlanden", "LOC"), ("Trier", "LOC")],
                 [("Polen", "Polen"), ("Schweden", "Schweden"), ("Niederlanden", "Niederlanden"),
                  ("Trier", "Trier")], id="countries-and-cities-stay"),
    pytest.param("Der Jordan fließt bei Sachsen vorbei, sagt Frau Schweizer.",
                 [("Jordan", "LOC"), ("Sachsen", "LOC"), ("Schweizer", "PER")],
                 [("Jordan", "Jordan"), ("Sachsen", "Sachsen"), ("Schweizer", "Schweizer")],
                 id="places-and-people-like-demonyms-stay"),
])
def test_demonyms_are_no_places(text, picks, expected):
    assert cleaned(text, picks) == expected


@pytest.mark.parametrize("text, picks, expected", [
    pytest.param("Die Bitte blieb ungehört. Leider sieht die Realität anders aus.",
                 [("Leider", "PER")], [], id="adverb"),
    pytest.param("Saakaschwili: Leider verhindert der Krieg viel.", [("Leider", "PER")], [],
                 id="after-a-colon"),
    pytest.param("Santa Clara – Irgendwann möchte er selbst spielen.",
                 [("Santa Clara", "LOC"), ("Irgendwann", "PER")],
                 [("Santa Clara", "Santa Clara")], id="after-a-dateline"),
    pytest.param("„Mittlerweile geht es besser“, sagte sie.", [("Mittlerweile", "PER")], [],
                 id="after-a-quote"),
    pytest.param("Sebastian Kurz kam. Kurz sagte nichts, Kurz lachte.",
                 [("Sebastian Kurz", "PER"), ("Kurz#1", "PER")],
                 [("Sebastian Kurz", "Sebastian Kurz"), ("Kurz", "Sebastian Kurz"),
                  ("Kurz", "Sebastian Kurz")], id="a-name-that-is-also-a-word"),
    pytest.param("Wann Pröll kommt, ist offen.", [("Wann Pröll", "PER")],
                 [("Pröll", "Pröll")], id="function-word-before-a-name"),
    pytest.param("Wien wächst. Grüne fordern mehr. Los Angeles brennt. Real gewinnt.",
                 [("Wien", "LOC"), ("Grüne", "ORG"), ("Los Angeles", "LOC"), ("Real", "ORG")],
                 [("Wien", "Wien"), ("Grüne", "Grüne"), ("Los Angeles", "Los Angeles"),
                  ("Real", "Real")], id="names-that-open-sentences-stay"),
])
def test_sentence_initial_common_words(text, picks, expected):
    assert cleaned(text, picks) == expected


@pytest.mark.parametrize("text, picks, expected", [
    pytest.param("ÖVP-Obmann Reinhold Mitterlehner sagte das.",
                 [("ÖVP-Obmann Reinhold Mitterlehner", "PER")],
                 [("Reinhold Mitterlehner", "Reinhold Mitterlehner")], id="party-title"),
    pytest.param("SPÖ-Chef Werner Faymann sagte das.", [("SPÖ-Chef Werner Faymann", "PER")],
                 [("Werner Faymann", "Werner Faymann")], id="short-title-head"),
    pytest.param("Bundeskanzler Werner Faymann sagte das.",
                 [("Bundeskanzler Werner Faymann", "PER")],
                 [("Werner Faymann", "Werner Faymann")], id="long-title"),
    pytest.param("Mr. Bean lacht.", [("Mr. Bean", "PER")], [("Bean", "Bean")], id="mr"),
    pytest.param("Frau Dr. Irmgard Griss kam.", [("Frau Dr. Irmgard Griss", "PER")],
                 [("Irmgard Griss", "Irmgard Griss")], id="two-forms-of-address"),
    pytest.param("Hans-Peter Doskozil und Heinz-Christian Strache kamen.",
                 [("Hans-Peter Doskozil", "PER"), ("Heinz-Christian Strache", "PER")],
                 [("Hans-Peter Doskozil", "Hans-Peter Doskozil"),
                  ("Heinz-Christian Strache", "Heinz-Christian Strache")],
                 id="hyphenated-given-names-stay"),
])
def test_titles_before_a_name(text, picks, expected):
    assert cleaned(text, picks) == expected


@pytest.mark.parametrize("text, picks, expected", [
    pytest.param("Vor dem Grünen Alexander Van der Bellen (elf Punkte) liegt sie.",
                 [("Alexander Van", "PER")],
                 [("Alexander Van der Bellen", "Alexander Van der Bellen")], id="cut-name"),
    pytest.param("Alexander Van der Bellen kam. Sie wählt Van der Bellen, nicht Bellen.",
                 [("Alexander Van der Bellen", "PER"), ("Van#1", "PER")],
                 [("Alexander Van der Bellen", "Alexander Van der Bellen"),
                  ("Van der Bellen", "Alexander Van der Bellen")], id="lone-particle-completed"),
    pytest.param("Er fuhr sie mit seinem Van an.", [("Van", "PER")], [], id="a-van"),
    pytest.param("Thomas de Maizière sprach. De Maizière ging.",
                 [("Thomas de Maizière", "PER"), ("De Maizière", "PER")],
                 [("Thomas de Maizière", "Thomas de Maizière"),
                  ("De Maizière", "Thomas de Maizière")], id="capitalised-at-sentence-start"),
    pytest.param("Die Tour de France startet.", [("de France", "ORG")],
                 [("Tour de France", "Tour de France")], id="name-before-a-particle"),
    pytest.param("Reinhold Lopatka von der ÖVP sprach.",
                 [("Reinhold Lopatka", "PER"), ("ÖVP", "ORG")],
                 [("Reinhold Lopatka", "Reinhold Lopatka"), ("ÖVP", "ÖVP")],
                 id="von-der-party-is-no-particle"),
    pytest.param("Marine Le Pen kam. Le Pen sprach.",
                 [("Marine Le Pen", "PER"), ("Le Pen#1", "PER")],
                 [("Marine Le Pen", "Marine Le Pen"), ("Le Pen", "Marine Le Pen")],
                 id="capitalised-particle-inside"),
])
def test_name_particles(text, picks, expected):
    assert cleaned(text, picks) == expected


@pytest.mark.parametrize("text, picks, expected", [
    pytest.param("Ber\u00adlin wächst. Berlin lebt.", [("Ber\u00adlin", "LOC"), ("Berlin", "LOC")],
                 [("Ber\u00adlin", "Berlin"), ("Berlin", "Berlin")], id="soft-hyphen"),
    pytest.param("A\u0308gypten wählt. Ägypten zählt.", [("A\u0308gypten", "LOC"),
                                                        ("Ägypten", "LOC")],
                 [("A\u0308gypten", "Ägypten"), ("Ägypten", "Ägypten")], id="decomposed"),
    pytest.param("Mer\u200dkel kam. Merkel ging.", [("Mer\u200dkel", "PER"), ("Merkel", "PER")],
                 [("Mer\u200dkel", "Merkel"), ("Merkel", "Merkel")], id="zero-width-joiner"),
    pytest.param("Heinz  Fischer kam.", [("Heinz  Fischer", "PER")],
                 [("Heinz  Fischer", "Heinz Fischer")], id="double-space"),
])
def test_invisible_characters(text, picks, expected):
    assert cleaned(text, picks) == expected


def labelled(text: str, picks: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(text, label) of every mention that comes out."""
    mentions, _ = analyse_article(text, model_spans(text, picks), sentence_spans(text))
    return [(mention["text"], mention["label"]) for mention in mentions]


RESULTS = ("Weltcup-Siege: 1. Ingemar Stenmark (SWE) 86, 2. Hermann Maier (AUT) 54, "
           "3. Pirmin Zurbriggen (SUI) 40, 4. Robin Haase/Henri Kontinen (NED/FIN) 7.")


@pytest.mark.parametrize("text, picks, expected", [
    pytest.param(RESULTS, [("Ingemar Stenmark", "PER"), ("SWE", "ORG"), ("Hermann Maier", "PER"),
                           ("AUT", "ORG"), ("Pirmin Zurbriggen", "PER"), ("SUI", "ORG"),
                           ("Henri Kontinen", "PER"), ("NED", "ORG"), ("FIN", "PER")],
                 [("Ingemar Stenmark", "PER"), ("SWE", "LOC"), ("Hermann Maier", "PER"),
                  ("AUT", "LOC"), ("Pirmin Zurbriggen", "PER"), ("SUI", "LOC"),
                  ("Henri Kontinen", "PER"), ("NED", "LOC"), ("FIN", "LOC")],
                 id="results-list"),
    pytest.param("1. Hermann Maier (AUT) 54, 2. Anna Fenninger (AUT) 20.",
                 [("Anna Fenninger", "PER"), ("AUT#1", "ORG")],
                 [("AUT", "ORG"), ("Anna Fenninger", "PER"), ("AUT", "ORG")],
                 id="code-with-the-names-initial"),
    pytest.param("Das Landeskriminalamt (LKA) und die Champions Hockey League (CHL) ermitteln.",
                 [("Landeskriminalamt", "ORG"), ("LKA", "ORG"), ("Champions Hockey League", "ORG"),
                  ("CHL", "ORG")],
                 [("Landeskriminalamt", "ORG"), ("LKA", "ORG"), ("Champions Hockey League", "ORG"),
                  ("CHL", "ORG")], id="abbreviations-that-are-codes"),
    pytest.param("Denis Istomin (UZB) verlor gegen Angela Merkel (CDU).",
                 [("Denis Istomin", "PER"), ("UZB", "ORG"), ("Angela Merkel", "PER"),
                  ("CDU", "ORG")],
                 [("Denis Istomin", "PER"), ("UZB", "ORG"), ("Angela Merkel", "PER"),
                  ("CDU", "ORG")], id="one-code-is-no-results-list"),
])
def test_country_codes_in_results_lists_are_places(text, picks, expected):
    assert labelled(text, picks) == expected


def test_clean_text_maps_offsets_both_ways():
    original = "Ä\u00adA\u0308x\u200b y"
    view = CleanText(original)
    assert view.text == clean(original) == "ÄÄx y"
    assert view.to_clean(0, len(original)) == (0, 5)
    assert view.to_original(1, 2) == (2, 4)  # "A" + combining diaeresis
    assert view.to_original(0, 3) == (0, 5)  # up to "x", not the zero-width space after it
    assert view.to_clean(2, 4) == (1, 2)
    assert view.to_clean(2, 5) == (1, 3)
    assert CleanText("plain").identity


def test_one_entity_id_for_names_cleaned_alike():
    mentions, _ = analyse_article("Ber\u00adlin und Berlin.", model_spans(
        "Ber\u00adlin und Berlin.", [("Ber\u00adlin", "LOC"), ("Berlin", "LOC")]),
        [(0, 18)])
    assert {mention["entity_id"] for mention in mentions} == {entity_id("LOC", "Berlin")}
