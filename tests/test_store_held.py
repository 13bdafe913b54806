"""`Database.holding`: a run's batches are committed on one connection, checked out once, instead of
one from the pool per transaction; the connection goes back to the pool afterwards, and one the
server dropped meanwhile is replaced (the write is run again), as the pool's check did before."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import sqlalchemy as sa

from govcore.store.db import open_database


def _driver(conn: sa.Connection) -> Any:
    return conn.connection.driver_connection


def test_writes_inside_share_one_connection_and_give_it_back(db_url: str) -> None:
    db = open_database(db_url)
    try:
        db.write(lambda conn: conn.exec_driver_sql("CREATE TABLE held_t (n integer)"))
        used: list[int] = []

        def put(conn: sa.Connection) -> None:
            used.append(id(_driver(conn)))
            conn.exec_driver_sql(f"INSERT INTO held_t VALUES ({len(used)})")

        with db.holding():
            for _ in range(4):
                db.write(put)
            with db.holding():  # nested: the same connection
                db.write(put)
            inside = db.engine.pool.checkedout()  # type: ignore[attr-defined]
        assert len(set(used)) == 1 and inside == 1
        assert db.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
        assert db.read(lambda conn: conn.exec_driver_sql("SELECT count(*) FROM held_t").scalar()) == 5
    finally:
        db.close()


def test_a_failed_write_inside_is_rolled_back_and_the_next_one_goes_on(db_url: str) -> None:
    db = open_database(db_url)
    try:
        db.write(lambda conn: conn.exec_driver_sql("CREATE TABLE held_f (n integer PRIMARY KEY)"))

        def bad(conn: sa.Connection) -> None:
            conn.exec_driver_sql("INSERT INTO held_f VALUES (1)")
            raise ValueError("the work failed")

        with db.holding():
            with pytest.raises(ValueError):
                db.write(bad)
            db.write(lambda conn: conn.exec_driver_sql("INSERT INTO held_f VALUES (2)"))
        rows = db.read(lambda conn: [r[0] for r in conn.exec_driver_sql("SELECT n FROM held_f")])
        assert rows == [2]
    finally:
        db.close()


@pytest.mark.postgres
def test_a_held_connection_the_server_dropped_is_replaced(pg_url: str) -> None:
    db = open_database(pg_url)
    try:
        db.write(lambda conn: conn.exec_driver_sql("CREATE TABLE held_d (n integer)"))
        pids: list[int] = []

        def put(conn: sa.Connection) -> None:
            pids.append(int(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()))
            conn.exec_driver_sql("INSERT INTO held_d VALUES (1)")

        with db.holding():
            db.write(put)
            other = open_database(pg_url)
            try:  # as a server restart or an administrator would
                assert other.write(lambda conn: conn.exec_driver_sql(
                    f"SELECT pg_terminate_backend({pids[0]})").scalar()) is True
            finally:
                other.close()
            db.write(put)
        assert pids[1] != pids[0]  # a new connection took over
        assert db.read(lambda conn: conn.exec_driver_sql("SELECT count(*) FROM held_d").scalar()) == 2
    finally:
        db.close()


def test_threads_holding_at_once_each_have_their_own_connection(db_url: str) -> None:
    """The server's threads advance runs of one database at once: one thread's held connection
    must never carry another thread's transaction."""
    db = open_database(db_url)
    try:
        db.write(lambda conn: conn.exec_driver_sql("CREATE TABLE held_th (t integer, n integer)"))
        both = threading.Barrier(2, timeout=30)
        used: dict[int, set[int]] = {0: set(), 1: set()}
        errors: list[BaseException] = []

        def run(t: int) -> None:
            try:
                with db.holding():
                    both.wait()  # both threads hold a connection now
                    for n in range(5):
                        def put(conn: sa.Connection, n: int = n) -> None:
                            used[t].add(id(_driver(conn)))
                            conn.exec_driver_sql(f"INSERT INTO held_th VALUES ({t}, {n})")
                        db.write(put)
                    both.wait()
            except BaseException as err:  # reported by the main thread
                errors.append(err)

        threads = [threading.Thread(target=run, args=(t,)) for t in (0, 1)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(60)
        assert errors == []
        assert len(used[0]) == len(used[1]) == 1 and used[0] != used[1]
        assert db.read(lambda conn: conn.exec_driver_sql("SELECT count(*) FROM held_th").scalar()) == 10
    finally:
        db.close()
