"""A sales-history upload lands in S3 (moto's server) under the tenant's prefix when S3 is the default storage."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from django.core.files.storage import storages
from django.test import override_settings

from core.planning.models import UploadStatus
from core.planning.uploads import upload_demand_history
from tests.ml_pipeline.conftest import make_catalogue, sales_csv, system_actor

BUCKET = "jxc-uploads-test"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def moto_s3(tmp_path_factory) -> Iterator[str]:
    """moto's S3 server on a free local port, with one bucket; yields its endpoint URL."""
    import sys

    port = _free_port()
    binary = shutil.which("moto_server") or str(Path(sys.executable).parent / "moto_server")
    log = (tmp_path_factory.mktemp("moto") / "moto.log").open("wb")
    process = subprocess.Popen([binary, "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("moto_server did not start")
                time.sleep(0.2)
        boto3.client("s3", endpoint_url=endpoint, **CREDENTIALS).create_bucket(Bucket=BUCKET)
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def _s3_storages(endpoint: str) -> dict:
    # override_settings(STORAGES=...) resets django.core.files.storage.storages (its backends and
    # instances) through the setting_changed signal, so `storages["default"]` is rebuilt from these.
    return {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": endpoint,
                "access_key": CREDENTIALS["aws_access_key_id"],
                "secret_key": CREDENTIALS["aws_secret_access_key"],
                "region_name": CREDENTIALS["region_name"],
                "file_overwrite": False,
            },
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def test_an_upload_lands_in_the_bucket_under_the_tenant_prefix(in_alpha, moto_s3):
    # given
    location = make_catalogue(("A-1",))
    data = sales_csv(("A-1",), location, days=3)

    # when
    with override_settings(STORAGES=_s3_storages(moto_s3)):
        assert type(storages["default"]).__name__ == "S3Storage"
        upload = upload_demand_history(data, "sales.csv", system_actor())

    # then
    assert upload.status == UploadStatus.VALIDATED
    assert upload.storage_key.startswith(f"tenants/{in_alpha.schema}/uploads/")
    s3 = boto3.client("s3", endpoint_url=moto_s3, **CREDENTIALS)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    assert keys == [upload.storage_key]
    assert s3.get_object(Bucket=BUCKET, Key=upload.storage_key)["Body"].read() == data
