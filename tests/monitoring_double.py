"""A real gRPC MetricService for the tests, since Cloud Monitoring has no emulator.

It serves `google.monitoring.v3.MetricService` on a free 127.0.0.1 port (CreateMetricDescriptor,
GetMetricDescriptor, ListMetricDescriptors, CreateTimeSeries) with google.cloud.monitoring_v3's own
request and response types, records every call with the time it came in, and refuses what the
service refuses (docs/metrics.md, "Cloud Monitoring"): more than 200 series in a request, a series with
other than one point, a point sooner than the sampling period after its series' last one or no
newer than it, labels its descriptor lacks, a kind or value type unlike its descriptor's, a
CUMULATIVE interval that is empty or whose start moved back into its series' past, a GAUGE
interval with a start of its own, a DELTA custom metric, a distribution whose buckets do not add
up. Like the service, it writes the valid series of a request it refuses.

One rule is stricter than the service's: a series of a metric with no descriptor is refused, where
the service would make a descriptor up from it, so that a test sees an exporter that forgot its
descriptors.
"""

from __future__ import annotations

import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent import futures
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.api import distribution_pb2, metric_pb2
from google.cloud import monitoring_v3
from google.protobuf import empty_pb2

SERVICE = "google.monitoring.v3.MetricService"
MAX_SERIES_PER_REQUEST = 200
SAMPLING_PERIOD_S = 5.0  # "one point each 5 seconds" per series
MAX_LABELS = 30
MAX_LABEL_KEY_LENGTH = 100
MAX_BUCKETS = 200
CUSTOM_PREFIX = "custom.googleapis.com/"
# The monitored resources for custom metrics the double knows (the service takes more), with their labels.
RESOURCE_LABELS = {
    "global": {"project_id"},
    "generic_task": {"project_id", "location", "namespace", "job", "task_id"},
    "generic_node": {"project_id", "location", "namespace", "node_id"},
}
STARTS_WITH_FILTER = re.compile(r'^metric\.type\s*=\s*starts_with\("([^"]*)"\)$')

MetricDescriptor = metric_pb2.MetricDescriptor


class Refused(Exception):
    """A call the service answers with an error status."""

    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Call:
    """A call as it came in, and the error it was answered with (None: it succeeded)."""

    method: str
    request: Any  # the method's google.cloud.monitoring_v3 request
    received_at: float
    error: str | None


@dataclass(frozen=True)
class SeriesKey:
    """What makes a time series one: its metric and resource, each with its labels."""

    metric_type: str
    metric_labels: tuple[tuple[str, str], ...]
    resource_type: str
    resource_labels: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, series: monitoring_v3.TimeSeries) -> SeriesKey:
        return cls(series.metric.type, tuple(sorted(series.metric.labels.items())),
                   series.resource.type, tuple(sorted(series.resource.labels.items())))

    @property
    def labels(self) -> dict[str, str]:
        return dict(self.metric_labels)


@dataclass(frozen=True)
class WrittenPoint:
    """A point the double took: when it came in, its interval (epoch seconds; GAUGE: no start)
    and its value."""

    received_at: float
    start_time: float | None
    end_time: float
    value: monitoring_v3.TypedValue
    series: monitoring_v3.TimeSeries = field(repr=False)


def _seconds(stamp: Any) -> float:
    return float(stamp.seconds) + stamp.nanos / 1e9


def _interval(point: monitoring_v3.Point) -> tuple[float | None, float]:
    interval = monitoring_v3.TimeInterval.pb(point.interval)
    start = _seconds(interval.start_time) if interval.HasField("start_time") else None
    return start, _seconds(interval.end_time)


