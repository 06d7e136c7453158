"""The corpus step through the real CLI: one entity per real-world name across the articles.

Short German news articles about people and organisations that share a surname or an
abbreviation: Norbert Hofer and an article that calls him "Hofer" only; Thomas Müller the
footballer and Gerd Müller the economist, and lone "Müller"s beside either or neither; the EU
defined once and named both ways; "IWF" defined as two different organisations.
"""

from __future__ import annotations

import pytest

from conftest import SAMPLE, load_json, run_cli, summary_counts, table_bytes, write_jsonl

def article(doc_id: str, date: str, *sentences: str) -> dict:
    return {"id": doc_id, "date": date, "text": " ".join(sentences)}


HOFER = [
    article("a1", "2016-05-20",
            "Der FPÖ-Kandidat Norbert Hofer trifft in der Stichwahl auf Alexander Van der Bellen.",
            "Hofer kam im ersten Wahlgang auf 35 Prozent.",
            "Parteichef Heinz-Christian Strache sprach von einem historischen Ergebnis "
            "für die FPÖ."),
    article("a2", "2016-05-21",
            "Norbert Hofer will als Bundespräsident die Regierung entlassen können.",
            "Heinz-Christian Strache unterstützt Hofer im Wahlkampf.",
            "Die FPÖ hofft auf einen Sieg in Wien."),
]
LONE_HOFER = article("a3", "2016-05-23",
                     "Hofer sagte am Montagabend in Wien, er gratuliere seinem Gegner.",
                     "Strache sagte, die FPÖ werde die Wahl anfechten.")
MUELLER = [
    article("m1", "2016-04-02",
            "Thomas Müller erzielte beim 3:0 des FC Bayern München gegen Borussia Dortmund "
            "zwei Tore.",
            "Trainer Pep Guardiola lobte Müller nach dem Spiel in der Allianz Arena."),
    article("m2", "2016-04-09",
            "Thomas Müller verlängert seinen Vertrag beim FC Bayern München.",
            "Pep Guardiola freut sich über die Entscheidung von Müller."),
    article("m3", "2016-04-05",
            "Der Ökonom Gerd Müller vom Institut für Weltwirtschaft in Kiel erwartet eine "
            "Rezession.",
            "Müller rechnet mit steigender Arbeitslosigkeit in Schleswig-Holstein."),
    article("m4", "2016-04-06",
            "Gerd Müller warnte in Kiel vor einer Rezession.",
            "Das Institut für Weltwirtschaft senkte seine Prognose."),
    article("m5", "2016-04-07", "Müller sagte am Dienstag in Berlin, er sei zufrieden."),
    article("m6", "2016-04-08",
            "Müller vom Institut für Weltwirtschaft in Kiel rechnet mit einem Abschwung."),
    article("m7", "2016-04-10",
            "Müller traf auch im Rückspiel des FC Bayern München gegen Borussia Dortmund."),
]
EU = [
    article("e1", "2016-04-14",
            "Die Europäische Union (EU) verlängert die Sanktionen gegen Russland.",
            "Die EU-Außenminister einigten sich in Brüssel."),
    article("e2", "2016-04-15",
            "Die EU will die Außengrenzen besser schützen.",
            "Griechenland fordert Hilfe aus Brüssel."),
    article("e3", "2016-04-16",
            "Die Europäische Union verhandelt mit der Türkei über Flüchtlinge."),
]
IWF = [
    article("i1", "2016-04-11",
            "Der Internationale Währungsfonds (IWF) senkt seine Prognose für das Wachstum der "
            "Weltwirtschaft.",
            "Der IWF erwartet für Deutschland nur noch ein Plus von 1,5 Prozent."),
    article("i2", "2016-04-12",
            "Das Institut für Weltraumforschung (IWF) in Graz hat ein Messgerät für die "
            "Raumsonde gebaut.",
            "Das IWF arbeitet dafür mit der Esa zusammen."),
    article("i3", "2016-04-13", "Der IWF tagt in dieser Woche in Washington."),
]
ALL = HOFER + [LONE_HOFER] + MUELLER + EU + IWF


def links(out, *doc_ids: str) -> list[tuple[str, str, str, str]]:
    """(doc_id, text, name, link) of the mentions of these articles, in table order."""
    return [(row["doc_id"], row["text"], row["name"], row["link"])
            for row in load_json(out, "mentions") if row["doc_id"] in doc_ids]


