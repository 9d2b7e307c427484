"""Test settings: the base settings with fast hashing and a generated secret."""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("JXC_ALLOW_GENERATED_SECRET", "1")
# The test session's own broker folder, never var/celery: tasks a test enqueues without a worker would
# otherwise wait there for the next `./jxc run` worker, which then fails them against deleted tenants.
# Exported so the processes a test starts (workers, servers) share it; removed when the session that made it ends.
if not os.environ.get("CELERY_FILESYSTEM_DIR"):
    os.environ["CELERY_FILESYSTEM_DIR"] = tempfile.mkdtemp(prefix="jxc-test-broker-")
    atexit.register(shutil.rmtree, os.environ["CELERY_FILESYSTEM_DIR"], True)

from core.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The browser tests' server process writes its mail to files there, where the test reads the links.
if os.environ.get("JXC_TEST_MAIL_DIR"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["JXC_TEST_MAIL_DIR"]
USE_HTTPS = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# No spare pool unless a test fills one: every test session would otherwise clone schemas it never uses.
TENANT_SPARE_SCHEMAS = env_int("TENANT_SPARE_SCHEMAS", 0)
# The webhook tests' receivers listen on 127.0.0.1 (a test switches the guard back on to check it).
WEBHOOK_ALLOW_PRIVATE_NETWORKS = env_bool("WEBHOOK_ALLOW_PRIVATE_NETWORKS", True)
# A fake industry module that exercises every plug-in point of the module contract (tests/fake_vertical); the
# core never imports it, it is only installed here.
TENANT_APPS = [*TENANT_APPS, "tests.fake_vertical"]
INSTALLED_APPS = [*INSTALLED_APPS, "tests.fake_vertical"]
# Thousands of requests from one test user within a minute are the suite, not an abuser: the rate-limit
# tests set their own limits.
GRAPHQL_RATE_PER_KEY = os.environ.get("GRAPHQL_RATE_PER_KEY", "100000/second")
GRAPHQL_RATE_PER_TENANT = os.environ.get("GRAPHQL_RATE_PER_TENANT", "100000/second")
LOGIN_FAILURES_PER_ACCOUNT = os.environ.get("LOGIN_FAILURES_PER_ACCOUNT", "1000/15minute")
LOGIN_FAILURES_PER_IP = os.environ.get("LOGIN_FAILURES_PER_IP", "10000/15minute")
