"""docs/cli.md names every command and, in its section, every option of that command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main

from modelyard.cli.main import app

REFERENCE = Path(__file__).parents[2] / "docs" / "cli.md"


def _commands(command, path: tuple[str, ...] = ("modelyard",)):
    subcommands = getattr(command, "commands", None)
    if subcommands is None:
        yield " ".join(path), command
        return
    for name, sub in subcommands.items():
        yield from _commands(sub, (*path, name))


COMMANDS = dict(_commands(typer.main.get_command(app)))


def _section(text: str, name: str) -> str:
    match = re.search(rf"^### `{re.escape(name)}`\n(.*?)(?=^#{{2,3}} |\Z)", text, re.M | re.S)
    assert match, f"docs/cli.md has no section '### `{name}`'"
    return match.group(1)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_and_option_is_in_the_reference(name: str) -> None:
    section = _section(REFERENCE.read_text(encoding="utf-8"), name)

    flags = [opt for param in COMMANDS[name].params for opt in getattr(param, "opts", [])]
    missing = [flag for flag in flags if flag.startswith("--") and flag not in section]
    assert not missing, f"{name}: docs/cli.md does not mention {missing}"
