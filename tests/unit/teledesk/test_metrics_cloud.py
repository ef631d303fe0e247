"""teledesk.metrics.cloud without a network: which channel and credentials the client gets, and
series that do not fit their metric."""

from __future__ import annotations

from typing import Any

import google.auth
import grpc
import pytest
from google.auth.credentials import AnonymousCredentials

from teledesk.metrics import catalog
from teledesk.metrics.cloud import CloudMonitoringExporter, metric_service_client, time_series
from teledesk.metrics.series import Distribution, Series


def test_an_endpoint_gives_a_plain_grpc_channel_and_no_credentials_lookup(monkeypatch):
    def no_credentials_lookup(*_: Any, **__: Any) -> Any:
        raise AssertionError("looked up Application Default Credentials")

    def no_tls(*_: Any, **__: Any) -> Any:
        raise AssertionError("opened a TLS channel")

    opened: list[str] = []
    insecure_channel = grpc.insecure_channel

    def plain(target: str, *args: Any, **kwargs: Any) -> grpc.Channel:
        opened.append(target)
        return insecure_channel(target, *args, **kwargs)

    monkeypatch.setattr(google.auth, "default", no_credentials_lookup)
    monkeypatch.setattr(grpc, "secure_channel", no_tls)
    monkeypatch.setattr(grpc, "insecure_channel", plain)

    exporter = CloudMonitoringExporter("teledesk-test", endpoint="127.0.0.1:9")
    exporter.close()

    assert opened == ["127.0.0.1:9"]


def test_without_an_endpoint_the_client_is_googles_with_the_default_credentials(monkeypatch):
    lookups: list[object] = []

    def default_credentials(*_: Any, **__: Any) -> tuple[AnonymousCredentials, str]:
        lookups.append(object())
        return AnonymousCredentials(), "teledesk-test"

    monkeypatch.setattr(google.auth, "default", default_credentials)

    client = metric_service_client()
    client.transport.close()

    assert len(lookups) == 1
    assert client.api_endpoint == "monitoring.googleapis.com"


@pytest.mark.parametrize("series", [
    Series(catalog.FIRST_RESPONSE_TIME, {}, 3),
    Series(catalog.MESSAGES, {"type": "CLIENT", "direction": "in"}, Distribution(1, 1.0, 1.0, (0, 1))),
], ids=["a count for a distribution", "a distribution for a count"])
def test_a_value_of_the_wrong_kind_is_a_type_error(series):
    with pytest.raises(TypeError):
        time_series(series, "teledesk-test", 0.0, 60.0)
