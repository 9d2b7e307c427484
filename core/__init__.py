"""JXC Cloud: the Django project package and the shared 进销存 core."""

from core.celery import app as celery_app

__all__ = ["celery_app"]
