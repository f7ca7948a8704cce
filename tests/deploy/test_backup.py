"""deploy/backup.py: a backup restored into a fresh database gives back the same data, RRD files and media."""

import hashlib
import os
import sqlite3
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
import rrdtool
from django.db import connection

from tests.billing.factories import make_invoice

BASE_DIR = Path(__file__).resolve().parents[2]
BACKUP = [sys.executable, str(BASE_DIR / "deploy" / "backup.py")]


def _run(*args, env):
    return subprocess.run([*BACKUP, *args], env=env, capture_output=True, text=True, timeout=300)


def _rrd(path: Path) -> None:
    rrdtool.create(str(path), "--start", "1700000000", "--step", "300", "DS:in:GAUGE:600:0:U", "RRA:AVERAGE:0.5:1:10")
    rrdtool.update(str(path), "1700000300:10", "1700000600:20")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _table_counts(cursor) -> dict[str, int]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    tables = [row[0] for row in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


def _layout(tmp_path: Path) -> dict:
    var = tmp_path / "var"
    (var / "rrd" / "device-1").mkdir(parents=True)
    (var / "media" / "images").mkdir(parents=True)
    _rrd(var / "rrd" / "device-1" / "if-1.rrd")
    (var / "media" / "images" / "logo.png").write_bytes(b"\x89PNG fake image bytes")
    return {"var": var, "rrd": var / "rrd" / "device-1" / "if-1.rrd", "media": var / "media" / "images" / "logo.png"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL path runs when DATABASE_URL is set")
@pytest.mark.django_db(transaction=True)
def test_postgresql_backup_restores_into_a_fresh_database(tmp_path, acme):
    invoice = make_invoice(acme, ("Rack space", "2", "150.00"))
    files = _layout(tmp_path)
    settings = connection.settings_dict
    base = f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
    env = {**os.environ, "DATABASE_URL": f"{base}/{settings['NAME']}", "SERVERSTOCK_VAR_DIR": str(files["var"])}
    env.pop("RRDCACHED_ADDRESS", None)
    env.pop("RRD_DIR", None)

    made = _run("backup", str(tmp_path / "backups"), env=env)
    assert made.returncode == 0, made.stderr
    backup_dir = Path(made.stdout.strip())
    assert (backup_dir / "database.dump").stat().st_size > 0

    with connection.cursor() as cursor:
        before = _table_counts(cursor)
    rrd_before, media_before = _digest(files["rrd"]), _digest(files["media"])
    files["rrd"].unlink()
    files["media"].unlink()

    fresh = f"ss_restore_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{fresh}"')
    try:
        restored = _run("restore", str(backup_dir), env={**env, "DATABASE_URL": f"{base}/{fresh}"})
        assert restored.returncode == 0, restored.stderr
        with psycopg.connect(f"{base}/{fresh}") as other, other.cursor() as cursor:
            assert _table_counts(cursor) == before
            cursor.execute("SELECT number, total FROM billing_invoice WHERE id = %s", [invoice.pk])
            assert cursor.fetchone() == (invoice.number, Decimal("300.00"))
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
    assert _digest(files["rrd"]) == rrd_before
    assert _digest(files["media"]) == media_before
    assert rrdtool.info(str(files["rrd"]))["last_update"] == 1700000600


def test_sqlite_backup_round_trip_and_a_damaged_backup_is_refused(tmp_path):
    files = _layout(tmp_path)
    database = files["var"] / "serverstock.sqlite3"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
        db.executemany("INSERT INTO t (name) VALUES (?)", [("a",), ("b",), ("c",)])
    env = {**os.environ, "SERVERSTOCK_VAR_DIR": str(files["var"])}
    for name in ("DATABASE_URL", "RRDCACHED_ADDRESS", "RRD_DIR"):
        env.pop(name, None)

    made = _run("backup", str(tmp_path / "backups"), env=env)
    assert made.returncode == 0, made.stderr
    backup_dir = Path(made.stdout.strip())

    database.unlink()
    files["rrd"].unlink()
    restored = _run("restore", str(backup_dir), env=env)
    assert restored.returncode == 0, restored.stderr
    assert "1 RRD files" in restored.stdout
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT name FROM t ORDER BY id").fetchall() == [("a",), ("b",), ("c",)]
    assert files["rrd"].exists()

    (backup_dir / "rrd.tar.gz").write_bytes(b"damaged")
    refused = _run("restore", str(backup_dir), env=env)
    assert refused.returncode == 1
    assert "damaged" in refused.stderr and "nothing was restored" in refused.stderr
