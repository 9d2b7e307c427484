"""The harness's localstripe listens on loopback only and keeps its state under the test's temp dir."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest


def _outward_address() -> str:
    # connect() on a UDP socket sends nothing; it only picks the interface a packet would leave by.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
        except OSError:
            return ""
        return probe.getsockname()[0]


def test_state_is_kept_under_the_tests_temp_dir(stripe_mode):
    assert (stripe_mode.log_path.parent / "localstripe.pickle").stat().st_size > 0
    assert not Path("/tmp/localstripe.pickle").exists()


def test_localstripe_is_not_reachable_from_other_interfaces(stripe_mode):
    address = _outward_address()
    if not address or address.startswith("127."):
        pytest.skip("this machine has no non-loopback IPv4 address to try")
    port = int(stripe_mode.base_url.rsplit(":", 1)[1])
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as client, pytest.raises(OSError):
        client.settimeout(2)
        client.connect((address, port))
