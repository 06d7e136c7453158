"""The corpus step: each rule as a table of article summaries and the corpus entities they
become, with the names that must not merge (two Müller, the two IWF, Bayer and Bayern)."""

from __future__ import annotations

import random

import pytest

from pipeline.names.article import analyse_article, entity_id
from pipeline.names.resolve import REASONS, Link, resolve


def entity(name: str, label: str = "ORG", mentions: int = 1, long_form: str | None = None,
           votes: dict | None = None, personal: bool | None = None) -> dict:
    """An article entity's summary as the normalize stage writes it."""
    lone_person = label == "PER" and len(name.split()) == 1
    return {"entity_id": entity_id(label, name, "article" if lone_person else None),
            "name": name, "label": label, "votes": votes or {label: mentions},
            "mentions": mentions, "long_form": long_form,
            "personal": label == "PER" and not lone_person if personal is None else personal}


def corpus(*articles: tuple) -> list[tuple[str, str | None, list[dict]]]:
    """Articles as (doc_id, date, summary), from (doc_id, [entities]) or (doc_id, date, [...])."""
    return [(article[0], None, article[1]) if len(article) == 2 else article
            for article in articles]


def links_of(articles) -> dict[tuple[str, str], Link]:
    """(doc_id, article entity id) -> the corpus entity, for every article entity."""
    resolution = resolve(iter(articles))  # read once, as a stream
    return {(doc_id, item["entity_id"]): resolution.link(doc_id, item, summary)
            for doc_id, _, summary in articles for item in summary}


def outcome(articles) -> dict[tuple[str, str], tuple[str, str, str]]:
    """(doc_id, article name) -> (corpus name, label, reason)."""
    names = {(doc_id, item["entity_id"]): item["name"] for doc_id, _, summary in articles
             for item in summary}
    result = {}
    for key, link in links_of(articles).items():
        assert link.reason in REASONS
        result[(key[0], names[key])] = (link.name, link.label, link.reason)
    return result


def groups(articles) -> set[frozenset[tuple[str, str]]]:
    """The corpus entities as sets of (doc_id, article name)."""
    names = {(doc_id, item["entity_id"]): item["name"] for doc_id, _, summary in articles
             for item in summary}
    members: dict[str, set] = {}
    for key, link in links_of(articles).items():
        members.setdefault(link.entity_id, set()).add((key[0], names[key]))
    return {frozenset(group) for group in members.values()}


EU = corpus(("a", [entity("EU", mentions=5, long_form="Europäische Union")]),
            ("b", [entity("EU", mentions=3)]),
            ("c", [entity("Europäische Union", mentions=2)]),
            ("d", [entity("Europäischen Union")]))
IWF = corpus(("a", [entity("IWF", mentions=3, long_form="Internationaler Währungsfonds")]),
             ("b", [entity("IWF", mentions=2, long_form="Internet Watch Foundation")]),
             ("c", [entity("IWF", mentions=2)]),
             ("d", [entity("Internationale Währungsfonds", mentions=4)]))


@pytest.mark.parametrize("articles, expected", [
    pytest.param(EU, {("a", "EU"): ("EU", "ORG", "same-name"),
                      ("b", "EU"): ("EU", "ORG", "same-name"),
                      ("c", "Europäische Union"): ("EU", "ORG", "abbreviation"),
                      ("d", "Europäischen Union"): ("EU", "ORG", "abbreviation")},
                 id="defined-once-links-everywhere"),
    pytest.param(IWF, {
        ("a", "IWF"): ("Internationale Währungsfonds", "ORG", "abbreviation"),
        ("b", "IWF"): ("Internet Watch Foundation", "ORG", "abbreviation"),
        ("c", "IWF"): ("IWF", "ORG", "same-name"),
        ("d", "Internationale Währungsfonds"): ("Internationale Währungsfonds", "ORG",
                                                "same-name")},
        id="defined-twice-stays-apart-by-definition"),
    pytest.param(corpus(("a", [entity("DS", mentions=2, long_form="Demokratische Partei")]),
                        ("b", [entity("Demokratische Partei")])),
                 {("a", "DS"): ("DS", "ORG", "same-name"),
                  ("b", "Demokratische Partei"): ("Demokratische Partei", "ORG", "same-name")},
                 id="a-translated-definition-links-nothing-else"),
    pytest.param(corpus(("a", [entity("SPD", mentions=4)]), ("b", [entity("SPD")])),
                 {("a", "SPD"): ("SPD", "ORG", "same-name"),
                  ("b", "SPD"): ("SPD", "ORG", "same-name")}, id="undefined-abbreviation"),
])
def test_abbreviations(articles, expected):
    assert outcome(articles) == expected


