"""teledesk.metrics.exporters: DESK_METRICS picks the exporter."""

from __future__ import annotations

import pytest

from teledesk.metrics.exporters import LocalExporter, exporter_for
from teledesk.settings import Settings


def test_local_is_the_default_and_writes_nothing_further():
    exporter = exporter_for(Settings())
    assert isinstance(exporter, LocalExporter)
    assert exporter.export([], 0.0, 1.0) is None


def test_an_unknown_value_is_refused_by_name():
    with pytest.raises(ValueError, match=r"'prometheus'.*'local' or 'cloud'"):
        exporter_for(Settings(desk_metrics="prometheus"))


@pytest.mark.parametrize(("settings", "named"), [
    (Settings(desk_metrics="cloud", desk_metrics_flush_s=2), r"DESK_METRICS_FLUSH_S is 2.*5 or more"),
    (Settings(desk_metrics_flush_s=0), r"DESK_METRICS_FLUSH_S is 0"),
    (Settings(desk_metrics_settle_s=-1), r"DESK_METRICS_SETTLE_S is -1"),
])
def test_a_flush_interval_that_cannot_work_is_refused_by_name(settings: Settings, named: str):
    with pytest.raises(ValueError, match=named):
        exporter_for(settings)


def test_local_takes_a_short_flush_interval():
    assert isinstance(exporter_for(Settings(desk_metrics_flush_s=1)), LocalExporter)


def test_cloud_writes_to_the_monitoring_endpoint_it_is_given():
    from teledesk.metrics.cloud import CloudMonitoringExporter

    exporter = exporter_for(Settings(desk_metrics="cloud", project_id="p", desk_monitoring_endpoint="127.0.0.1:1"))
    assert isinstance(exporter, CloudMonitoringExporter)
    assert exporter._project == "projects/p"
