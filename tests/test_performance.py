"""What the throughput work must not change: the same matches, the same results, freed memory.

The figures themselves come from ``benchmarks/throughput.py``, a script, not a timed test.
"""

from __future__ import annotations

import random
import re

import pytest

from pipeline.analyse import Analyser, LocalEngine, batched
from pipeline.names.inflection import word_starts
from pipeline.settings import RunSettings


def regex_starts(phrase: str, text: str, genitive: bool = False) -> list[int]:
    """The patterns ``word_starts`` replaced."""
    ending = r"(?=s?(?!\w))" if genitive else r"(?!\w)"
    return [match.start() for match in re.finditer(rf"(?<!\w){re.escape(phrase)}{ending}", text)]


@pytest.mark.parametrize("phrase, text, genitive, starts", [
    ("Putin", "Putin traf Putins Berater.", False, [0]),
    ("Putin", "Putin traf Putins Berater.", True, [0, 11]),
    ("Putin", "Putinismus und Putin-Regierung", True, [15]),
    ("Almaty", "in Almaty.", False, [3]),
    ("Almaty", "Almaty", False, [0]),
    ("ODKB", "ODKB-Truppen der ODKB_ und ODKB2", False, [0]),
    ("Vereinigten Staaten", "der Vereinigten Staaten", True, [4]),
    ("Kasachstan", "Kasachstans Kasachstan Kasachstanss", True, [0, 12]),
    ("aa", "aaa aa aas", True, [4, 7]),
    ("Müller", "Müllers, Müllerin, Müller²", True, [0]),
])
def test_word_starts_matches_the_regex(phrase, text, genitive, starts):
    assert list(word_starts(phrase, text, genitive)) == starts
    assert regex_starts(phrase, text, genitive) == starts


def test_word_starts_matches_the_regex_on_random_text():
    rng = random.Random(6)
    alphabet = "aas sAB_-é1ß.()\n²"
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        phrase = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 3)))
        for genitive in (False, True):
            assert list(word_starts(phrase, text, genitive)) == (
                regex_starts(phrase, text, genitive)), (phrase, text, genitive)


# Made-up place names, one per article, that only a memory zone can have added to the strings.
PLACES = [f"Xqzubrowitz{letter}stadt" for letter in "abcde"]
ARTICLES = [(f"a{number}", f"Kanzlerin Merkel traf in {place} den Botschafter.")
            for number, place in enumerate(PLACES)]
SETTINGS = RunSettings()


def test_the_engine_zone_spans_batches_gives_the_same_results_and_is_freed():
    analyser = Analyser(SETTINGS)  # a zone per call, on the model the engine uses (cached)
    per_batch = [result for batch in batched(ARTICLES, 2) for result in analyser.analyse(batch)]
    engine = LocalEngine(SETTINGS)
    spanning = list(engine.results(batched(ARTICLES, 2)))
    assert [key for key, *_ in spanning] == [key for key, _ in ARTICLES]
    assert spanning == per_batch
    assert all(shard is not None for _, shard, _, _ in spanning)
    assert not any(place in analyser.nlp.vocab.strings for place in PLACES)


def test_the_zone_spans_batches_until_its_article_count_then_starts_afresh():
    analyser = Analyser(SETTINGS, zone_articles=3)
    strings = analyser.nlp.vocab.strings
    analyser.analyse(ARTICLES[0:2])
    assert PLACES[0] in strings and PLACES[1] in strings  # the zone is still open
    analyser.analyse(ARTICLES[2:4])  # 4 articles > 3: the first zone is freed first
    assert PLACES[0] not in strings and PLACES[3] in strings
    analyser.close()
    assert not any(place in strings for place in PLACES)
    with analyser.nlp.memory_zone():  # nothing left open: a new zone does not nest
        assert analyser.nlp("Merkel reiste nach Minsk.").text


def test_a_consumer_that_stops_early_leaves_no_zone_open():
    nlp = Analyser(SETTINGS).nlp  # the model the engine uses (load_model caches it)
    results = LocalEngine(SETTINGS).results(batched(ARTICLES, 2))
    assert next(results).key == "a0"
    assert PLACES[1] in nlp.vocab.strings
    results.close()
    assert PLACES[1] not in nlp.vocab.strings
    with nlp.memory_zone():
        assert nlp("Merkel reiste nach Minsk.").text


def test_only_a_run_with_the_tokens_table_loads_the_lemma_table():
    assert "lemmatizer" not in Analyser(SETTINGS).nlp.pipe_names
    assert "lemmatizer" in Analyser(RunSettings(tables=("tokens", "errors"))).nlp.pipe_names