FPO, BAYERN = [entity("FPÖ"), entity("Grüne")], [entity("Bayern"), entity("DFB")]


@pytest.mark.parametrize("articles, expected", [
    pytest.param(corpus(("a", [entity("Norbert Hofer", "PER", 5), *FPO]),
                        ("b", [entity("Hofer", "PER"), *FPO])),
                 {("a", "Norbert Hofer"): ("Norbert Hofer", "PER", "same-name"),
                  ("b", "Hofer"): ("Norbert Hofer", "PER", "surname-in-corpus")},
                 id="one-full-name"),
    pytest.param(corpus(("a", [entity("Norbert Hofer", "PER", 36), *FPO]),
                        ("b", [entity("Helmut Hofer", "PER", 3), *FPO]),
                        ("c", [entity("Hofer", "PER"), *FPO])),
                 {("a", "Norbert Hofer"): ("Norbert Hofer", "PER", "same-name"),
                  ("b", "Helmut Hofer"): ("Helmut Hofer", "PER", "same-name"),
                  ("c", "Hofer"): ("Norbert Hofer", "PER", "surname-dominant")},
                 id="one-dominates-the-corpus"),
    pytest.param(corpus(("a", [entity("Thomas Müller", "PER", 4), *BAYERN]),
                        ("b", [entity("Gerd Müller", "PER", 3), *BAYERN]),
                        ("c", [entity("Müller", "PER"), *BAYERN])),
                 {("a", "Thomas Müller"): ("Thomas Müller", "PER", "same-name"),
                  ("b", "Gerd Müller"): ("Gerd Müller", "PER", "same-name"),
                  ("c", "Müller"): ("Müller", "PER", "ambiguous-surname")},
                 id="two-müller-stay-apart"),
    pytest.param(corpus(("a", "2016-01-10", [entity("Thomas Müller", "PER", 9), *BAYERN]),
                        ("b", "2016-06-01", [entity("Gerd Müller", "PER", 9), *BAYERN]),
                        ("c", "2016-01-12", [entity("Müller", "PER"), *BAYERN]),
                        ("d", "2016-06-03", [entity("Müller", "PER"), *BAYERN]),
                        ("e", "2016-03-20", [entity("Müller", "PER"), *BAYERN])),
                 {("a", "Thomas Müller"): ("Thomas Müller", "PER", "same-name"),
                  ("b", "Gerd Müller"): ("Gerd Müller", "PER", "same-name"),
                  ("c", "Müller"): ("Thomas Müller", "PER", "surname-near-date"),
                  ("d", "Müller"): ("Gerd Müller", "PER", "surname-near-date"),
                  ("e", "Müller"): ("Müller", "PER", "ambiguous-surname")},
                 id="near-the-article-date"),
    pytest.param(corpus(("a", [entity("Robert Schneider", "PER", 2), entity("Focus"),
                               entity("München")]),
                        ("b", [entity("Schneider", "PER"), entity("Roman"), entity("München")])),
                 {("a", "Robert Schneider"): ("Robert Schneider", "PER", "same-name"),
                  ("b", "Schneider"): ("Schneider", "PER", "ambiguous-surname")},
                 id="nothing-in-common-stays-apart"),
    pytest.param(corpus(("a", [entity("Alexander Van der Bellen", "PER", 9), *FPO]),
                        ("b", [entity("Van der Bellen", "PER", 2), *FPO])),
                 {("a", "Alexander Van der Bellen"): ("Alexander Van der Bellen", "PER",
                                                      "same-name"),
                  ("b", "Van der Bellen"): ("Alexander Van der Bellen", "PER",
                                            "surname-in-corpus")}, id="partial-with-particles"),
    pytest.param(corpus(("a", [entity("Messi", "PER", 2)]), ("b", [entity("Messi", "PER")])),
                 {("a", "Messi"): ("Messi", "PER", "same-name"),
                  ("b", "Messi"): ("Messi", "PER", "same-name")}, id="no-full-name-anywhere"),
    pytest.param(corpus(("a", [entity("Martin Harnik", "PER", 3), *FPO]),
                        ("b", [entity("Lockheed Martin", "PER", 2), *FPO]),
                        ("c", [entity("Martin", "PER"), *FPO])),
                 {("a", "Martin Harnik"): ("Martin Harnik", "PER", "same-name"),
                  ("b", "Lockheed Martin"): ("Lockheed Martin", "PER", "same-name"),
                  ("c", "Martin"): ("Martin", "PER", "same-name")},
                 id="a-given-name-is-no-surname"),
    pytest.param(corpus(("a", [entity("SV Grödig", "PER", 3, personal=False), *FPO]),
                        ("b", [entity("Grödig", "PER"), *FPO])),
                 {("a", "SV Grödig"): ("SV Grödig", "PER", "same-name"),
                  ("b", "Grödig"): ("Grödig", "PER", "same-name")},
                 id="a-club-is-no-full-name"),
    pytest.param(corpus(("a", [entity("Dallas Stars", "PER", 3), entity("NHL"), entity("NBA")]),
                        ("b", [entity("Dallas", "LOC", 2)]),
                        ("c", [entity("Stars", "PER"), entity("NHL"), entity("NBA")])),
                 {("a", "Dallas Stars"): ("Dallas Stars", "PER", "same-name"),
                  ("c", "Stars"): ("Stars", "PER", "same-name")},
                 id="a-club-named-after-a-place-is-no-full-name"),
    pytest.param(corpus(("a", [entity("Gerald Klug", "PER", 1), *FPO]),
                        ("b", [entity("Klug", "PER"), *FPO])),
                 {("a", "Gerald Klug"): ("Gerald Klug", "PER", "same-name"),
                  ("b", "Klug"): ("Klug", "PER", "same-name")},
                 id="a-full-name-seen-once-is-too-little"),
])
def test_surnames(articles, expected):
    assert {key: value for key, value in outcome(articles).items()
            if value[1] == "PER"} == expected


