"""Run sqlfluff's dbt templater against a throw-away embedded warehouse.

The dbt templater compiles every model, and ``is_incremental()`` asks the warehouse
whether a relation exists: it needs a connection. ``make lint`` runs this with
``lint dbt_project``; ``python tools/sqlfluff_dbt.py fix dbt_project/models/...``
fixes what can be fixed. The warehouse lives in ``.webstat-lint/`` (git-ignored) and
is left running for the next call (``webstat warehouse stop`` with
``WEBSTAT_HOME=.webstat-lint`` stops it).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    from webstat.warehouse import dbt_env, embedded

    url = embedded.start(ROOT / ".webstat-lint" / "pgdata")
    env = {**os.environ, **dbt_env(url), "DO_NOT_TRACK": "1"}
    sqlfluff = Path(sys.executable).with_name("sqlfluff")
    return subprocess.call([str(sqlfluff), *argv], cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["lint", "dbt_project"]))
