"""The real CLI end to end on the sample article, plus --help, --version and usage errors."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from conftest import ROOT, SAMPLE, load_json, run_cli, sample_body
from pipeline.about import __version__
from pipeline.cli import app


def command_names() -> list[str]:
    import typer

    return sorted(typer.main.get_command(app).commands)


@pytest.mark.parametrize("command", [[]] + [[name] for name in command_names()],
                         ids=lambda command: command[0] if command else "main")
def test_help_for_every_command(command):
    result = run_cli(*command, "--help")
    assert result.exit_code == 0
    assert f"Usage: entity-pipeline {' '.join(command)}".rstrip() in result.output
    assert {"run", "show"} <= set(command_names())


def test_help_and_version_do_not_import_spacy_pandas_pyarrow_duckdb_or_dask():
    code = ("import sys\nfrom pipeline.cli import app\n"
            "for args in (['--help'], ['run', '--help'], ['--version']):\n"
            "    try:\n        app(args, prog_name='entity-pipeline')\n"
            "    except SystemExit as exit:\n        assert exit.code == 0, exit.code\n"
            "print(sorted(m for m in ('spacy', 'pandas', 'thinc', 'pyarrow', 'duckdb', 'dask',\n"
            "                          'distributed') if m in sys.modules))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, check=True)
    assert result.stdout.strip().endswith("[]")
    assert f"entity-pipeline {__version__}" in result.stdout


def test_version():
    result = run_cli("--version")
    assert (result.exit_code, result.stdout) == (0, f"entity-pipeline {__version__}\n")


def test_missing_input_is_a_usage_error(tmp_path):
    result = run_cli("run", "no-such-corpus", "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "'no-such-corpus' does not exist" in result.output
    assert not (tmp_path / "out").exists()


def test_unknown_table_is_a_usage_error(tmp_path):
    result = run_cli("run", SAMPLE, "--out", tmp_path, "--tables", "documents,personen")
    assert result.exit_code == 2
    assert "unknown table personen" in result.output


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample") / "outputs"
    result = run_cli("run", ROOT / "corpus", "--out", out, "--tables", "all")
    return out, result


def test_run_on_the_sample_article(sample_run):
    out, result = sample_run
    assert result.exit_code == 0, result.output
    assert result.stdout == ""  # messages go to stderr, data to files
    [document] = load_json(out, "documents")
    body = sample_body()
    assert {key: document[key] for key in ("doc_id", "source", "line", "date", "title", "chars",
                                           "tokens", "sentences", "text")} == {
        "doc_id": "kasachstan-2022-01", "source": str(ROOT / "corpus" / SAMPLE.name),
        "line": None, "date": "2022-01", "title": None, "chars": 4954, "tokens": 786,
        "sentences": 47, "text": body}
    mentions = load_json(out, "mentions")
    assert document["mentions"] == len(mentions) > 0
    for mention in mentions:
        assert body[mention["start_char"]:mention["end_char"]] == mention["text"]
    assert [m["mention"] for m in mentions] == list(range(len(mentions)))
    assert result.stderr.startswith(f"1 article, 786 tokens, {len(mentions)} mentions, ")
    assert re.fullmatch(r"1 analysed \([\d,]+ tokens/s\), 0 reused, 0 removed",
                        result.stderr.splitlines()[1])


def test_sample_article_finds_tokajew_almaty_and_odkb(sample_run):
    out, _ = sample_run
    found = {(m["start_char"], m["end_char"], m["text"], m["label"])
             for m in load_json(out, "mentions")}
    assert (581, 587, "Almaty", "LOC") in found
    assert (854, 860, "Almaty", "LOC") in found
    assert (3609, 3613, "ODKB", "ORG") in found
    assert (3632, 3636, "ODKB", "ORG") in found
    assert (886, 893, "Tokajew", "PER") in found
    assert any(m[2].endswith("Tokajew") and m[3] == "PER" and m[0] in (402, 409) for m in found)


def test_sample_article_entities_merge_the_variants(sample_run):
    out, _ = sample_run
    entities = {e["name"]: e for e in load_json(out, "entities")}
    tokajew = entities["Kassym-Jomart Tokajew"]
    assert (tokajew["label"], tokajew["mentions"], tokajew["documents"], tokajew["variants"]) == (
        "PER", 7, 1, "Kassym-Jomart Tokajew | Kassym-Schomart Tokajew | Tokajew")
    assert (entities["Almaty"]["label"], entities["Almaty"]["mentions"]) == ("LOC", 3)
    assert (entities["ODKB"]["label"], entities["ODKB"]["mentions"]) == ("ORG", 2)
    mentions = load_json(out, "mentions")
    assert sorted(m["start_char"] for m in mentions
                  if m["entity_id"] == tokajew["entity_id"]) == [402, 886, 1002, 2553, 2726,
                                                                3616, 4650]


def test_sample_tables_csv_and_json_agree(sample_run):
    out, _ = sample_run
    import csv

    for table in ("documents", "mentions", "entities", "tokens", "errors", "cooccurrences"):
        with open(out / f"{table}.csv", encoding="utf-8", newline="") as stream:
            rows = list(csv.DictReader(stream))
        records = load_json(out, table)
        assert len(rows) == len(records), table
    tokens = load_json(out, "tokens")
    assert len(tokens) == 786
    assert tokens[2] == {"doc_id": "kasachstan-2022-01", "sentence": 0, "token": 2,
                         "start_char": 11, "end_char": 20, "text": "versuchte",
                         "lemma": "versuchen"}
    assert (out / "documents.csv").read_text(encoding="utf-8").splitlines()[0] == (
        "doc_id,source,file,line,date,title,chars,tokens,sentences,mentions")
    assert load_json(out, "errors") == []


def test_format_csv_only_and_stale_tables_removed(sample_run, tmp_path):
    out, _ = sample_run
    result = run_cli("run", ROOT / "corpus", "--out", out, "--format", "csv", "--quiet")
    assert (result.exit_code, result.output) == (0, "")
    files = sorted(path.name for path in out.iterdir() if not path.name.startswith("."))
    assert files == ["cooccurrences.csv", "documents.csv", "entities.csv", "errors.csv",
                     "mentions.csv"]


def test_format_json_alone_and_the_summary_names_the_errors_file_written(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / SAMPLE.name).write_bytes(SAMPLE.read_bytes())
    (corpus / "empty.txt").write_bytes(b"")
    out = tmp_path / "out"
    result = run_cli("run", corpus, "--out", out, "-f", "json")
    assert result.exit_code == 1, result.output
    assert sorted(path.name for path in out.iterdir() if not path.name.startswith(".")) == [
        "cooccurrences.json", "documents.json", "entities.json", "errors.json", "mentions.json"]
    lines = result.stderr.splitlines()
    assert lines[3] == f"1 input could not be processed; see {out / 'errors.json'}, for example:"
    assert lines[4].startswith(f"  {corpus / 'empty.txt'}: empty: ")
    both = run_cli("run", corpus, "--out", out, "--format", "both")
    assert f"see {out / 'errors.csv'} or {out / 'errors.json'}, for" in both.stderr


@pytest.mark.parametrize("formats", ["xlsx", "csv,parquet-ish", ","])
def test_unknown_format_is_a_usage_error(tmp_path, formats):
    result = run_cli("run", SAMPLE, "--out", tmp_path / "out", "--format", formats)
    assert result.exit_code == 2
    assert "unknown format" in result.output and "choose from csv, json" in result.output
    assert not (tmp_path / "out").exists()


def commands_with_a_model() -> list[str]:
    import typer

    commands = typer.main.get_command(app).commands
    return sorted(name for name, command in commands.items()
                  if any("--model" in param.opts for param in command.params))


def test_every_command_that_takes_a_model_has_dash_m():
    import typer

    commands = typer.main.get_command(app).commands
    assert commands_with_a_model() == ["evaluate", "run", "show"]
    for name in commands_with_a_model():
        [option] = [param for param in commands[name].params if "--model" in param.opts]
        assert option.opts == ["--model", "-m"], name


@pytest.mark.parametrize("command", commands_with_a_model())
def test_an_unknown_model_is_a_usage_error_for_every_command(command, tmp_path):
    arguments = {"run": [SAMPLE, "--out", tmp_path / "out"], "show": [SAMPLE],
                 "evaluate": [ROOT / "tests" / "data" / "gold-germeval.tsv"]}[command]
    result = run_cli(command, *arguments, "-m", "de_core_news_xx")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: spaCy model 'de_core_news_xx' is not installed")
    assert "Traceback" not in result.output


def test_show_prints_the_entities(tmp_path):
    result = run_cli("show", SAMPLE)
    assert result.exit_code == 0, result.output
    assert "kasachstan-2022-01 (2022-01)" in result.stdout
    for name in ("Tokajew", "Almaty", "ODKB"):
        assert name in result.stdout


def test_show_picks_an_article_by_id(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"id": "x1", "text": "Der Himmel ist blau."}) + "\n"
                    + json.dumps({"id": "x2", "text": "Nichts."}) + "\n", encoding="utf-8")
    result = run_cli("show", path, "--id", "x2")
    assert result.exit_code == 0, result.output
    assert "x2 (no date): 0 entities, 0 mentions" in result.stdout
    missing = run_cli("show", path, "--id", "x9")
    assert missing.exit_code == 1
    assert missing.stderr == f"Error: {path} holds no article with id 'x9'; its ids are 'x1', 'x2'\n"


def test_python_dash_m(tmp_path):
    result = subprocess.run([sys.executable, "-m", "pipeline", "--version"], cwd=ROOT,
                            capture_output=True, text=True)
    assert (result.returncode, result.stdout) == (0, f"entity-pipeline {__version__}\n")


def test_unknown_model_in_worker_processes_is_a_usage_error_with_a_hint(tmp_path):
    result = run_cli("run", SAMPLE, "--out", tmp_path, "--model", "de_core_news_xx",
                     "--workers", "2")
    assert result.exit_code == 2
    assert "spaCy model 'de_core_news_xx' is not installed" in " ".join(result.stderr.split())
    assert not (tmp_path / "documents.csv").exists()