class MetricServiceDouble:
    """Start it (or use it as a context manager), point the exporter at `endpoint`, then read
    `calls`, `descriptors` and `points_by_series()`. `fail_next` makes calls fail as the real
    service sometimes does."""

    def __init__(self, sampling_period_s: float = SAMPLING_PERIOD_S) -> None:
        self.sampling_period_s = sampling_period_s
        self.calls: list[Call] = []
        self.descriptors: dict[str, MetricDescriptor] = {}
        self.written: list[tuple[SeriesKey, WrittenPoint]] = []
        self._last: dict[SeriesKey, WrittenPoint] = {}
        self._failures: dict[str, list[grpc.StatusCode]] = defaultdict(list)
        self._lock = threading.Lock()
        self._executor = futures.ThreadPoolExecutor(max_workers=4)
        self._server = grpc.server(self._executor)
        self._server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, {
            "CreateMetricDescriptor": self._method(
                "CreateMetricDescriptor", monitoring_v3.CreateMetricDescriptorRequest, self._create_descriptor,
                MetricDescriptor.SerializeToString),
            "GetMetricDescriptor": self._method(
                "GetMetricDescriptor", monitoring_v3.GetMetricDescriptorRequest, self._get_descriptor,
                MetricDescriptor.SerializeToString),
            "ListMetricDescriptors": self._method(
                "ListMetricDescriptors", monitoring_v3.ListMetricDescriptorsRequest, self._list_descriptors,
                monitoring_v3.ListMetricDescriptorsResponse.serialize),
            "CreateTimeSeries": self._method(
                "CreateTimeSeries", monitoring_v3.CreateTimeSeriesRequest, self._create_time_series,
                empty_pb2.Empty.SerializeToString),
        }),))
        self.port = self._server.add_insecure_port("127.0.0.1:0")

    @property
    def endpoint(self) -> str:
        """host:port, as DESK_MONITORING_ENDPOINT takes it."""
        return f"127.0.0.1:{self.port}"

    def start(self) -> MetricServiceDouble:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop(grace=None).wait()
        self._executor.shutdown(wait=True)

    def __enter__(self) -> MetricServiceDouble:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def fail_next(self, method: str, code: grpc.StatusCode, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with `code`, doing nothing else."""
        with self._lock:
            self._failures[method].extend([code] * times)

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def points_by_series(self) -> dict[SeriesKey, list[WrittenPoint]]:
        """Every point taken, by series, in the order they came in."""
        points: dict[SeriesKey, list[WrittenPoint]] = defaultdict(list)
        with self._lock:
            for key, point in self.written:
                points[key].append(point)
        return dict(points)

    def _method(self, name: str, request_type: Any, handle: Callable[[Any, float], Any],
                serialize: Callable[[Any], bytes]) -> grpc.RpcMethodHandler:
        def serve(request: Any, context: grpc.ServicerContext) -> Any:
            received_at = time.time()
            with self._lock:
                try:
                    if self._failures[name]:
                        code = self._failures[name].pop(0)
                        raise Refused(code, f"{name} failed as the test asked")
                    answer = handle(request, received_at)
                except Refused as refusal:
                    self.calls.append(Call(name, request, received_at, str(refusal)))
                    context.abort(refusal.code, str(refusal))
                self.calls.append(Call(name, request, received_at, None))
                return answer

        return grpc.unary_unary_rpc_method_handler(
            serve, request_deserializer=request_type.deserialize, response_serializer=serialize)

    def _create_descriptor(self, request: monitoring_v3.CreateMetricDescriptorRequest, _: float) -> MetricDescriptor:
        wanted = request.metric_descriptor
        problem = _descriptor_problem(wanted)
        if problem:
            raise Refused(grpc.StatusCode.INVALID_ARGUMENT, problem)
        kept = MetricDescriptor()
        kept.CopyFrom(wanted)
        kept.name = f"{request.name}/metricDescriptors/{wanted.type}"
        if wanted.type in self.descriptors:  # an update: labels are never removed
            new_keys = {label.key for label in wanted.labels}
            kept.labels.extend(label for label in self.descriptors[wanted.type].labels if label.key not in new_keys)
        self.descriptors[wanted.type] = kept
        return kept

    def _get_descriptor(self, request: monitoring_v3.GetMetricDescriptorRequest, _: float) -> MetricDescriptor:
        metric_type = request.name.partition("/metricDescriptors/")[2]
        if metric_type not in self.descriptors:
            raise Refused(grpc.StatusCode.NOT_FOUND, f"no metric descriptor {metric_type!r}")
        return self.descriptors[metric_type]

    def _list_descriptors(self, request: monitoring_v3.ListMetricDescriptorsRequest,
                          _: float) -> monitoring_v3.ListMetricDescriptorsResponse:
        prefix = ""
        if request.filter:
            match = STARTS_WITH_FILTER.match(request.filter.strip())
            if not match:
                raise Refused(grpc.StatusCode.INVALID_ARGUMENT, f"the double knows no filter {request.filter!r}")
            prefix = match.group(1)
        return monitoring_v3.ListMetricDescriptorsResponse(
            metric_descriptors=[d for t, d in sorted(self.descriptors.items()) if t.startswith(prefix)])

    def _create_time_series(self, request: monitoring_v3.CreateTimeSeriesRequest, received_at: float) -> Any:
        if len(request.time_series) > MAX_SERIES_PER_REQUEST:
            raise Refused(grpc.StatusCode.INVALID_ARGUMENT,
                          f"{len(request.time_series)} time series in one request: at most {MAX_SERIES_PER_REQUEST}")
        problems: list[str] = []
        in_request: set[SeriesKey] = set()
        for index, series in enumerate(request.time_series):
            key = SeriesKey.of(series)
            problem = ("Only one point can be written per TimeSeries per request" if key in in_request
                       else self._series_problem(key, series))
            in_request.add(key)
            if problem:
                problems.append(f"{problem}: timeSeries[{index}]")
                continue
            start, end = _interval(series.points[0])
            point = WrittenPoint(received_at, start, end, series.points[0].value, series)
            self.written.append((key, point))
            self._last[key] = point
        if problems:
            raise Refused(grpc.StatusCode.INVALID_ARGUMENT,
                          "One or more TimeSeries could not be written: " + "; ".join(problems))
        return empty_pb2.Empty()

    def _series_problem(self, key: SeriesKey, series: monitoring_v3.TimeSeries) -> str | None:
        """Why the service would not write `series`, or None."""
        descriptor = self.descriptors.get(series.metric.type)
        if descriptor is None:
            return f"no metric descriptor for {series.metric.type} (the double makes none up)"
        kind, value_type = descriptor.metric_kind, descriptor.value_type
        if series.metric_kind == MetricDescriptor.DELTA:
            return "DELTA is not a kind of custom metric"
        if series.metric_kind not in (MetricDescriptor.METRIC_KIND_UNSPECIFIED, kind):
            return f"metric kind {MetricDescriptor.MetricKind.Name(series.metric_kind)} is not the descriptor's"
        if series.value_type not in (MetricDescriptor.VALUE_TYPE_UNSPECIFIED, value_type):
            return f"value type {MetricDescriptor.ValueType.Name(series.value_type)} is not the descriptor's"
        unknown = set(series.metric.labels) - {label.key for label in descriptor.labels}
        if unknown:
            return f"Unrecognized metric labels {sorted(unknown)}"
        if series.resource.type not in RESOURCE_LABELS:
            return f"monitored resource {series.resource.type!r} is not one the double knows"
        if set(series.resource.labels) - RESOURCE_LABELS[series.resource.type]:
            return f"labels {dict(series.resource.labels)} are not all {series.resource.type}'s"
        if len(series.points) != 1:
            return f"{len(series.points)} points: a time series is written one point at a time"
        point = series.points[0]
        return (_value_problem(point.value, value_type) or _interval_problem(_interval(point), kind)
                or self._history_problem(key, _interval(point), kind))

    def _history_problem(self, key: SeriesKey, interval: tuple[float | None, float], kind: int) -> str | None:
        last = self._last.get(key)
        if last is None:
            return None
        start, end = interval
        if end <= last.end_time:
            return "Points must be written in order. One or more of the points specified had an older end time"
        if end - last.end_time < self.sampling_period_s:
            return ("One or more points were written more frequently than the maximum sampling period "
                    "configured for the metric")
        if kind == MetricDescriptor.CUMULATIVE and start != last.start_time and start is not None \
                and start <= last.end_time:
            return "the start time of a CUMULATIVE point moved, but not past its series' last end (no reset)"
        return None


def _descriptor_problem(descriptor: MetricDescriptor) -> str | None:
    if not descriptor.type.startswith(CUSTOM_PREFIX):
        return f"{descriptor.type!r} is not a custom metric type"
    if descriptor.metric_kind == MetricDescriptor.DELTA:
        return "DELTA is not a kind of custom metric"
    if not descriptor.metric_kind or not descriptor.value_type:
        return "a metric descriptor needs a kind and a value type"
    if len(descriptor.labels) > MAX_LABELS:
        return f"{len(descriptor.labels)} labels: at most {MAX_LABELS}"
    too_long = [label.key for label in descriptor.labels if len(label.key) > MAX_LABEL_KEY_LENGTH]
    return f"label keys longer than {MAX_LABEL_KEY_LENGTH}: {too_long}" if too_long else None


def _value_problem(value: monitoring_v3.TypedValue, value_type: int) -> str | None:
    held = monitoring_v3.TypedValue.pb(value).WhichOneof("value")
    wanted = {MetricDescriptor.INT64: "int64_value", MetricDescriptor.DOUBLE: "double_value",
              MetricDescriptor.BOOL: "bool_value", MetricDescriptor.STRING: "string_value",
              MetricDescriptor.DISTRIBUTION: "distribution_value"}[value_type]
    if held != wanted:
        return f"the point holds {held}, the descriptor says {MetricDescriptor.ValueType.Name(value_type)}"
    return _distribution_problem(value.distribution_value) if held == "distribution_value" else None


def _distribution_problem(distribution: distribution_pb2.Distribution) -> str | None:
    counts = list(distribution.bucket_counts)
    if counts and sum(counts) != distribution.count:
        return f"bucket counts add up to {sum(counts)}, not the count {distribution.count}"
    if distribution.count == 0 and (distribution.mean or distribution.sum_of_squared_deviation):
        return "an empty distribution has mean and sum of squared deviation 0"
    if distribution.HasField("bucket_options"):
        exponential = distribution.bucket_options.exponential_buckets
        buckets = exponential.num_finite_buckets + 2
        if exponential.num_finite_buckets <= 0 or exponential.growth_factor <= 1 or exponential.scale <= 0:
            return "exponential buckets need num_finite_buckets > 0, growth_factor > 1, scale > 0"
        if buckets > MAX_BUCKETS or len(counts) > buckets:
            return f"{len(counts)} bucket counts for {buckets} buckets (at most {MAX_BUCKETS})"
    return None


def _interval_problem(interval: tuple[float | None, float], kind: int) -> str | None:
    start, end = interval
    if kind == MetricDescriptor.GAUGE and start is not None and start != end:
        return "a GAUGE point's start time, if given, must equal its end time"
    if kind == MetricDescriptor.CUMULATIVE and (start is None or end <= start):
        return "a CUMULATIVE point needs a start time before its end time"
    return None
