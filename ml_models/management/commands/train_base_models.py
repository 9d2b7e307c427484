"""`manage.py train_base_models`: train the per-vertical base demand models (`public.<module>.demand`).

`--missing-only` trains only the verticals whose base model has no champion yet, under a lock so two starts of
`./jxc run` never train the same models at once: the embedded default runs it in the background on every start,
and the first start gets its champions within minutes while later starts do nothing.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


@contextmanager
def exclusive(path: Path) -> Iterator[bool]:
    """Hold an exclusive lock on `path` if no other process does; yields whether it was taken."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Command(BaseCommand):
    help = "Train, evaluate, register and (if better) promote the base demand model of each vertical."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--module", action="append", dest="modules", help="A vertical (repeatable); default: all.")
        parser.add_argument(
            "--missing-only",
            action="store_true",
            help="Skip verticals whose base model already has a champion; exit at once if another run holds the lock.",
        )
        parser.add_argument("--n-series", type=int, default=200, help="Synthetic series beside the real ones.")
        parser.add_argument("--days", type=int, default=730)
        # Training options default to base_models.FULL_TRAINING (read in handle: it imports torch).
        parser.add_argument("--epochs", type=int, default=None)
        parser.add_argument("--samples-per-epoch", type=int, default=None)
        parser.add_argument("--patience", type=int, default=None)
        parser.add_argument("--final-epochs", type=int, default=None)
        parser.add_argument("--tracking-uri", default=None, help="Default: settings.MLFLOW_TRACKING_URI.")
        parser.add_argument("--artifact-root", default=None, help="Default: settings.MLFLOW_ARTIFACT_ROOT.")

    def handle(self, *args: Any, **options: Any) -> None:
        # torch is imported here, not at module load: `manage.py help` stays fast.
        from ml_models.base_models import demand_modules

        known = demand_modules()
        modules = options["modules"] or list(known)
        unknown = sorted(set(modules) - set(known))
        if unknown:
            raise CommandError(f"unknown module(s): {', '.join(unknown)}; known: {', '.join(known)}")
        if not options["missing_only"]:
            self._train(modules, options)
            return
        with exclusive(Path(settings.VAR_DIR) / "train_base_models.lock") as mine:
            if not mine:
                self.stdout.write("another train_base_models --missing-only run is in progress; nothing to do")
                return
            self._train_missing(modules, options)

    def _train_missing(self, modules: list[str], options: dict[str, Any]) -> None:
        from ml_models.base_models import modules_without_champion

        missing = modules_without_champion(modules, options["tracking_uri"])
        for module in sorted(set(modules) - set(missing), key=modules.index):
            self.stdout.write(f"public.{module}.demand has a champion; skipped")
        self._train(missing, options)

    def _train(self, modules: list[str], options: dict[str, Any]) -> None:
        from dataclasses import replace

        from ml_models.base_models import FULL_TRAINING, train_base_model

        given = {
            "max_epochs": options["epochs"],
            "samples_per_epoch": options["samples_per_epoch"],
            "patience": options["patience"],
            "final_epochs": options["final_epochs"],
        }
        train_config = replace(FULL_TRAINING, **{k: v for k, v in given.items() if v is not None})
        # One vertical at a time, each reported when done: a background run's log shows progress.
        for module in modules:
            result = train_base_model(
                module,
                tracking_uri=options["tracking_uri"],
                artifact_root=options["artifact_root"],
                n_series=options["n_series"],
                days=options["days"],
                train_config=train_config,
            )
            wape = result.report.methods["model"]["wape"]
            best = result.report.best_baseline
            self.stdout.write(
                f"{result.name} v{result.logged.version}: WAPE {wape:.4f} "
                f"(best baseline {best} {result.report.methods[best]['wape']:.4f}); {result.decision.reason}"
            )