def entities(out) -> dict[str, list[dict]]:
    """The entities table by name (a name may be several entities)."""
    by_name: dict[str, list[dict]] = {}
    for row in load_json(out, "entities"):
        by_name.setdefault(row["name"], []).append(row)
    return by_name


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory):
    """One run over all the articles above: its output folder."""
    folder = tmp_path_factory.mktemp("corpus-step")
    write_jsonl(folder / "news" / "news.jsonl", ALL)
    result = run_cli("run", folder / "news", "--out", folder / "out")
    assert result.exit_code == 0, result.output
    assert f"{len(ALL)} articles" in result.stderr
    return folder / "out"


def test_a_lone_surname_joins_the_one_full_name_its_article_shares_names_with(corpus_run):
    assert links(corpus_run, "a3") == [
        ("a3", "Hofer", "Norbert Hofer", "surname-in-corpus"), ("a3", "Wien", "Wien", "exact"),
        ("a3", "FPÖ", "FPÖ", "exact")]
    [hofer] = entities(corpus_run)["Norbert Hofer"]
    assert (hofer["label"], hofer["mentions"], hofer["documents"], hofer["variants"]) == (
        "PER", 5, 3, "Hofer | Norbert Hofer")
    assert (hofer["first_date"], hofer["last_date"]) == ("2016-05-20", "2016-05-23")
    assert "Hofer" not in entities(corpus_run)
    [row] = [row for row in load_json(corpus_run, "mentions") if row["doc_id"] == "a3"
             and row["text"] == "Hofer"]
    assert row["entity_id"] == hofer["entity_id"] != row["article_entity_id"]
    pairs = {(row["name_a"], row["name_b"]): row for row in load_json(corpus_run, "cooccurrences")}
    assert pairs[("Norbert Hofer", "Wien")]["documents"] == 1, "the pair counts a3's Hofer"


def test_two_people_named_mueller_stay_apart_and_a_lone_mueller_goes_by_its_context(corpus_run):
    assert links(corpus_run, "m5", "m6", "m7") == [
        ("m5", "Müller", "Müller", "ambiguous-surname"), ("m5", "Berlin", "Berlin", "exact"),
        ("m6", "Müller", "Gerd Müller", "surname-in-corpus"),
        ("m6", "Institut für Weltwirtschaft", "Institut für Weltwirtschaft", "exact"),
        ("m6", "Kiel", "Kiel", "exact"),
        ("m7", "Müller", "Thomas Müller", "surname-in-corpus"),
        ("m7", "FC Bayern München", "FC Bayern München", "exact"),
        ("m7", "Borussia Dortmund", "Borussia Dortmund", "exact")]
    found = entities(corpus_run)
    assert [(row["mentions"], row["documents"]) for row in found["Thomas Müller"]] == [(5, 3)]
    assert [(row["mentions"], row["documents"]) for row in found["Gerd Müller"]] == [(4, 3)]
    [alone] = found["Müller"]
    assert (alone["label"], alone["documents"]) == ("PER", 1)
    [row] = [row for row in load_json(corpus_run, "mentions") if row["doc_id"] == "m5"
             and row["text"] == "Müller"]
    assert row["entity_id"] == row["article_entity_id"] == alone["entity_id"]


def test_an_abbreviation_joins_its_long_form_unless_articles_define_it_differently(corpus_run):
    assert links(corpus_run, "e1", "e2", "e3") == [
        ("e1", "Europäische Union", "EU", "abbreviation"), ("e1", "EU", "EU", "exact"),
        ("e1", "Russland", "Russland", "exact"), ("e1", "EU", "EU", "exact"),
        ("e1", "Brüssel", "Brüssel", "exact"), ("e2", "EU", "EU", "exact"),
        ("e2", "Griechenland", "Griechenland", "exact"), ("e2", "Brüssel", "Brüssel", "exact"),
        ("e3", "Europäische Union", "EU", "abbreviation"), ("e3", "Türkei", "Türkei", "exact")]
    found = entities(corpus_run)
    assert [(row["documents"], row["variants"]) for row in found["EU"]] == [
        (3, "EU | Europäische Union")]
    assert "Europäische Union" not in found
    assert [(row["text"], row["name"]) for row in load_json(corpus_run, "mentions")
            if row["doc_id"].startswith("i") and row["label"] == "ORG"] == [
        ("Internationale Währungsfonds", "Internationale Währungsfonds"),
        ("IWF", "Internationale Währungsfonds"), ("IWF", "Internationale Währungsfonds"),
        ("Institut für Weltraumforschung", "Institut für Weltraumforschung"),
        ("IWF", "Institut für Weltraumforschung"), ("IWF", "Institut für Weltraumforschung"),
        ("Esa", "Esa"), ("IWF", "IWF")]
    ids = {row["entity_id"] for name in ("Internationale Währungsfonds",
                                         "Institut für Weltraumforschung", "IWF")
           for row in found[name]}
    assert len(ids) == 3, "two definitions, two entities; the undefined IWF stays apart"


