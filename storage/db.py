"""The async engine, the session factory and bringing the schema up to date."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import event, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)
from sqlmodel import Session as SyncSession
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import direct, sqlite_driver
from storage.clock import Clock, monotonic, stamp, system
from storage.session import Session

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SLOW_LOCK = 0.5  # seconds: a longer wait for SQLite's write lock is logged, with its holder


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine.sync_engine, "do_connect", _one_hop_cursors)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # A worker's webhook requests (up to TELEGRAM_MAX_CONNECTIONS at once) each store their
    # update while its senders hold a lock and a transaction each: room for both, so the
    # stores do not starve the handlers (bench/flow.py showed 10 s tails with 5 + 10).
    kwargs = {"pool_size": 20, "max_overflow": 20} | kwargs
    return create_async_engine(url, pool_pre_ping=True, **kwargs)


_SQLITE_AWAY = ("locked", "busy", "unable to open", "disk i/o")


def unreachable(error: BaseException) -> bool:
    """The database could not be reached or answered too late (restarting, a broken
    connection, SQLite busy past its timeout), as opposed to a query it refused: the same
    work can succeed when tried again."""
    if isinstance(error, OperationalError) and isinstance(error.orig, sqlite3.Error):
        # SQLite reports a missing table or a syntax error as "operational" too: not a fault
        # that trying again would cure.
        return any(sign in str(error.orig).lower() for sign in _SQLITE_AWAY)
    if isinstance(error, OperationalError | InterfaceError | OSError | TimeoutError):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def _one_hop_cursors(_dialect: Any, _record: Any, _args: Any, params: dict[str, Any]) -> None:
    # aiosqlite connections whose statements each cost one hand-off to its thread, not four.
    params["async_creator_fn"] = sqlite_driver.connect


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the console read while the bot writes; foreign keys are off by default in SQLite.
    # NORMAL: in WAL mode a commit survives the process being killed (what the tests check);
    # only a power cut may lose the last ones. FULL's fsync per commit cost a third of the
    # flow's throughput (bench/flow.py).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


async def insert_new(session: AsyncSession, table: Any, **values: Any) -> bool:
    """INSERT … ON CONFLICT DO NOTHING: True only for the caller whose row went in, which is
    how claims (an update, a slot, an outbox key) are made once across processes."""
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    table = getattr(table, "__table__", table)
    bound = direct.insert_all(session, table, values)
    if bound is not None:
        # Every column given (an update's claim): no default to compute, so the statement
        # runs straight on SQLite's connection (storage/direct.py), without the session's
        # cost of executing it (3% of a member's update in instructions, bench/core_cpu.py).
        counts = await direct.run(session, [bound])
        if counts is not None:
            return counts[0] == 1
    result = await session.exec(_insert_ignoring(dialect, table), params=values)
    return bool(getattr(result, "rowcount", 0) == 1)


@cache
def _insert_ignoring(dialect: str, table: Any) -> Any:
    """Built once per table: the values come as parameters. Building the statement and its
    cache key at each call, on the ORM's path, cost a third of each claim (bench/core_cpu.py);
    on the table the statement is the same SQL, with the same column defaults."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return insert(getattr(table, "__table__", table)).on_conflict_do_nothing()


class _Writer:
    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.holder = ""


# One per SQLite engine of this process (SQLite serves one process): coordination of the
# process's own writers, like the core's per-member locks, never state.
_WRITERS: weakref.WeakKeyDictionary[Any, _Writer] = weakref.WeakKeyDictionary()


