"""advisory_lock: the statements it sends, so every lock keeps the key (and the kind)
that other processes wait on."""

from __future__ import annotations

import pytest
from psycopg.pq import TransactionStatus

from webstat.warehouse.locks import DBT_BUILD, MIGRATIONS, advisory_lock


class _Info:
    def __init__(self, status: TransactionStatus) -> None:
        self.transaction_status = status


class _Conn:
    """Records what is executed; ``broken`` can be flipped inside the block."""

    def __init__(self, status: TransactionStatus = TransactionStatus.IDLE) -> None:
        self.sent: list[tuple[str, tuple]] = []
        self.info = _Info(status)
        self.broken = False
        self.closed = False

    def execute(self, sql: str, args: tuple) -> None:
        self.sent.append((sql, args))


def test_the_keys_are_those_other_processes_wait_on():
    assert (MIGRATIONS, DBT_BUILD) == (0x77656273, 0x77656274)


def test_a_session_lock_on_a_number_is_released_after_the_block():
    conn = _Conn()
    with advisory_lock(conn, DBT_BUILD):
        assert conn.sent == [("select pg_advisory_lock(%s)", (DBT_BUILD,))]
    assert conn.sent[1] == ("select pg_advisory_unlock(%s)", (DBT_BUILD,))


def test_a_text_is_hashed_by_the_server_with_its_seed_and_released_on_an_error():
    conn = _Conn()
    with pytest.raises(ValueError), advisory_lock(conn, "session-1", seed=1):
        raise ValueError
    assert conn.sent == [
        ("select pg_advisory_lock(hashtextextended(%s, %s))", ("session-1", 1)),
        ("select pg_advisory_unlock(hashtextextended(%s, %s))", ("session-1", 1)),
    ]


def test_a_broken_connection_is_not_asked_to_unlock():
    conn = _Conn()
    with advisory_lock(conn, "x"):
        conn.broken = True
    assert len(conn.sent) == 1


def test_a_transaction_lock_is_never_unlocked_by_hand_and_needs_a_transaction():
    conn = _Conn(TransactionStatus.INTRANS)
    with advisory_lock(conn, "file://a.ndjson", transaction=True):
        pass
    assert conn.sent == [
        ("select pg_advisory_xact_lock(hashtextextended(%s, %s))", ("file://a.ndjson", 0))
    ]
    with pytest.raises(RuntimeError, match="outside a transaction"):
        with advisory_lock(_Conn(TransactionStatus.IDLE), MIGRATIONS, transaction=True):
            pass
