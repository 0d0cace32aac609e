"""Advisory locks: how processes sharing one warehouse take turns.

Every lock webstat takes, and the key two processes meet on:

============================  ===============================================  ============
what                          key                                              held until
============================  ===============================================  ============
migrations of ``raw``         :data:`MIGRATIONS` (``"webs"``)                  transaction
a dbt invocation              :data:`DBT_BUILD` (``"webt"``)                   released
loading one landed file       ``hashtextextended(<file URI>, 0)``              transaction
publishing one report folder  ``hashtextextended('webstat.report:<URI>', 0)``  released
rendering one session         ``hashtextextended(<event_session_id>, 1)``      released
============================  ===============================================  ============

A key is Postgres's own: a number as is, a text hashed by the server with
``hashtextextended(name, seed)``, so every process (whatever its Python) derives
the same key.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import psycopg

MIGRATIONS = 0x77656273
"""``"webs"``: one migration run at a time (two tasks starting at once apply them once)."""

DBT_BUILD = 0x77656274
"""``"webt"``: one dbt invocation at a time per warehouse."""


@contextmanager
def advisory_lock(
    conn: psycopg.Connection, name: str | int, *, seed: int = 0, transaction: bool = False
) -> Iterator[None]:
    """Hold the advisory lock ``name`` on ``conn`` for the ``with`` block (waiting for it).

    ``name`` is a number (the key itself) or a text (the key is
    ``hashtextextended(name, seed)``). A session lock (the default) is released when
    the block ends, or with the connection when that broke; with ``transaction`` the
    lock is ``pg_advisory_xact_lock`` and lasts until the transaction the block runs
    in ends (open one first: ``with conn.transaction(), advisory_lock(...)``).
    """
    from psycopg.pq import TransactionStatus

    kind = "xact_" if transaction else ""
    key, args = (
        ("%s", (name,)) if isinstance(name, int) else ("hashtextextended(%s, %s)", (name, seed))
    )
    if transaction and conn.info.transaction_status == TransactionStatus.IDLE:
        raise RuntimeError(
            "advisory_lock(transaction=True) outside a transaction is held for nothing"
        )
    conn.execute(f"select pg_advisory_{kind}lock({key})", args)
    if transaction:
        yield
        return
    try:
        yield
    finally:
        if not (conn.broken or conn.closed):  # else the server has released it with the session
            conn.execute(f"select pg_advisory_unlock({key})", args)