@asynccontextmanager
async def writing(sessions: async_sessionmaker[AsyncSession], holder: str) -> AsyncIterator[None]:
    """Around a write transaction. SQLite has one writer at a time and makes the others poll
    and sleep in its busy handler, which is unfair: a member's update could lose the lock to
    newer ones for seconds. Here the process's writers queue in arrival order (an asyncio
    lock is FIFO) and each transaction starts only when the lock is free; a wait longer than
    ``SLOW_LOCK`` is logged naming the holder it found. PostgreSQL locks rows: nothing to do."""
    engine = sessions.kw.get("bind")
    if engine is None or engine.dialect.name != "sqlite":
        yield
        return
    writer = _WRITERS.setdefault(engine.sync_engine, _Writer())
    held_by, start = writer.holder, monotonic()
    async with writer.lock:
        waited = monotonic() - start
        if waited > SLOW_LOCK:
            log.warning("%s waited %.2fs for the write lock, held by %s when it asked",
                        holder, waited, held_by or "?")  # fmt: skip
        writer.holder = holder
        try:
            yield
        finally:
            writer.holder = ""


OUTBOX_DUE = "outbox_due"  # in a session's info: this transaction made an outbox row due
OUTBOX_BELL = "outbox_bell"  # in the sessions' info: what wakes this process's outbox workers


def _ring(session: SyncSession) -> None:
    """A committed transaction that made an outbox row due wakes the outbox workers."""
    if session.info.pop(OUTBOX_DUE, False):
        bell = session.info.get(OUTBOX_BELL)
        if bell is not None:
            bell()


def _forget(session: SyncSession, _: object = None) -> None:
    session.info.pop(OUTBOX_DUE, None)  # rolled back: nothing became due


def make_sessions(engine: AsyncEngine, clock: Clock = system) -> async_sessionmaker[AsyncSession]:
    """Sessions that carry ``clock``: storage functions read the time from it
    (``storage.clock.now(session)``) and new rows are stamped by it."""
    if not event.contains(SyncSession, "before_flush", stamp):
        event.listen(SyncSession, "before_flush", stamp)
    if not event.contains(SyncSession, "after_commit", _ring):
        event.listen(SyncSession, "after_commit", _ring)
        event.listen(SyncSession, "after_soft_rollback", _forget)
    return async_sessionmaker(engine, class_=Session, expire_on_commit=False, info={"clock": clock})


def alembic_config(url: str | None = None, location: Path = MIGRATIONS) -> Config:
    config = Config()
    config.set_main_option("script_location", str(location))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def migrate(
    engine: AsyncEngine, revision: str = "head", *, location: Path = MIGRATIONS
) -> None:
    """Upgrade the schema on the engine's own connection (no second event loop), every
    pending revision in one transaction: on PostgreSQL a failing one leaves the database as
    it was (DDL is transactional there; on SQLite ``bot.backup.migrating`` restores a copy)."""

    def upgrade(connection: Connection) -> None:
        config = alembic_config(location=location)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        _check_keys(connection)

    async with _migrating(engine) as connection:
        if engine.dialect.name == "postgresql":
            # Workers starting together: one migrates, the others wait and find it done.
            await connection.execute(text("SELECT pg_advisory_xact_lock(7000)"))
        await connection.run_sync(upgrade)


async def downgrade(engine: AsyncEngine, revision: str, *, location: Path = MIGRATIONS) -> None:
    def down(connection: Connection) -> None:
        config = alembic_config(location=location)
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
        _check_keys(connection)

    async with _migrating(engine) as connection:
        await connection.run_sync(down)


@asynccontextmanager
async def _migrating(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection in a transaction. SQLite alters a table by copying it and dropping the
    old one (Alembic's batch mode): with foreign keys on, dropping ``submission`` while media
    rows point at it fails, so a database holding any item could not be upgraded. They are
    off while migrating (the pragma is ignored inside a transaction: set around it) and every
    key is checked before the transaction ends (``_check_keys``)."""
    sqlite = engine.dialect.name == "sqlite"
    async with engine.connect() as connection:
        if sqlite:
            await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            await connection.commit()
        try:
            async with connection.begin():
                yield connection
        finally:
            if sqlite:
                await connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                await connection.commit()


def _check_keys(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
        if broken:
            raise IntegrityError("PRAGMA foreign_key_check", None, ValueError(broken[:5]))


async def revision_of(engine: AsyncEngine) -> str | None:
    """The schema's current revision (None: an empty database)."""

    def current(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as connection:
        return await connection.run_sync(current)
