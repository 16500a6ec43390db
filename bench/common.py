"""What the database benchmarks share: the bench database, table sizes and the command line."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import psycopg2

TICK = os.sysconf("SC_CLK_TCK")
ADMIN_URL = os.environ.get("HOUSING_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


def database(name: str, fresh: bool) -> tuple[str, bool]:
    """The URL of bench database ``name`` (dropped first when ``fresh``) and whether it is new."""
    conn = psycopg2.connect(ADMIN_URL)
    conn.autocommit = True
    with conn.cursor() as cur:
        if fresh:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        new = cur.fetchone() is None
        if new:
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    return f"{ADMIN_URL.rsplit('/', 1)[0]}/{name}", new


def drop(name: str) -> None:
    """Drop bench database ``name`` if it exists (its connections closed)."""
    conn = psycopg2.connect(ADMIN_URL)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


def sizes(url: str, tables: tuple[str, ...], queries: dict[str, str] | None = None) -> dict:
    """Row counts of ``tables`` and the result of each named counting query."""
    conn = psycopg2.connect(url)
    with conn.cursor() as cur:
        out = {}
        for table in tables:
            cur.execute(f"SELECT count(*) FROM {table}")
            out[table] = cur.fetchone()[0]
        for label, sql in (queries or {}).items():
            cur.execute(sql)
            out[label] = cur.fetchone()[0]
    conn.close()
    return out


def arguments(description: str | None, repeat: int, argv: list[str] | None = None) -> argparse.Namespace:
    """``--cases``, ``--repeat``, ``--fresh`` and ``--json`` of a database benchmark."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=repeat)
    parser.add_argument("--fresh", action="store_true", help="drop and seed the database again")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    return parser.parse_args(argv)


def cpu_ms(pid: int, skip: frozenset[str] = frozenset()) -> float:
    """User + system CPU of a process and of its live child processes so far (0 if it is gone),
    except the children in ``skip`` (process ids)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        if stat.parent.name in skip:
            continue
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):  # the process, or its child
            total += (int(fields[11]) + int(fields[12])) * 1000 / TICK
    return total


def pg_backends(session) -> list[int]:
    """The process ids of the PostgreSQL backends connected to ``session``'s database."""
    from sqlalchemy import text

    return list(session.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")))
