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


def _listening_addresses(port: int) -> set[str]:
    """Local addresses of the sockets listening on `port`, read from the kernel's table (Linux)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.rpartition(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A = LISTEN
                found.add(address)
    return found


def test_localstripe_listens_on_loopback_only(stripe_mode):
    # given
    port = int(stripe_mode.base_url.rsplit(":", 1)[1])

    # then: the only listening socket is bound to 127.0.0.1 (little-endian hex in the kernel's table)
    assert _listening_addresses(port) == {"0100007F"}
    # and, where the machine has another interface, a connection through it is refused
    address = _outward_address()
    if address and not address.startswith("127."):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as client, pytest.raises(OSError):
            client.settimeout(2)
            client.connect((address, port))
