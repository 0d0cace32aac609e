"""README.md's command section documents every command, each of its options and each
value of a choice, so the two cannot drift apart."""

from __future__ import annotations

import re

import click

from webstat.airflow_env import REPO_ROOT
from webstat.cli import cli

HEADING = "## The `webstat` command"


def _section() -> str:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert HEADING in text
    section = text.split(HEADING, 1)[1]
    return section.split("\n## ", 1)[0]


def _usage_lines(section: str, name: str) -> str:
    """The lines of the section's code block that start ``webstat <name>``."""
    block = section.split("```", 2)[1]
    lines = [line for line in block.splitlines() if line.split()[:2] == ["webstat", name]]
    return "\n".join(lines)


def test_every_command_and_option_is_in_the_readme():
    section = _section()
    for name, command in cli.commands.items():
        usage = _usage_lines(section, name)
        assert usage, f"webstat {name} is not in README.md's command section"
        for param in command.params:
            if isinstance(param, click.Option):
                assert any(opt in usage for opt in param.opts), (name, param.opts)
            if isinstance(param.type, click.Choice):
                for choice in param.type.choices:
                    assert str(choice) in usage, (name, choice)
    for param in cli.params:  # the group's own: --verbose, --version (and --help)
        for opt in getattr(param, "opts", []):
            assert re.search(rf"(?<![\w-]){opt}(?![\w-])", section), opt
