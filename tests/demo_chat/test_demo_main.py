"""``python -m demo_chat`` at its edges: a history file it cannot open and its kept secret."""

from __future__ import annotations

from pathlib import Path

import pytest

import demo_chat.__main__
from demo_chat.__main__ import join_secret, main, needs_api_key, parse_args


@pytest.fixture(autouse=True)
def _no_logging_setup(monkeypatch: pytest.MonkeyPatch) -> None:
    """main() must fail before it configures logging; if it did not, its handler would
    write to this test's captured stderr after it closed."""
    monkeypatch.setattr(demo_chat.__main__, "configure_logging", _must_not_be_called)


def _must_not_be_called(*args: object, **kwargs: object) -> None:
    raise AssertionError("main() configured logging before checking its arguments")


def test_a_history_db_in_a_missing_directory_is_one_line_naming_the_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no" / "such" / "chat.sqlite3"
    assert main(["--history-db", str(missing), "--data-dir", str(tmp_path)]) == 2
    printed = capsys.readouterr().err
    assert printed.count("\n") == 1 and printed.startswith(f"--history-db {missing}: ")
    assert "Traceback" not in printed


def test_the_secret_is_kept_in_the_data_dir_unless_the_environment_sets_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ACTORVIEW_SECRET", raising=False)
    first = join_secret(tmp_path)
    assert first is not None and first == join_secret(tmp_path)
    assert (tmp_path / "secret").stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv("ACTORVIEW_SECRET", "e" * 40)
    assert join_secret(tmp_path) is None, "the Application reads ACTORVIEW_SECRET itself"


def test_a_data_dir_that_cannot_be_made_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ACTORVIEW_SECRET", raising=False)
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert main(["--data-dir", str(blocker / "sub")]) == 2
    assert capsys.readouterr().err.startswith(f"--data-dir {blocker / 'sub'}: ")


@pytest.mark.parametrize(
    ("flag", "value", "says"),
    [
        ("--openai-timeout", "0", "expected seconds above 0, such as 30, not '0'"),
        ("--openai-timeout", "soon", "expected seconds above 0, such as 30, not 'soon'"),
        ("--context-chars", "-1", "expected a whole number of at least 0, such as 24000"),
        ("--openai-base-url", "127.0.0.1:11434/v1", "expected the API's http:// or https://"),
    ],
)
def test_a_bad_openai_option_is_refused_naming_the_flag_and_the_fix(
    flag: str, value: str, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--llm", "openai", flag, value])
    assert exited.value.code == 2
    printed = capsys.readouterr().err
    assert f"argument {flag}: {says}" in printed


def test_the_openai_options_default_to_a_budget_and_a_minute() -> None:
    args = parse_args(["--llm", "openai"])
    assert (args.context_chars, args.openai_timeout, args.system) == (24_000, 60.0, "")


def test_only_openais_own_api_needs_a_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert needs_api_key("https://api.openai.com/v1", {})
    assert not needs_api_key("https://api.openai.com/v1", {"OPENAI_API_KEY": "sk-x"})
    assert not needs_api_key("http://127.0.0.1:11434/v1", {})  # Ollama, llama.cpp, ...
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert main(["--llm", "openai"]) == 2
    said = capsys.readouterr().err
    assert "needs the API key in OPENAI_API_KEY" in said and "--openai-base-url" in said
