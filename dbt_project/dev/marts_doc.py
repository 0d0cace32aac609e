"""Write docs/marts.md from the marts' YAML: each mart column's meaning is written once.

The sources are ``models/marts/<mart>.yml`` (grain, description, columns with their
types and meanings) and the docs block ``marts_contract`` in
``models/marts/_marts__docs.md`` (the contract's introduction and its words).
``python dbt_project/dev/marts_doc.py`` rewrites docs/marts.md;
``--check`` exits 1 when it is stale (tests/unit/test_marts_doc.py does the same).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

from webstat.tasks.assets import MARTS

DBT_DIR = Path(__file__).resolve().parents[1]
MARTS_DIR = DBT_DIR / "models" / "marts"
DOC = DBT_DIR.parent / "docs" / "marts.md"

TITLE = "Marts contract (v2): what BI tools and the reports read"
# the order marts.md has always listed them in
ORDER = list(MARTS)
_GRAIN = re.compile(r"^Grain: (?P<grain>[^.]+)\.\s*(?P<rest>.*)$", re.S)


def docs_block(name: str) -> str:
    """The text of ``{% docs name %}`` in the marts folder's .md files."""
    for path in sorted(MARTS_DIR.glob("*.md")):
        match = re.search(
            r"{%\s*docs\s+" + name + r"\s*%}(.*?){%\s*enddocs\s*%}", path.read_text("utf-8"), re.S
        )
        if match:
            return match.group(1).strip("\n")
    raise LookupError(f"no docs block {name} in {MARTS_DIR}")


def marts() -> dict[str, dict]:
    """Every mart's YAML entry, by name (the marts folder holds one YAML per model)."""
    found = {}
    for path in sorted(MARTS_DIR.glob("*.yml")):
        for model in yaml.safe_load(path.read_text("utf-8")).get("models") or []:
            found[model["name"]] = model
    return found


def _paragraph(text: str) -> str:
    return " ".join(text.split())


def render() -> str:
    """docs/marts.md as the YAML says it."""
    models = marts()
    if sorted(models) != sorted(ORDER):
        raise ValueError(f"marts in YAML {sorted(models)} differ from ORDER {sorted(ORDER)}")
    out = [
        "<!-- Generated from dbt_project/models/marts/*.yml and _marts__docs.md by",
        "     dbt_project/dev/marts_doc.py: edit those and run it again. -->",
        f"# {TITLE}",
        "",
        docs_block("marts_contract"),
    ]
    for name in ORDER:
        model = models[name]
        match = _GRAIN.match(_paragraph(model["description"]))
        if not match:
            raise ValueError(f"{name}: the description must start with 'Grain: one row per ….'")
        out += ["", f"## `marts.{name}` — {match.group('grain')}", ""]
        if match.group("rest"):
            out += [match.group("rest"), ""]
        for column in model["columns"]:
            meaning = _paragraph(column["description"])
            out.append(f"* `{column['name']}` ({column['data_type']}) — {meaning}")
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if DOC.read_text("utf-8") != text:
            print(f"{DOC} is stale: run python {Path(__file__).relative_to(DBT_DIR.parent)}")
            return 1
        return 0
    DOC.write_text(text, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
