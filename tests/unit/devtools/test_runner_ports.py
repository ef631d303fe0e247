"""devtools.runner.processes: the ports the runner hands its children to listen on."""

from __future__ import annotations

import socket
from pathlib import Path

from devtools.runner.processes import LISTEN_PORTS, free_port, free_port_run


def ephemeral_range() -> range:
    low, high = (int(n) for n in Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    return range(low, high + 1)


def test_ports_are_outside_the_range_outgoing_connections_take_theirs_from():
    assert not set(LISTEN_PORTS) & set(ephemeral_range())
    with socket.create_server(("127.0.0.1", 0)) as server, socket.create_connection(server.getsockname()) as client:
        assert client.getsockname()[1] in ephemeral_range()  # where a connection's own port comes from
    assert all(free_port() in LISTEN_PORTS for _ in range(50))


def test_no_port_is_handed_out_twice_and_a_run_keeps_its_neighbours():
    ports = [free_port() for _ in range(200)]
    start = free_port_run(3)
    ports += [free_port() for _ in range(200)]
    assert len(set(ports)) == len(ports)
    assert not {start, start + 1, start + 2} & set(ports)