@pytest.mark.parametrize("articles, together, apart", [
    pytest.param(corpus(("a", [entity("Grünen", mentions=7)]),
                        ("b", [entity("Grüne", mentions=2)]),
                        ("c", [entity("Grünen")]), ("d", [entity("Grüne")])),
                 [{("a", "Grünen"), ("b", "Grüne"), ("c", "Grünen"), ("d", "Grüne")}], [],
                 id="party-plural"),
    pytest.param(corpus(("a", [entity("Deutschen")]), ("b", [entity("Deutsche")])),
                 [], [("a", "Deutschen"), ("b", "Deutsche")], id="a-one-off-plural"),
    pytest.param(corpus(("a", [entity("SPÖ", mentions=7)]), ("b", [entity("SPÖs")])),
                 [{("a", "SPÖ"), ("b", "SPÖs")}], [], id="acronym-genitive"),
    pytest.param(corpus(*[(f"a{n}", [entity("Niederlanden", "LOC", 5)]) for n in range(2)],
                        *[(f"b{n}", [entity("Niederlande", "LOC", 2)]) for n in range(2)]),
                 [{("a0", "Niederlanden"), ("a1", "Niederlanden"), ("b0", "Niederlande"),
                   ("b1", "Niederlande")}], [], id="country-dative"),
    pytest.param(corpus(("a", [entity("Internationaler Währungsfonds", mentions=2)]),
                        ("b", [entity("Internationale Währungsfonds")])),
                 [{("a", "Internationaler Währungsfonds"),
                   ("b", "Internationale Währungsfonds")}], [], id="adjective-endings"),
    pytest.param(corpus(("a", [entity("NATO", mentions=3)]), ("b", [entity("Nato")])),
                 [{("a", "NATO"), ("b", "Nato")}], [], id="acronym-case"),
    pytest.param(corpus(("a", [entity("Reuters", mentions=9)]), ("b", [entity("Reuter")])),
                 [], [("a", "Reuters"), ("b", "Reuter")], id="reuters-is-no-genitive"),
    pytest.param(corpus(("a", [entity("Bayern", mentions=9)]),
                        ("b", [entity("Bayer", mentions=3)])),
                 [], [("a", "Bayern"), ("b", "Bayer")], id="bayer-and-bayern"),
    pytest.param(corpus(("a", [entity("Polen", "LOC", 9)]), ("b", [entity("Pole", "LOC")])),
                 [], [("a", "Polen"), ("b", "Pole")], id="a-country-and-a-pole"),
    pytest.param(corpus(("a", [entity("Lukas", "PER", 3)]), ("b", [entity("Luka", "PER")])),
                 [], [("a", "Lukas"), ("b", "Luka")], id="persons-never-inflect"),
    pytest.param(corpus(("a", [entity("Tirol", "LOC", 9)]), ("b", [entity("Tirols", "LOC")]),
                        ("c", [entity("Tirol", "LOC", 2)])),
                 [{("a", "Tirol"), ("b", "Tirols"), ("c", "Tirol")}], [],
                 id="a-rarer-genitive-joins"),
    pytest.param(corpus(("a", [entity("Airline", "ORG", 2)]), ("b", [entity("Airlines")])),
                 [], [("a", "Airline"), ("b", "Airlines")], id="one-article-is-no-base"),
    pytest.param(corpus(("a", [entity("Paris", "LOC", 9)]), ("b", [entity("Pari", "LOC")])),
                 [], [("a", "Paris"), ("b", "Pari")], id="paris-is-no-genitive"),
    pytest.param(corpus(("a", [entity("Wladimir Putin", "PER", 5)]),
                        ("b", [entity("Vladimir Putin", "PER", 2)])),
                 [{("a", "Wladimir Putin"), ("b", "Vladimir Putin")}], [],
                 id="given-name-spelling"),
    pytest.param(corpus(("a", [entity("Martin Schenk", "PER", 5)]),
                        ("b", [entity("Martina Schenk", "PER", 2)])),
                 [], [("a", "Martin Schenk"), ("b", "Martina Schenk")], id="martin-and-martina"),
    pytest.param(corpus(("a", [entity("George Bush", "PER", 5)]),
                        ("b", [entity("George W. Bush", "PER", 2)]),
                        ("c", [entity("George H. W. Bush", "PER", 2)])),
                 [], [("a", "George Bush"), ("b", "George W. Bush"), ("c", "George H. W. Bush")],
                 id="three-bushes"),
])
def test_inflection_and_spelling(articles, together, apart):
    found = groups(articles)
    for group in together:
        assert frozenset(group) in found
    for member in apart:
        assert frozenset({member}) in found


