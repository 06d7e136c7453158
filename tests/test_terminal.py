"""What users see in a terminal: the progress bar (a total and an ETA), --help, and `show`'s
messages (issue 15's terminal part, issue 14's message bugs)."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys

import pytest

from conftest import ROOT, SAMPLE, articles, run_cli, write_jsonl
from test_cli import command_names


@pytest.mark.parametrize("command", [[]] + [[name] for name in command_names()],
                         ids=lambda command: command[0] if command else "main")
def test_help_shows_flags_without_a_type(command):
    result = run_cli(*command, "--help")
    assert result.exit_code == 0
    assert "<bool>" not in result.output
    assert "--help" in result.output


def mixed_corpus(folder):
    """Articles in every input format, and inputs that are error rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir()
    (folder / SAMPLE.name).write_bytes(SAMPLE.read_bytes())
    write_jsonl(folder / "a.jsonl", articles(7))
    (folder / "b.csv").write_text("id;text\nc1;Olaf Scholz in Wien.\nc2;Angela Merkel in Paris.\n",
                                  encoding="utf-8")
    (folder / "c.tsv").write_text("id\ttext\nt1\tSergej Lawrow in Genf.", encoding="utf-8")
    pq.write_table(pa.table({"id": ["p1", "p2", "p3"], "text": ["Minsk.", "Kiew.", "Wien."]}),
                   folder / "d.parquet")
    (folder / "leer.txt").write_bytes(b"")
    (folder / "notiz.md").write_text("# Notiz", encoding="utf-8")
    (folder / "weg.txt").symlink_to(folder / "nichts.txt")
    return folder


def test_the_quick_count_matches_the_records(tmp_path):
    from pipeline import read

    corpus = mixed_corpus(tmp_path / "corpus")
    records = list(read.iter_records([corpus, SAMPLE]))
    assert read.estimate_records([corpus, SAMPLE]) == len(records) == 18


def test_no_count_when_stderr_is_not_a_terminal(corpus, tmp_path, monkeypatch):
    from pipeline import read

    def refuse(*args, **kwargs):
        raise AssertionError("counted the inputs for a run without a progress bar")

    monkeypatch.setattr(read, "estimate_records", refuse)
    assert run_cli("run", corpus, "--out", tmp_path / "out").exit_code == 0


def test_the_progress_bar_shows_a_total_and_an_eta(tmp_path):
    """The real command with its stderr on a pseudo-terminal, as in a shell."""
    corpus = mixed_corpus(tmp_path / "corpus")
    main, terminal = pty.openpty()
    run = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "run", str(corpus), "--out", str(tmp_path / "out")],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=terminal, env={**os.environ, "COLUMNS": "100"})
    os.close(terminal)
    shown = b""
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:  # the command has closed the terminal
            break
        if not data:
            break
        shown += data
    os.close(main)
    stdout, _ = run.communicate(timeout=60)
    text = shown.decode("utf-8", errors="replace")
    assert run.returncode == 1, text  # the bad inputs
    assert stdout == b""
    assert "/17 articles" in text, text  # 17 records: 14 articles and 3 error rows
    assert "ETA" in text
    assert "14 articles, " in text and "14 analysed (" in text


def test_show_escapes_markup_in_ids_and_names(tmp_path):
    path = tmp_path / "a.jsonl"
    write_jsonl(path, [{"id": "x[/]y[bold]", "text": "Angela Merkel traf [red]Emmanuel Macron[/] "
                        "in Berlin."}])
    result = run_cli("show", path)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "x[/]y[bold] (no date): " in result.stdout
    assert "Angela Merkel" in result.stdout


def test_show_says_what_is_wrong_with_the_article_asked_for(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"id": 1.5, "text": "Kaputt."}) + "\n"
                    + '{"id": "s1", "text": "Angela \\ud800 Merkel."}\n'
                    + json.dumps({"id": "ok", "text": "Olaf Scholz in Wien."}) + "\n",
                    encoding="utf-8")
    nope = run_cli("show", path, "--id", "nope")
    assert (nope.exit_code, nope.stderr) == (
        1, f"Error: {path} holds no article with id 'nope'; its ids are 'ok'\n")
    broken = run_cli("show", path, "--id", "s1")
    assert broken.exit_code == 1
    assert broken.stderr.startswith(f"Error: {path} holds no article with id 's1' that could be "
                                    "read (invalid-unicode: line 2: 'text' holds U+D800")
    (tmp_path / "leer.txt").write_bytes(b"")
    empty = run_cli("show", tmp_path / "leer.txt")
    assert empty.stderr == (f"Error: {tmp_path / 'leer.txt'} holds no article that could be read "
                            "(empty: article has no text; add text or remove the file)\n")
    (tmp_path / "selbst.txt").symlink_to("selbst.txt")
    loop = run_cli("show", tmp_path / "selbst.txt")
    assert loop.exit_code == 1 and "(symlink-loop: " in loop.stderr
