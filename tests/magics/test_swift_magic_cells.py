"""%%swift batches and put, --out, %config SwiftMagics, and the help texts."""

from __future__ import annotations

import pytest

from ovhub_jupyter.magics.base import MagicError
from ovhub_jupyter.magics.swift import COMMANDS
from ovhub_jupyter.magics.swift_parser import EXAMPLES
from tests.magics.swift_magic_helpers import any_notebook, notebook, real_notebook  # noqa: F401


def test_batch_runs_lines_and_returns_last(any_notebook, tmp_path):
    container = any_notebook.new_container()
    (tmp_path / "a.txt").write_bytes(b"a")

    result = any_notebook.cell(
        "",
        f"""
        # create, upload, then list
        mkdir {container}

        upload {tmp_path / 'a.txt'} {container}/in
        %swift ls {container}
        """,
    )

    assert result["name"].tolist() == ["in/a.txt"]


def test_batch_stops_at_first_failure_naming_line(notebook, tmp_path):
    container = notebook.new_container()

    with pytest.raises(MagicError) as raised:
        notebook.cell(
            "",
            f"mkdir {container}\nrmdir {container}-missing\nmkdir {container}-never",
        )

    message = raised.value.args[0]
    assert message.startswith(f"line 2 (rmdir {container}-missing): delete container")
    assert "HTTP 404" in message
    assert len(raised.value._render_traceback_()) == 1
    assert not notebook.storage.container_exists(f"{container}-never")


def test_batch_account_applies_to_lines(notebook):
    container = notebook.new_container(account="swift")

    result = notebook.cell("--account swift", f"ls {container}\nstat {container}")

    assert result["container"].tolist() == [container]


def test_put_stores_cell_text_as_utf8(any_notebook):
    container = any_notebook.new_container()
    text = "Notes — été\nline 2\n"

    frame = any_notebook.cell(f"put {container}/notes.txt", text)

    assert frame["bytes"].tolist() == [len(text.encode("utf-8"))]
    assert any_notebook.storage.download_bytes(container, "notes.txt") == text.encode("utf-8")
    assert any_notebook.storage.stat_object(container, "notes.txt").content_type == "text/plain; charset=utf-8"


def test_put_line_form_is_rejected(notebook):
    message = notebook.error("put box/notes.txt")

    assert "put stores the text of a cell" in message
    assert "%%swift put CONTAINER/OBJECT" in message


def test_out_stores_variable_and_returns_nothing(notebook):
    container = notebook.new_container()
    notebook.storage.upload_bytes(container, "a", b"x")

    returned = notebook.run(f"ls {container} --out listing")

    assert returned is None
    assert notebook.shell.user_ns["listing"]["name"].tolist() == ["a"]


def test_assignment_form_returns_dataframe(notebook):
    container = notebook.new_container()
    notebook.storage.upload_bytes(container, "a", b"x")

    notebook.shell.run_cell(f"df = %swift ls {container}")

    assert notebook.shell.user_ns["df"]["name"].tolist() == ["a"]


def test_out_invalid_name_is_rejected(notebook):
    container = notebook.new_container()

    message = notebook.error(f"ls {container} --out 1x")

    assert "--out '1x' is not a valid Python variable name" in message


def test_config_lists_settings_with_help(notebook, capsys):
    notebook.shell.run_line_magic("config", "SwiftMagics")

    text = capsys.readouterr().out
    for setting in ("segment_size", "concurrency", "progress", "short_errors"):
        assert f"SwiftMagics.{setting}" in text
    assert "Segment size in bytes" in text


def test_config_sets_concurrency_on_account(notebook):
    container = notebook.new_container()
    notebook.shell.run_line_magic("config", "SwiftMagics.concurrency = 3")

    notebook.run(f"ls {container}")

    assert notebook.storage.concurrency == 3


def test_config_rejects_zero_segment_size(notebook):
    with pytest.raises(Exception, match="at least 1 byte"):
        notebook.magics.segment_size = 0


def test_help_lists_every_subcommand(notebook, capsys):
    notebook.run("--help")

    text = capsys.readouterr().out
    for command in COMMANDS:
        assert f"    {command}" in text
    assert "examples:" in text


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_subcommand_help_has_example(notebook, capsys, command):
    result = notebook.run(f"{command} --help")

    text = capsys.readouterr().out
    assert result is None
    assert f"usage: %swift {command}" in text
    assert "--account NAME" in text
    assert EXAMPLES[command].splitlines()[0].split("  ")[0].strip() in text


def test_docstring_shows_every_subcommand(notebook):
    docstring = type(notebook.magics).swift.__doc__

    for command in COMMANDS:
        if command != "put":
            assert f"%swift {command}" in docstring or f"%swift {command} " in docstring
    assert "%%swift put" in docstring


def test_no_subcommand_prints_help(notebook, capsys):
    assert notebook.run("") is None

    assert "usage: %swift" in capsys.readouterr().out


def test_put_cell_accepts_account_first(notebook):
    notebook.cell("--account swift put data/notes-account-first.txt", "hello\n")

    stored = notebook.shell.run_line_magic("swift", "ls data notes-account-first --account swift")

    assert stored["name"].tolist() == ["notes-account-first.txt"]
    assert stored["bytes"].tolist() == [6]
    notebook.shell.run_line_magic("swift", "rm data/notes-account-first.txt --account swift")