def test_reruns_fresh_runs_and_any_number_of_workers_give_the_same_tables(tmp_path):
    """Adding the articles that define a name changes the entities of articles that were not
    analysed again; removing them changes them back."""
    def named(out):
        return [link for link in links(out, "a3", "e3")
                if link[1] in ("Hofer", "Europäische Union")]

    news, out = tmp_path / "news" / "news.jsonl", tmp_path / "out"
    write_jsonl(news, [LONE_HOFER, EU[2]])
    assert run_cli("run", news.parent, "--out", out).exit_code == 0
    alone = table_bytes(out)
    assert named(out) == [("a3", "Hofer", "Hofer", "exact"),
                          ("e3", "Europäische Union", "Europäische Union", "exact")]

    write_jsonl(news, [*HOFER, LONE_HOFER, EU[0], EU[2]])
    again = run_cli("run", news.parent, "--out", out)
    assert summary_counts(again) == "3 analysed, 2 reused, 0 removed"
    assert named(out) == [("a3", "Hofer", "Norbert Hofer", "surname-in-corpus"),
                          ("e3", "Europäische Union", "EU", "abbreviation")]
    fresh = tmp_path / "fresh"
    result = run_cli("run", news.parent, "--out", fresh, "--workers", "2", "--batch-size", "2")
    assert result.exit_code == 0, result.output
    assert summary_counts(result) == "5 analysed, 0 reused, 0 removed"
    assert table_bytes(out) == table_bytes(fresh)

    write_jsonl(news, [LONE_HOFER, EU[2]])
    assert summary_counts(run_cli("run", news.parent, "--out", out)) == (
        "0 analysed, 2 reused, 3 removed")
    assert table_bytes(out) == alone


def test_no_normalize_keeps_every_mention_its_own_entity(tmp_path):
    write_jsonl(tmp_path / "news" / "news.jsonl", [*HOFER, LONE_HOFER])
    result = run_cli("run", tmp_path / "news", "--out", tmp_path / "out", "--no-normalize")
    assert result.exit_code == 0, result.output
    mentions = load_json(tmp_path / "out", "mentions")
    assert {row["link"] for row in mentions} == {"exact"}
    assert all(row["name"] == row["text"] and row["article_entity_id"] == row["entity_id"]
               for row in mentions)
    assert [row["name"] for row in mentions if row["doc_id"] == "a3"][0] == "Hofer"


def test_show_and_extract_take_each_article_as_its_own_corpus(corpus_run, tmp_path):
    """What a run over the one article writes, whatever the other articles of the file say."""
    import pipeline
    from pipeline.analyse import article_entities

    news = corpus_run.parent / "news" / "news.jsonl"
    shown = run_cli("show", news, "--id", "a3")
    assert shown.exit_code == 0, shown.output
    assert "a3 (2016-05-23): 3 entities, 3 mentions" in shown.stdout
    assert "Hofer" in shown.stdout and "Norbert" not in shown.stdout

    write_jsonl(tmp_path / "one" / "a3.jsonl", [LONE_HOFER])
    assert run_cli("run", tmp_path / "one", "--out", tmp_path / "out").exit_code == 0
    _, mentions, entity_rows = article_entities(news, "a3")
    assert mentions == load_json(tmp_path / "out", "mentions")
    assert entity_rows == load_json(tmp_path / "out", "entities")
    undated = {**LONE_HOFER, "date": None}
    write_jsonl(tmp_path / "undated" / "a3.jsonl", [undated])
    assert run_cli("run", tmp_path / "undated", "--out", tmp_path / "out2").exit_code == 0
    assert list(pipeline.extract([undated])) == load_json(tmp_path / "out2", "mentions")


def test_the_sample_article_shown_is_the_sample_run(corpus, tmp_path):
    from pipeline.analyse import article_entities

    assert run_cli("run", corpus, "--out", tmp_path / "out").exit_code == 0
    _, mentions, entity_rows = article_entities(SAMPLE)
    assert mentions == load_json(tmp_path / "out", "mentions")
    assert entity_rows == load_json(tmp_path / "out", "entities")
    names = {(row["name"], row["label"]) for row in entity_rows}
    assert {("Kassym-Jomart Tokajew", "PER"), ("Nursultan Nasarbajew", "PER"),
            ("Wladimir Putin", "PER"), ("Almaty", "LOC"), ("Kasachstan", "LOC"),
            ("Moskau", "LOC"), ("ODKB", "ORG")} <= names
