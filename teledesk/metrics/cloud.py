"""The `cloud` exporter: a flush's series written to Cloud Monitoring with google-cloud-monitoring.

The service's rules it follows, with their sources, are in docs/metrics.md, "Cloud Monitoring": every
metric's descriptor exists before its first point, at most 200 series a request, one point a
series, CUMULATIVE points over a fixed start, GAUGE points at their end time only.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence
from datetime import UTC, datetime

import grpc  # type: ignore[import-untyped]
from google.api import (  # type: ignore[import-untyped]
    distribution_pb2,
    label_pb2,
    metric_pb2,
    monitored_resource_pb2,
)
from google.api_core import exceptions, retry
from google.cloud import monitoring_v3
from google.cloud.monitoring_v3.services.metric_service.transports import MetricServiceGrpcTransport

from teledesk.metrics.catalog import METRICS, PREFIX, Kind, Metric
from teledesk.metrics.series import Distribution, Series

MAX_SERIES_PER_REQUEST = 200
# The desk's series are desk-wide totals, written by whichever instance holds the flush lease:
# a per-instance resource would make each instance a series of its own holding the same total.
RESOURCE_TYPE = "global"

# Creating a descriptor that exists updates it, so a retry after a lost answer does no harm.
DESCRIPTOR_RETRY = retry.Retry(
    predicate=retry.if_exception_type(
        exceptions.ServiceUnavailable, exceptions.DeadlineExceeded, exceptions.InternalServerError),
    initial=0.5, maximum=5.0, timeout=30.0)
# UNAVAILABLE only, and briefly: a write the service did take would be refused the second time as
# a point no newer than its series' last, and the next flush rewrites every total anyway.
WRITE_RETRY = retry.Retry(
    predicate=retry.if_exception_type(exceptions.ServiceUnavailable), initial=0.5, maximum=4.0, timeout=15.0)


class ExportFailed(RuntimeError):
    """Some of a flush's series did not reach Cloud Monitoring.

    `requests_failed` of the flush's requests failed; the series of the other requests were
    written, and so may some of a failed request's (the service writes the valid series of a
    request it refuses). The error of each failed request is in `errors`, the first also as
    `__cause__`.
    """

    def __init__(self, message: str, errors: Sequence[Exception]) -> None:
        super().__init__(message)
        self.errors = list(errors)

    @property
    def requests_failed(self) -> int:
        return len(self.errors)


def metric_descriptor(metric: Metric) -> metric_pb2.MetricDescriptor:
    """The descriptor Cloud Monitoring keeps for `metric`: the catalog's kind, value type, unit,
    description and labels (all strings)."""
    return metric_pb2.MetricDescriptor(
        type=metric.type,
        metric_kind=metric_pb2.MetricDescriptor.MetricKind.Value(metric.kind),
        value_type=metric_pb2.MetricDescriptor.ValueType.Value(metric.value_type),
        unit=metric.unit,
        description=metric.description,
        display_name=metric.display_name,
        labels=[label_pb2.LabelDescriptor(key=key, value_type=label_pb2.LabelDescriptor.STRING, description=meaning)
                for key, meaning in metric.labels.items()],
    )


def _same_descriptor(kept: metric_pb2.MetricDescriptor, wanted: metric_pb2.MetricDescriptor) -> bool:
    """Whether the descriptor the service keeps already says what the catalog says (the service
    adds fields of its own, such as the name)."""
    fields = ("type", "metric_kind", "value_type", "unit", "description", "display_name")
    return all(getattr(kept, f) == getattr(wanted, f) for f in fields) and _labels(kept) == _labels(wanted)


def _labels(descriptor: metric_pb2.MetricDescriptor) -> dict[str, tuple[int, str]]:
    return {label.key: (label.value_type, label.description) for label in descriptor.labels}


def _timestamp(epoch_s: float) -> datetime:
    return datetime.fromtimestamp(epoch_s, tz=UTC)


def _typed_value(series: Series) -> monitoring_v3.TypedValue:
    value, buckets = series.value, series.metric.buckets
    if isinstance(value, Distribution):
        if buckets is None:
            raise TypeError(f"{series.metric.name} has no buckets: it takes no distribution")
        return monitoring_v3.TypedValue(distribution_value=distribution_pb2.Distribution(
            count=value.count,
            mean=value.mean,
            sum_of_squared_deviation=value.sum_of_squared_deviation,
            bucket_options=distribution_pb2.Distribution.BucketOptions(
                exponential_buckets=distribution_pb2.Distribution.BucketOptions.Exponential(
                    num_finite_buckets=buckets.count, growth_factor=buckets.growth, scale=buckets.scale)),
            bucket_counts=list(value.bucket_counts),
        ))
    if buckets is not None:
        raise TypeError(f"{series.metric.name} is a distribution, not {value!r}")
    return monitoring_v3.TypedValue(int64_value=value)


def time_series(series: Series, project_id: str, start_time: float, end_time: float) -> monitoring_v3.TimeSeries:
    """One series as CreateTimeSeries takes it: its one point, over [start_time, end_time] when
    CUMULATIVE, at end_time when a GAUGE."""
    metric = series.metric
    interval = monitoring_v3.TimeInterval(end_time=_timestamp(end_time))
    if metric.kind is Kind.CUMULATIVE:
        interval.start_time = _timestamp(start_time)
    return monitoring_v3.TimeSeries(
        metric=metric_pb2.Metric(type=metric.type, labels=dict(series.labels)),
        resource=monitored_resource_pb2.MonitoredResource(type=RESOURCE_TYPE, labels={"project_id": project_id}),
        metric_kind=metric_pb2.MetricDescriptor.MetricKind.Value(metric.kind),
        value_type=metric_pb2.MetricDescriptor.ValueType.Value(metric.value_type),
        points=[monitoring_v3.Point(interval=interval, value=_typed_value(series))],
    )


def metric_service_client(endpoint: str = "") -> monitoring_v3.MetricServiceClient:
    """Google's MetricService with the default credentials or, given `endpoint` (host:port), a
    MetricService there over plain gRPC: no TLS, no credentials looked up."""
    if not endpoint:
        return monitoring_v3.MetricServiceClient()
    transport = MetricServiceGrpcTransport(channel=grpc.insecure_channel(endpoint))
    return monitoring_v3.MetricServiceClient(transport=transport)


class CloudMonitoringExporter:
    """Writes series to Cloud Monitoring as `custom.googleapis.com/teledesk/…` metrics of the
    `global` resource. Make one per process: it holds the gRPC client, and it sees to the metric
    descriptors once, before its first write."""

    def __init__(self, project_id: str, endpoint: str = "") -> None:
        self._project_id = project_id
        self._project = f"projects/{project_id}"
        self._client = metric_service_client(endpoint)
        self._descriptors_lock = threading.Lock()
        self._descriptors_ready = False

    def export(self, series: Sequence[Series], start_time: float, end_time: float) -> None:
        """Write each series' value: a CUMULATIVE one over [start_time, end_time], a GAUGE one at
        end_time (epoch seconds), in requests of at most MAX_SERIES_PER_REQUEST series.

        Raises ExportFailed when the descriptors could not be made (then nothing was written) or
        when some requests failed (every request was tried). The caller logs it and waits for
        its next flush: do not write again at once. A CUMULATIVE point holds the total since
        start_time, so the next flush's point carries what a lost one had, and a point sooner
        than the service's sampling period (5 s) after the last one of its series is refused.
        """
        self._ensure_descriptors()
        batches = [series[first:first + MAX_SERIES_PER_REQUEST]
                   for first in range(0, len(series), MAX_SERIES_PER_REQUEST)]
        errors: list[Exception] = []
        failed_series = 0
        for batch in batches:
            try:
                self._client.create_time_series(
                    name=self._project,
                    time_series=[time_series(s, self._project_id, start_time, end_time) for s in batch],
                    retry=WRITE_RETRY)
            except exceptions.GoogleAPICallError as error:
                errors.append(error)
                failed_series += len(batch)
        if errors:
            raise ExportFailed(
                f"{len(errors)} of {len(batches)} CreateTimeSeries requests failed "
                f"({failed_series} of {len(series)} series): {errors[0]}", errors) from errors[0]

    def _ensure_descriptors(self) -> None:
        """Create the descriptors the project lacks, or that differ from the catalog, once per
        exporter. If that fails, the next export tries again."""
        with self._descriptors_lock:
            if self._descriptors_ready:
                return
            try:
                kept = {d.type: d for d in self._client.list_metric_descriptors(
                    request={"name": self._project, "filter": f'metric.type = starts_with("{PREFIX}")'},
                    retry=DESCRIPTOR_RETRY)}
                for metric in METRICS:
                    wanted = metric_descriptor(metric)
                    if metric.type in kept and _same_descriptor(kept[metric.type], wanted):
                        continue
                    with contextlib.suppress(exceptions.AlreadyExists):
                        self._client.create_metric_descriptor(
                            name=self._project, metric_descriptor=wanted, retry=DESCRIPTOR_RETRY)
            except exceptions.GoogleAPICallError as error:
                raise ExportFailed(f"metric descriptors not made, nothing written: {error}", [error]) from error
            self._descriptors_ready = True

    def close(self) -> None:
        """Close the gRPC channel."""
        self._client.transport.close()  # type: ignore[no-untyped-call]
