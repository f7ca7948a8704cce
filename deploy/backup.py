#!/usr/bin/env python3
"""Back up and restore ServerStock's data: the database, the RRD files and the public media.

    deploy/backup.py backup DEST_DIR      writes DEST_DIR/serverstock-<UTC time>/ and prints its path
    deploy/backup.py restore BACKUP_DIR   restores into DATABASE_URL (an empty database), RRD_DIR and media/

Reads the same environment as the product (DATABASE_URL, RRD_DIR, RRDCACHED_ADDRESS, SERVERSTOCK_VAR_DIR); needs
no Django, so it runs from cron or a timer on the database host. PostgreSQL is dumped with ``pg_dump
--format=custom`` (restored with ``pg_restore``); SQLite with its online backup API. rrdcached is told to write
what it holds first (FLUSHALL), so the RRD copy is complete up to the backup. ``manifest.json`` lists every file
with its SHA-256; ``restore`` checks them before it changes anything.

The field-encryption keys are not in the backup: keep FIELD_ENCRYPTION_KEYS (or var/field_encryption_key) apart,
since the backup's secrets are useless without them and dangerous with them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tarfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

BASE_DIR = Path(__file__).resolve().parents[1]


class BackupError(Exception):
    pass


def _var_dir() -> Path:
    return Path(os.environ.get("SERVERSTOCK_VAR_DIR") or BASE_DIR / "var")


def _database_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{_var_dir() / 'serverstock.sqlite3'}"


def _rrd_dir() -> Path:
    return Path(os.environ.get("RRD_DIR") or _var_dir() / "rrd")


def _media_dir() -> Path:
    return _var_dir() / "media"


def _sqlite_path(url: str) -> Path:
    """``sqlite:////abs/file`` (as the settings write it) or ``sqlite:///relative/file``."""
    return Path(unquote(url.removeprefix("sqlite:///")))


def _is_sqlite(url: str) -> bool:
    return url.startswith("sqlite:")


def rrdcached_flush_all(address: str, timeout: float = 30.0) -> None:
    """Ask rrdcached to write every pending update (``FLUSHALL``) and wait for its answer."""
    if not address:
        return
    if address.startswith("unix:"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        target: object = address.removeprefix("unix:")
    else:
        host, _, port = address.removeprefix("tcp:").rpartition(":")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        target = (host or "127.0.0.1", int(port or 42217))
    sock.settimeout(timeout)
    with sock:
        sock.connect(target)
        sock.sendall(b"FLUSHALL\n")
        answer = sock.recv(4096).decode(errors="replace")
    if answer.startswith("-"):
        raise BackupError(f"rrdcached refused FLUSHALL: {answer.strip()}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _tar(source: Path, target: Path) -> int:
    count = 0
    with tarfile.open(target, "w:gz") as archive:
        if source.is_dir():
            for path in sorted(source.rglob("*")):
                if path.is_file() and not path.name.startswith(".journal"):
                    archive.add(path, arcname=str(path.relative_to(source)))
                    count += 1
    return count


def backup(dest: Path) -> Path:
    url = _database_url()
    out = dest / f"serverstock-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
    out.mkdir(parents=True, exist_ok=False)
    started = time.monotonic()
    rrdcached_flush_all(os.environ.get("RRDCACHED_ADDRESS", ""))
    if _is_sqlite(url):
        database_file = out / "database.sqlite3"
        source = sqlite3.connect(_sqlite_path(url))
        target = sqlite3.connect(database_file)
        with target:
            source.backup(target)
        source.close()
        target.close()
    else:
        database_file = out / "database.dump"
        subprocess.run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--dbname={url}",
                f"--file={database_file}",
            ],
            check=True,
        )
    rrd_files = _tar(_rrd_dir(), out / "rrd.tar.gz")
    media_files = _tar(_media_dir(), out / "media.tar.gz")
    manifest = {
        "created_at": datetime.now(UTC).isoformat(),
        "database": "sqlite" if _is_sqlite(url) else "postgresql",
        "rrd_files": rrd_files,
        "media_files": media_files,
        "seconds": round(time.monotonic() - started, 2),
        "files": {path.name: _sha256(path) for path in sorted(out.iterdir())},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return out


def _verify(source: Path) -> dict:
    manifest_path = source / "manifest.json"
    if not manifest_path.is_file():
        raise BackupError(f"{source} has no manifest.json: not a ServerStock backup.")
    manifest = json.loads(manifest_path.read_text())
    for name, digest in manifest["files"].items():
        path = source / name
        if not path.is_file() or _sha256(path) != digest:
            raise BackupError(f"{path} is missing or damaged (checksum differs); nothing was restored.")
    return manifest


def _untar(archive: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(target, filter="data")


def restore(source: Path) -> dict:
    manifest = _verify(source)
    url = _database_url()
    if manifest["database"] == "sqlite":
        if not _is_sqlite(url):
            raise BackupError("This backup is of a SQLite database; DATABASE_URL names PostgreSQL.")
        shutil.copyfile(source / "database.sqlite3", _sqlite_path(url))
    else:
        if _is_sqlite(url):
            raise BackupError(
                "This backup is of a PostgreSQL database; set DATABASE_URL to the database to restore into."
            )
        subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={url}",
                str(source / "database.dump"),
            ],
            check=True,
        )
    _untar(source / "rrd.tar.gz", _rrd_dir())
    _untar(source / "media.tar.gz", _media_dir())
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("backup").add_argument("dest", type=Path)
    sub.add_parser("restore").add_argument("source", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "backup":
            print(backup(args.dest))
        else:
            manifest = restore(args.source)
            print(
                f"Restored {manifest['database']} database, {manifest['rrd_files']} RRD files, "
                f"{manifest['media_files']} media files from {args.source}."
            )
    except (BackupError, subprocess.CalledProcessError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
