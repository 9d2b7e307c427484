from django.apps import AppConfig


class MlModelsConfig(AppConfig):
    name = "ml_models"
    label = "ml_models"
    default_auto_field = "django.db.models.BigAutoField"