@pytest.mark.parametrize("articles, expected", [
    pytest.param(corpus(*[(f"a{n}", [entity("Spanien", "LOC", 2)]) for n in range(5)],
                        ("b", [entity("Spanien", "PER")])),
                 {"LOC": {"a0", "a1", "a2", "a3", "a4", "b"}}, id="one-place-not-a-person"),
    pytest.param(corpus(*[(f"a{n}", [entity("LASK", "LOC", 2)]) for n in range(3)],
                        ("b", [entity("LASK", "ORG")])),
                 {"LOC": {"a0", "a1", "a2"}, "ORG": {"b"}}, id="three-against-one-is-too-few"),
    pytest.param(corpus(("a", [entity("Dieter Hecking", "PER", 2)]),
                        ("b", [entity("Dieter Hecking", "LOC", 3)])),
                 {"PER": {"a"}, "LOC": {"b"}}, id="one-article-against-one-is-no-evidence"),
    pytest.param(corpus(*[(f"a{n}", [entity("Hofer", "ORG", 2)]) for n in range(3)],
                        *[(f"b{n}", [entity("Hofer", "PER", 2)]) for n in range(2)]),
                 {"ORG": {"a0", "a1", "a2"}, "PER": {"b0", "b1"}}, id="supermarket-and-person"),
])
def test_one_label_by_corpus_votes(articles, expected):
    by_label: dict[str, set] = {}
    for (doc_id, _), link in links_of(articles).items():
        by_label.setdefault(link.label, set()).add(doc_id)
    assert by_label == expected


