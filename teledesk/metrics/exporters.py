"""The exporter `DESK_METRICS` chooses, made once per process by the metrics step."""

from __future__ import annotations

from collections.abc import Sequence

from teledesk.metrics.series import Exporter, Series
from teledesk.settings import Settings

LOCAL = "local"
CLOUD = "cloud"
CLOUD_MIN_FLUSH_S = 5  # Cloud Monitoring takes one point a series each 5 s at most (docs/metrics.md)


class LocalExporter:
    """`local`: the relay reads the ledger itself (teledesk.metrics.stats), so a flush writes nothing further."""

    def export(self, series: Sequence[Series], start_time: float, end_time: float) -> None:
        return None


def check_settings(settings: Settings) -> None:
    """A ValueError naming the setting when DESK_METRICS or DESK_METRICS_FLUSH_S cannot work: the
    metrics step checks at start, so a mistake stops it there rather than dead-letter every event."""
    if settings.desk_metrics not in (LOCAL, CLOUD):
        raise ValueError(f"DESK_METRICS is {settings.desk_metrics!r}: it takes {LOCAL!r} or {CLOUD!r}")
    if settings.desk_metrics_flush_s < 1:
        raise ValueError(f"DESK_METRICS_FLUSH_S is {settings.desk_metrics_flush_s}: it takes whole seconds, 1 or more")
    if settings.desk_metrics_settle_s < 0:
        raise ValueError(f"DESK_METRICS_SETTLE_S is {settings.desk_metrics_settle_s}: it takes whole seconds, "
                         "0 or more")
    if settings.desk_metrics == CLOUD and settings.desk_metrics_flush_s < CLOUD_MIN_FLUSH_S:
        raise ValueError(f"DESK_METRICS_FLUSH_S is {settings.desk_metrics_flush_s}: Cloud Monitoring takes one point "
                         f"a series each {CLOUD_MIN_FLUSH_S} s at most, so DESK_METRICS=cloud needs "
                         f"{CLOUD_MIN_FLUSH_S} or more")


def exporter_for(settings: Settings) -> Exporter:
    check_settings(settings)
    if settings.desk_metrics == LOCAL:
        return LocalExporter()
    if settings.desk_metrics == CLOUD:
        from teledesk.metrics.cloud import CloudMonitoringExporter  # gRPC and the monitoring client: cloud only

        return CloudMonitoringExporter(settings.project_id, settings.desk_monitoring_endpoint)
    raise ValueError(f"DESK_METRICS is {settings.desk_metrics!r}: it takes {LOCAL!r} or {CLOUD!r}")
