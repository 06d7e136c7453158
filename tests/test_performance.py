"""What the throughput work must not change: the same matches, the same results, freed memory.

The figures themselves come from ``benchmarks/throughput.py``, a script, not a timed test.
"""

from __future__ import annotations

import random
import re

import pytest

from pipeline.batch import analyse_stream
from pipeline.names.inflection import word_starts as _word_starts


def regex_starts(phrase: str, text: str, genitive: bool = False) -> list[int]:
    """The patterns ``_word_starts`` replaced."""
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
    assert list(_word_starts(phrase, text, genitive)) == starts
    assert regex_starts(phrase, text, genitive) == starts


def test_word_starts_matches_the_regex_on_random_text():
    rng = random.Random(6)
    alphabet = "aas sAB_-é1ß.()\n²"
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        phrase = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 3)))
        for genitive in (False, True):
            assert list(_word_starts(phrase, text, genitive)) == (
                regex_starts(phrase, text, genitive)), (phrase, text, genitive)


# Made-up place names, one per article, that only a memory zone can have added to the strings.
PLACES = [f"Xqzubrowitz{letter}stadt" for letter in "abcde"]
ARTICLES = [(f"a{number}", f"Kanzlerin Merkel traf in {place} den Botschafter.")
            for number, place in enumerate(PLACES)]


def test_a_zone_across_batches_gives_the_same_results_and_is_freed():
    from pipeline.batch import Analyser

    nlp = Analyser().nlp  # the model analyse_stream uses (load_model caches it)
    per_batch = list(analyse_stream(ARTICLES, batch_size=2))
    spanning = list(analyse_stream(ARTICLES, batch_size=2, zone_articles=3))
    assert [key for key, *_ in spanning] == [key for key, _ in ARTICLES]
    assert spanning == per_batch
    assert all(shard is not None for _, shard, _, _ in spanning)
    assert not any(place in nlp.vocab.strings for place in PLACES)


def test_the_zone_spans_batches_until_its_article_count_then_starts_afresh():
    from pipeline.batch import Analyser

    analyser = Analyser(zone_articles=3)
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
    from pipeline.batch import Analyser

    nlp = Analyser().nlp  # the model analyse_stream uses (load_model caches it)
    results = analyse_stream(ARTICLES, batch_size=2, zone_articles=100)
    assert next(results)[0] == "a0"
    assert PLACES[1] in nlp.vocab.strings
    results.close()
    assert PLACES[1] not in nlp.vocab.strings


def test_only_a_run_with_the_tokens_table_loads_the_lemma_table():
    from pipeline.batch import Analyser

    assert "lemmatizer" not in Analyser().nlp.pipe_names
    assert "lemmatizer" in Analyser(with_tokens=True).nlp.pipe_names