def test_ids_are_names_and_ambiguous_surnames_keep_the_article_id():
    links = links_of(corpus(("a", [entity("Thomas Müller", "PER", 4)]),
                            ("b", [entity("Gerd Müller", "PER", 3)]),
                            ("c", [entity("Müller", "PER"), entity("EU")])))
    assert links[("a", entity_id("PER", "Thomas Müller"))].entity_id == entity_id(
        "PER", "Thomas Müller")
    assert links[("c", entity_id("ORG", "EU"))].entity_id == entity_id("ORG", "EU")
    lone = entity("Müller", "PER")["entity_id"]
    assert links[("c", lone)].entity_id == lone


def test_the_same_result_in_any_order():
    articles = EU + IWF + corpus(("h1", [entity("Norbert Hofer", "PER", 5)]),
                                 ("h2", [entity("Hofer", "PER")]),
                                 ("g1", [entity("Grüne", mentions=3)]),
                                 ("g2", [entity("Grünen", mentions=4)]))
    articles = [(f"{doc_id}-{n}", date, summary) for n, (doc_id, date, summary)
                in enumerate(articles)]
    expected = links_of(articles)
    for seed in range(5):
        shuffled = articles[:]
        random.Random(seed).shuffle(shuffled)
        assert links_of(shuffled) == expected
    assert links_of([]) == {}


def test_summaries_from_the_normalize_stage_resolve():
    """The shard's summary is what the resolver reads: two real articles, one entity each."""
    first = "Norbert Hofer sprach in Wien zur FPÖ. Hofer lachte."
    second = "Hofer kam nach Wien zur FPÖ."
    summaries = []
    for doc_id, text, spans in (("a", first, [("Norbert Hofer", "PER"), ("Wien", "LOC"),
                                              ("FPÖ", "ORG")]),
                                ("b", second, [("Hofer", "PER"), ("Wien", "LOC"),
                                               ("FPÖ", "ORG")])):
        mentions = [{"start_char": text.index(span), "end_char": text.index(span) + len(span),
                     "text": span, "label": label, "sentence": 0} for span, label in spans]
        summaries.append((doc_id, None, analyse_article(text, mentions, [(0, len(text))])[1]))
    links = links_of(summaries)
    assert {(key[0], link.name, link.reason) for key, link in links.items()} == {
        ("a", "Norbert Hofer", "same-name"), ("a", "Wien", "same-name"),
        ("a", "FPÖ", "same-name"), ("b", "Norbert Hofer", "surname-in-corpus"),
        ("b", "Wien", "same-name"), ("b", "FPÖ", "same-name")}


def test_the_shard_carries_what_the_corpus_step_reads():
    """The real model on the sample article: every mention's entity has a summary in the
    shard, and the resolver gives the sample's entities their names and labels."""
    from conftest import SAMPLE

    from pipeline.analyse import Analyser
    from pipeline.names.article import ARTICLE_LINKS
    from pipeline.settings import RunSettings

    [(_, shard, _, _)] = Analyser(RunSettings()).analyse(
        [("sample", SAMPLE.read_text(encoding="utf-8"))])
    summaries = {entity["entity_id"]: entity for entity in shard["entities"]}
    assert {mention["entity_id"] for mention in shard["mentions"]} == set(summaries)
    assert {mention["link"] for mention in shard["mentions"]} <= set(ARTICLE_LINKS)
    for entity in shard["entities"]:
        assert set(entity) == {"entity_id", "name", "label", "votes", "mentions", "long_form",
                               "personal"}
    resolution = resolve([("sample", "2022-01", shard["entities"])])
    found = {(link.name, link.label) for link in (
        resolution.link("sample", entity, shard["entities"]) for entity in shard["entities"])}
    assert {("Kassym-Jomart Tokajew", "PER"), ("Nursultan Nasarbajew", "PER"),
            ("Wladimir Putin", "PER"), ("Almaty", "LOC"), ("Kasachstan", "LOC"),
            ("Moskau", "LOC"), ("ODKB", "ORG")} <= found
