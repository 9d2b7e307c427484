"""`./jxc run` starts Celery beat: the command it runs really starts a beat on the app's schedule."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from tests.processes import stop

REPO = Path(settings.BASE_DIR)


def beat_command(var_dir: Path) -> list[str]:
    """The beat line of `cmd_run` in the jxc script, with its variables filled in."""
    script = (REPO / "jxc").read_text()
    run = script[script.index("cmd_run() {") : script.index("stop_children() {")]
    line = next(line.strip() for line in run.splitlines() if re.search(r"celery\"? -A core beat", line))
    line = line.split(">", 1)[0].replace('"$VENV/bin/celery"', str(Path(sys.executable).parent / "celery"))
    return shlex.split(line.replace("$VAR", str(var_dir)))


def test_jxc_run_starts_a_beat_that_runs_the_periodic_jobs(tmp_path: Path, django_db_setup: None) -> None:
    # given the command ./jxc run uses
    command = beat_command(tmp_path)
    assert command[-2:] == ["--schedule", str(tmp_path / "celerybeat-schedule")]
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "core.settings.test",
        "DATABASE_URL": f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_BROKER_URL": "filesystem://",
        "CELERY_FILESYSTEM_DIR": str(tmp_path / "broker"),
    }
    log_path = tmp_path / "beat.log"

    # when it runs
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while "beat: Starting..." not in log_path.read_text(errors="replace"):
            assert process.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.3)
    finally:
        stop(process, timeout=20)

    # then the beat started on the app's schedule and kept its state under var/
    assert list(tmp_path.glob("celerybeat-schedule*")), "the beat writes its schedule state under var/"
    from core.celery import app

    assert app.conf.beat_schedule, "the app has periodic jobs for the beat to send"
