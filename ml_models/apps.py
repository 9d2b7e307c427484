"""The demand-model library as a Django app only for its `train_base_models` command and the migrations that
once held tenant tables (they moved to core.planning); the library itself reads no tenant table."""

from django.apps import AppConfig


class MlModelsConfig(AppConfig):
    default = True
    name = "ml_models"
    label = "ml_models"
    default_auto_field = "django.db.models.BigAutoField"
