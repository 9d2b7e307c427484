"""Real processes for the fault-injection tests: Celery workers to kill, a Redis and a PostgreSQL of our own.

Nothing here touches the shared services other sessions use (Redis on 6379, PostgreSQL on 5432 as a server):
each test starts its own on a free port and stops it. Every wait is for readiness, with a generous bound.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from tests.processes import stop


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition: Callable[[], Any], timeout: float, what: str, interval: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    pytest.fail(f"{what}: not within {timeout} s")


def database_url_of_tests() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgresql://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill_9(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            stop(self.process, timeout=20)


def start_worker(base: Path, name: str, **env: str) -> Worker:
    """`celery -A core worker --pool=solo` on the test database; the caller's broker and MLflow settings in env."""
    log_path = base / f"{name}.log"
    full_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "core.settings.test",
        "DATABASE_URL": database_url_of_tests(),
        "JXC_VAR_DIR": str(settings.VAR_DIR),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "TENANT_SPARE_SCHEMAS": "0",
        "SENTRY_DSN": "",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        **env,
    }
    command = [str(Path(sys.executable).parent / "celery"), "-A", "core", "worker", "--pool=solo", "-l", "info"]
    command += ["--without-heartbeat", "--without-gossip", "--without-mingle", "-n", f"{name}-{os.getpid()}@%h"]
    with log_path.open("ab") as log:
        process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    worker = Worker(process, log_path)
    try:
        wait_until(lambda: " ready." in worker.log() or process.poll() is not None, 120, f"worker {name} start")
    except BaseException:
        worker.stop()
        raise
    if process.poll() is not None:
        pytest.fail(f"worker {name} exited:\n{worker.log()[-3000:]}")
    return worker


@dataclass
class RedisServer:
    process: subprocess.Popen[bytes]
    port: int

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_timeout=1).ping())
        except redis.RedisError:
            return False


def start_redis(base: Path, port: int | None = None) -> RedisServer:
    """A private redis-server on a free port (never the shared one on 6379), no persistence."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed (./jxc test installs it)")
    port = port or free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(base)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = RedisServer(process, port)
    wait_until(server.ping, 30, "redis-server start")
    return server


# --- a PostgreSQL of our own (pgserver), to crash and restart ------------------------------------------

EMBEDDED = Path(settings.BASE_DIR) / "core" / "embedded.py"
PG_BIN = Path(__import__("pgserver").__file__).parent / "pginstall" / "bin"


def start_embedded(pgdata: Path, database: str) -> str:
    """Start (or find running) a pgserver under `pgdata`; its DATABASE_URL (a Unix socket in the folder)."""
    done = subprocess.run(
        [sys.executable, str(EMBEDDED), "start", "--pgdata", str(pgdata), "--database", database],
        check=True,
        capture_output=True,
        text=True,
        timeout=180,
    )
    return done.stdout.strip().splitlines()[-1]


def crash_embedded(pgdata: Path) -> None:
    """Stop the server the way a crash does: `pg_ctl stop -m immediate` (no checkpoint; recovery on start)."""
    from pgserver import _commands

    user = "pgserver" if os.geteuid() == 0 else None
    _commands.pg_ctl(["-w", "-m", "immediate", "stop"], pgdata=pgdata.resolve(), user=user, timeout=60)


def stop_embedded(pgdata: Path) -> None:
    subprocess.run([sys.executable, str(EMBEDDED), "stop", "--pgdata", str(pgdata)], check=False, timeout=120)


def copy_database(source_url: str, target_url: str, schemas: list[str], dump_path: Path) -> str:
    """pg_dump the given schemas of `source_url` as SQL and load them into `target_url` (pgserver's own tools).

    Column options the source server adds and a stock PostgreSQL does not know (`SET (pg_attver=…)` on
    the shared test server) are dropped from the script. Returns psql's messages for the caller's report.
    """
    command = [str(PG_BIN / "pg_dump"), "--no-owner", "--no-privileges", "-f", str(dump_path), "-d", source_url]
    for schema in schemas:
        command += ["--schema", schema]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    script = dump_path.with_suffix(".sql")
    with dump_path.open(errors="replace") as source, script.open("w") as target:
        for line in source:
            if "SET (pg_attver=" not in line and line.strip() != "CREATE SCHEMA public;":
                target.write(line)
    loaded = subprocess.run(
        [str(PG_BIN / "psql"), "-q", "-X", "-d", target_url, "-f", str(script)],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return loaded.stderr
