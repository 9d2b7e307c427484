"""Cold start of `./jxc run` in a fresh clone: seconds until the demo tenant's login page answers 200.

Cases, measured in one run on the embedded PostgreSQL (no DATABASE_URL: the fresh-machine path):
  fresh_clone    new clone, new .venv installed from local wheels only, new database, migrations, demo tenant
  second_start   the same clone started again (installed, database up)
  after_pg_stop  the same clone after `./jxc stop` (as after a reboot: PostgreSQL starts again)
Baseline: one bare Django start-up (`manage.py check`) in the installed clone, the floor of any start.

    .venv/bin/python tests/bench/bench_cold_start.py [--worktree]

--worktree copies the working tree's uncommitted files over the clone (a plain clone holds HEAD only).
Writes tests/bench/results/cold_start.json. Never a pass/fail test: the machine's load moves the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "tests" / "bench" / "results" / "cold_start.json"
WHEELHOUSE = REPO / "var" / "bench-wheelhouse"
START_TIMEOUT_S = 1500
# Variables of the calling shell that would steer the clone away from its own defaults.
STRIP_ENV = ("DATABASE_URL", "JXC_VAR_DIR", "PORT", "DEBUG", "SECRET_KEY", "PUBLIC_PORT_SUFFIX", "VIRTUAL_ENV", "JXC_RELOAD")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clone_env(port: int) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in STRIP_ENV}
    # pip takes every package from the wheelhouse (and torch's CPU wheel from the machine's own folder).
    env["PIP_NO_INDEX"] = "1"
    env["PIP_FIND_LINKS"] = " ".join(filter(None, [str(WHEELHOUSE), os.environ.get("PIP_FIND_LINKS", "")]))
    # Drop any activated venv from PATH so the clone builds its own from the system Python 3.11.
    venv_bin = str(REPO / ".venv" / "bin")
    env["PATH"] = os.pathsep.join(part for part in env.get("PATH", "").split(os.pathsep) if part != venv_bin)
    env["PORT"] = str(port)
    return env


def make_clone(target: Path, worktree: bool) -> str:
    subprocess.run(["git", "clone", "-q", str(REPO), str(target)], check=True)
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], check=True, capture_output=True, text=True)
    if worktree:
        changed = subprocess.run(
            ["git", "-C", str(REPO), "ls-files", "-z", "--modified", "--others", "--exclude-standard"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split("\0")
        for name in filter(None, changed):
            source = REPO / name
            if source.is_file():
                (target / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target / name)
    return head.stdout.strip()


def login_answers(port: int) -> bool:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/login/", headers={"Host": f"demo.localhost:{port}"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def timed_start(clone: Path, port: int, log: Path) -> tuple[float, subprocess.Popen[bytes]]:
    """Start `./jxc run` and return (seconds until /login/ answers 200, the running process)."""
    with log.open("ab") as out:
        started = time.perf_counter()
        process = subprocess.Popen(
            ["./jxc", "run"],
            cwd=clone,
            env=clone_env(port),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stop() reaches the worker and the server
        )
    while time.perf_counter() - started < START_TIMEOUT_S:
        if login_answers(port):
            return time.perf_counter() - started, process
        if process.poll() is not None:
            raise RuntimeError(f"./jxc run exited with {process.returncode}; see {log}")
        time.sleep(0.2)
    stop(process)
    raise RuntimeError(f"/login/ did not answer within {START_TIMEOUT_S} s; see {log}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """What Ctrl-C does: the whole group gets the signal, jxc's trap stops the Celery worker."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


def stop_embedded_postgresql(clone: Path) -> None:
    python = clone / ".venv" / "bin" / "python"
    if python.exists():
        subprocess.run([str(python), "core/embedded.py", "stop", "--pgdata", "var/pg"], cwd=clone, check=False)


def fill_wheelhouse(clone: Path) -> float:
    """Download every wheel the clone asks for into WHEELHOUSE (kept between runs, so paid once).

    pip's own HTTP cache stays empty on this machine (the registry's answers are not cacheable), so
    "installed from cache" is made explicit: the fresh clone installs with PIP_NO_INDEX from this folder.
    """
    started = time.perf_counter()
    WHEELHOUSE.mkdir(parents=True, exist_ok=True)
    requirements = ["-r", "requirements-dev.txt", "-c", "constraints.txt", "--find-links", str(WHEELHOUSE)]
    # `pip wheel`, not `pip download`: sdists become wheels here, so the no-index install builds nothing.
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "-w", str(WHEELHOUSE), *requirements], cwd=clone, check=True)
    return time.perf_counter() - started


def django_startup(clone: Path, port: int) -> float:
    env = clone_env(port)
    env["DEBUG"] = "1"
    env["DATABASE_URL"] = subprocess.run(
        [str(clone / ".venv/bin/python"), "core/embedded.py", "start", "--pgdata", "var/pg", "--database", "jxc"],
        cwd=clone,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    started = time.perf_counter()
    subprocess.run([str(clone / ".venv/bin/python"), "manage.py", "check"], cwd=clone, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def machine() -> dict[str, object]:
    return {
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "load_average_at_start": os.getloadavg(),
    }


def write_results(info: dict[str, object], commit: str, worktree: bool, figures: dict[str, float]) -> None:
    result = {
        "benchmark": "cold_start",
        "what": "wall seconds from `./jxc run` to HTTP 200 on the demo tenant's /login/, embedded PostgreSQL",
        "machine": info,
        "commit": commit,
        "worktree_overlay": worktree,
        "figures": {key: round(value, 2) for key, value in figures.items()},
        "baseline": "baseline_django_startup_s: one bare Django start-up (manage.py check) in the installed clone",
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {RESULTS}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worktree", action="store_true", help="overlay the working tree's uncommitted files")
    args = parser.parse_args()

    info = machine()
    workdir = Path(tempfile.mkdtemp(prefix="jxc-cold-start-"))
    clone = workdir / "jxc"
    log = workdir / "jxc-run.log"
    port = free_port()
    figures: dict[str, float] = {}
    try:
        commit = make_clone(clone, args.worktree)
        figures["wheelhouse_fill_s"] = fill_wheelhouse(clone)

        for case in ("fresh_clone", "second_start", "after_pg_stop"):
            if case == "after_pg_stop":
                stop_embedded_postgresql(clone)
            seconds, process = timed_start(clone, port, log)
            stop(process)
            figures[f"{case}_s"] = seconds
            print(f"{case:>14}: {seconds:7.1f} s until http://demo.localhost:{port}/login/ answered 200")

        figures["baseline_django_startup_s"] = django_startup(clone, port)
        print(f"{'baseline':>14}: {figures['baseline_django_startup_s']:7.1f} s for one `manage.py check`")
        info["load_average_at_end"] = os.getloadavg()
        write_results(info, commit, args.worktree, figures)
    finally:
        stop_embedded_postgresql(clone)
        if log.exists():  # kept for a failed run's post-mortem; var/ is not committed
            (REPO / "var").mkdir(exist_ok=True)
            shutil.copy(log, REPO / "var" / "bench_cold_start.log")
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
