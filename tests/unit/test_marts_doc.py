"""docs/marts.md is generated from the marts' YAML, so a mart column's meaning is written once."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "dbt_project" / "dev" / "marts_doc.py"


def _generator():
    spec = importlib.util.spec_from_file_location("marts_doc", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_docs_marts_md_is_what_the_yaml_says():
    gen = _generator()
    assert (ROOT / "docs" / "marts.md").read_text("utf-8") == gen.render(), (
        "docs/marts.md is stale: run python dbt_project/dev/marts_doc.py"
    )


def test_every_yaml_column_is_in_its_section_and_nothing_else():
    gen = _generator()
    text = (ROOT / "docs" / "marts.md").read_text("utf-8")
    for name, model in gen.marts().items():
        section = text.split(f"## `marts.{name}`", 1)[1].split("\n## ", 1)[0]
        listed = re.findall(r"^\* `([a-z_]+)` \(", section, re.M)
        assert listed == [c["name"] for c in model["columns"]], name


def test_the_participants_section_lists_the_two_derived_columns():
    section = (
        (ROOT / "docs" / "marts.md")
        .read_text("utf-8")
        .split("## `marts.fct_participants` — one row per (event session, participant)", 1)[1]
    )
    assert "* `full_name` (text) — The name to show: first_name and last_name" in section
    assert (
        "* `visitor_type` (text) — For attending participants (connections_count > 0): 'guest'"
        in section
    )
