"""`manage.py train_base_models`: train the per-vertical base demand models (`public.<module>.demand`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Train, evaluate, register and (if better) promote the base demand model of each vertical."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--module", action="append", dest="modules", help="A vertical (repeatable); default: all.")
        parser.add_argument("--n-series", type=int, default=200)
        parser.add_argument("--days", type=int, default=730)
        parser.add_argument("--epochs", type=int, default=15)
        parser.add_argument("--samples-per-epoch", type=int, default=20_000)
        parser.add_argument("--tracking-uri", default=None, help="Default: settings.MLFLOW_TRACKING_URI.")
        parser.add_argument("--artifact-root", default=None, help="Default: settings.MLFLOW_ARTIFACT_ROOT.")

    def handle(self, *args: Any, **options: Any) -> None:
        # torch is imported here, not at module load: `manage.py help` stays fast.
        from ml_models.base_models import MODULES, train_base_models
        from ml_models.training import TrainConfig

        modules = options["modules"] or list(MODULES)
        results = train_base_models(
            modules,
            tracking_uri=options["tracking_uri"],
            artifact_root=options["artifact_root"],
            n_series=options["n_series"],
            days=options["days"],
            train_config=TrainConfig(max_epochs=options["epochs"], samples_per_epoch=options["samples_per_epoch"]),
        )
        for result in results.values():
            wape = result.report.methods["model"]["wape"]
            best = result.report.best_baseline
            self.stdout.write(
                f"{result.name} v{result.logged.version}: WAPE {wape:.4f} "
                f"(best baseline {best} {result.report.methods[best]['wape']:.4f}); {result.decision.reason}"
            )
