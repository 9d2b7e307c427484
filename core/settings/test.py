"""Test settings: the base settings with fast hashing and a generated secret."""

import os

os.environ.setdefault("JXC_ALLOW_GENERATED_SECRET", "1")

from core.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
USE_HTTPS = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
