"""The exporter `DESK_METRICS` chooses, made once per process by the metrics step."""

from __future__ import annotations

from collections.abc import Sequence

from teledesk.metrics.series import Exporter, Series
from teledesk.settings import Settings

LOCAL = "local"
CLOUD = "cloud"


class LocalExporter:
    """`local`: the relay reads the ledger itself (teledesk.metrics.stats), so a flush writes nothing further."""

    def export(self, series: Sequence[Series], start_time: float, end_time: float) -> None:
        return None


def exporter_for(settings: Settings) -> Exporter:
    if settings.desk_metrics == LOCAL:
        return LocalExporter()
    if settings.desk_metrics == CLOUD:
        from teledesk.metrics.cloud import CloudMonitoringExporter  # gRPC and the monitoring client: cloud only

        return CloudMonitoringExporter(settings.project_id, settings.desk_monitoring_endpoint)
    raise ValueError(f"DESK_METRICS is {settings.desk_metrics!r}: it takes {LOCAL!r} or {CLOUD!r}")
