"""The embedded PostgreSQL (pgserver) behind `./jxc run` when no DATABASE_URL is given.

Run as a script, not imported through the `core` package: `core/__init__.py` loads the Celery app and
Django settings, which need a database URL, and that is what this file produces.

    python core/embedded.py start --pgdata var/pg --database jxc   # prints the DATABASE_URL
    python core/embedded.py stop --pgdata var/pg
    python core/embedded.py ensure-database postgresql://postgres@127.0.0.1:5432/jxc_test_main

The server outlives this process (cleanup_mode=None), so the next start finds it running and takes
well under a second. As root, pgserver runs PostgreSQL as a system user `pgserver` (PostgreSQL refuses
to run as root) and listens on a Unix socket inside the data folder only, never on a TCP port.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import warnings
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

POSTGRES_USER = "postgres"


def database_url(socket_dir: Path, database: str) -> str:
    """A URL that dj-database-url, psycopg and psql all read: the socket folder as a percent-encoded host."""
    return f"postgresql://{POSTGRES_USER}@{quote(str(socket_dir), safe='')}/{database}"


def start(pgdata: Path, database: str) -> str:
    """Start (or find running) the embedded server, create `database` on it, return its URL."""
    import pgserver

    pgdata = pgdata.resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode=None)
    socket_dir = server.get_postmaster_info().socket_dir
    if socket_dir is None:
        raise RuntimeError(f"embedded PostgreSQL in {pgdata} reports no socket folder")
    url = database_url(socket_dir, database)
    ensure_database(url)
    return url


def stop(pgdata: Path) -> bool:
    """Stop the embedded server if it runs; True when it was running."""
    from pgserver import _commands
    from pgserver.utils import PostmasterInfo

    pgdata = pgdata.resolve()
    info = PostmasterInfo.read_from_pgdata(pgdata) if pgdata.exists() else None
    if info is None or not info.is_running():
        return False
    # The server runs as the pgserver user when we are root; pg_ctl must run as the same user.
    user = "pgserver" if os.geteuid() == 0 else None
    _commands.pg_ctl(  # type: ignore[attr-defined]  # pgserver generates its command wrappers at import
        ["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user, timeout=60
    )
    return True


def ensure_database(url: str) -> None:
    """CREATE DATABASE for the URL's database unless it exists (connects to the server's `postgres` db)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name:
        raise ValueError(f"no database name in {url!r}")
    try:
        # A database that answers needs nothing, even where the `postgres` database is off limits.
        psycopg.connect(url, connect_timeout=10).close()
        return
    except psycopg.OperationalError:
        pass
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True, connect_timeout=10) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    start_cmd = commands.add_parser("start", help="start the embedded server and print its DATABASE_URL")
    start_cmd.add_argument("--pgdata", type=Path, default=Path("var/pg"))
    start_cmd.add_argument("--database", default="jxc")
    stop_cmd = commands.add_parser("stop", help="stop the embedded server")
    stop_cmd.add_argument("--pgdata", type=Path, default=Path("var/pg"))
    ensure_cmd = commands.add_parser("ensure-database", help="create the URL's database if missing")
    ensure_cmd.add_argument("url")
    args = parser.parse_args(argv)

    # Run as a script, this folder heads sys.path, and core/celery.py would shadow the real celery.
    here = str(Path(__file__).resolve().parent)
    sys.path[:] = [entry for entry in sys.path if str(Path(entry or ".").resolve()) != here]
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    # platformdirs warns that XDG_RUNTIME_DIR is unset on servers; pgserver only keeps a lock file there.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
    if args.command == "start":
        print(start(args.pgdata, args.database))
    elif args.command == "stop":
        print("stopped" if stop(args.pgdata) else "not running", file=sys.stderr)
    else:
        ensure_database(args.url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
