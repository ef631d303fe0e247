"""The cloud exporter against a real gRPC MetricService (tests/monitoring_double.py): the exact
descriptors and series it writes, requests of at most 200 series, and what it does when the
service refuses."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest
from google.api import metric_pb2
from google.api_core import exceptions
from monitoring_double import SAMPLING_PERIOD_S, MetricServiceDouble

from teledesk.metrics import catalog
from teledesk.metrics.catalog import METRICS, SECONDS
from teledesk.metrics.cloud import CloudMonitoringExporter, ExportFailed
from teledesk.metrics.series import Distribution, Series

pytestmark = pytest.mark.integration

PROJECT = "teledesk-test"
START, END = 1_780_000_000.25, 1_780_000_060.75
MetricDescriptor = metric_pb2.MetricDescriptor


def distribution(values: list[float]) -> Distribution:
    counts = [0] * (SECONDS.count + 2)
    for value in values:
        counts[SECONDS.index(value)] += 1
    return Distribution(len(values), sum(values), sum(v * v for v in values), tuple(counts))


FIRST_RESPONSES = distribution([40.0, 50.0])  # mean 45, sum of squared deviation 50
FLUSH = [
    Series(catalog.MESSAGES, {"type": "CLIENT", "direction": "in"}, 7),
    Series(catalog.DELIVERIES, {"outcome": "failed", "cause": "blocked"}, 1),
    Series(catalog.CONVERSATIONS, {"status": "open"}, 3),
    Series(catalog.FIRST_RESPONSE_TIME, {}, FIRST_RESPONSES),
]


@pytest.fixture
def exporter(metric_service: MetricServiceDouble) -> Iterator[CloudMonitoringExporter]:
    exporter = CloudMonitoringExporter(PROJECT, endpoint=metric_service.endpoint)
    yield exporter
    exporter.close()


def labels(descriptor: MetricDescriptor) -> dict[str, str]:
    assert all(label.value_type == label.STRING for label in descriptor.labels)
    return {label.key: label.description for label in descriptor.labels}


def test_every_catalog_metric_gets_its_descriptor_before_the_first_series(metric_service, exporter):
    exporter.export(FLUSH, START, END)

    kept = metric_service.descriptors
    assert set(kept) == {metric.type for metric in METRICS}
    for metric in METRICS:
        descriptor = kept[metric.type]
        assert (MetricDescriptor.MetricKind.Name(descriptor.metric_kind),
                MetricDescriptor.ValueType.Name(descriptor.value_type),
                descriptor.unit, descriptor.description) == (metric.kind, metric.value_type, metric.unit,
                                                             metric.description)
        assert labels(descriptor) == metric.labels
        assert descriptor.display_name == metric.display_name
    hops = kept["custom.googleapis.com/teledesk/hop_latency"]
    assert (hops.metric_kind, hops.value_type, hops.unit, list(labels(hops))) == (
        MetricDescriptor.CUMULATIVE, MetricDescriptor.DISTRIBUTION, "ms", ["hop"])
    conversations = kept["custom.googleapis.com/teledesk/conversations"]
    assert (conversations.metric_kind, conversations.value_type) == (MetricDescriptor.GAUGE, MetricDescriptor.INT64)
    methods = [call.method for call in metric_service.calls]
    assert methods.index("CreateTimeSeries") > max(i for i, m in enumerate(methods) if m == "CreateMetricDescriptor")


def test_the_series_are_written_exactly(metric_service, exporter):
    exporter.export(FLUSH, START, END)

    [call] = metric_service.calls_to("CreateTimeSeries")
    assert call.error is None and call.request.name == f"projects/{PROJECT}"
    written = list(call.request.time_series)
    assert [(s.metric.type, dict(s.metric.labels)) for s in written] == [
        ("custom.googleapis.com/teledesk/messages", {"type": "CLIENT", "direction": "in"}),
        ("custom.googleapis.com/teledesk/deliveries", {"outcome": "failed", "cause": "blocked"}),
        ("custom.googleapis.com/teledesk/conversations", {"status": "open"}),
        ("custom.googleapis.com/teledesk/first_response_time", {}),
    ]
    assert all((s.resource.type, dict(s.resource.labels)) == ("global", {"project_id": PROJECT}) for s in written)
    assert [(MetricDescriptor.MetricKind.Name(s.metric_kind), MetricDescriptor.ValueType.Name(s.value_type))
            for s in written] == [("CUMULATIVE", "INT64"), ("CUMULATIVE", "INT64"), ("GAUGE", "INT64"),
                                  ("CUMULATIVE", "DISTRIBUTION")]
    assert all(len(s.points) == 1 for s in written)
    by_series = metric_service.points_by_series()
    points = [by_series[key] for key in by_series]
    assert [(p.start_time, p.end_time) for [p] in points] == [(START, END), (START, END), (None, END), (START, END)]
    assert [p.value.int64_value for [p] in points[:3]] == [7, 1, 3]

    histogram = written[3].points[0].value.distribution_value
    assert (histogram.count, histogram.mean, histogram.sum_of_squared_deviation) == (2, 45.0, 50.0)
    exponential = histogram.bucket_options.exponential_buckets
    assert (exponential.num_finite_buckets, exponential.growth_factor, exponential.scale) == (40, 1.4, 1.0)
    assert list(histogram.bucket_counts) == list(FIRST_RESPONSES.bucket_counts)
    assert sum(histogram.bucket_counts) == 2 and len(histogram.bucket_counts) == 42


def test_450_series_go_in_3_requests_of_at_most_200(metric_service, exporter):
    many = [Series(catalog.HOP_LATENCY, {"hop": f"hop-{i}"}, distribution([float(i)])) for i in range(449)]
    exporter.export([*many, FLUSH[0]], START, END)

    requests = metric_service.calls_to("CreateTimeSeries")
    assert [len(call.request.time_series) for call in requests] == [200, 200, 50]
    assert all(call.error is None for call in requests)
    assert len(metric_service.points_by_series()) == 450


def test_a_point_sooner_than_the_sampling_period_is_refused_and_the_next_flush_goes_through(metric_service, exporter):
    exporter.export(FLUSH, START, END)
    with pytest.raises(ExportFailed) as refused:
        exporter.export(FLUSH, START, END + 1)
    assert isinstance(refused.value.__cause__, exceptions.InvalidArgument)
    assert "more frequently than the maximum sampling period" in str(refused.value)
    assert refused.value.requests_failed == 1
    assert all(len(points) == 1 for points in metric_service.points_by_series().values())

    exporter.export(FLUSH, START, END + SAMPLING_PERIOD_S)

    points = metric_service.points_by_series()
    assert [[p.end_time for p in series] for series in points.values()] == [[END, END + SAMPLING_PERIOD_S]] * 4
    assert all(series[1].start_time == series[0].start_time for series in points.values())


def test_one_refused_request_does_not_stop_the_others(metric_service, exporter):
    many = [Series(catalog.HOP_LATENCY, {"hop": f"hop-{i}"}, distribution([1.0])) for i in range(250)]
    metric_service.fail_next("CreateTimeSeries", grpc.StatusCode.PERMISSION_DENIED)

    with pytest.raises(ExportFailed) as failed:
        exporter.export(many, START, END)

    assert failed.value.requests_failed == 1 and "1 of 2" in str(failed.value)
    assert [len(call.request.time_series) for call in metric_service.calls_to("CreateTimeSeries")] == [200, 50]
    assert len(metric_service.points_by_series()) == 50


def test_descriptors_are_made_once_however_many_exports(metric_service, exporter):
    for flush in range(3):
        exporter.export(FLUSH, START, END + flush * SAMPLING_PERIOD_S)
    assert len(metric_service.calls_to("ListMetricDescriptors")) == 1
    assert len(metric_service.calls_to("CreateMetricDescriptor")) == len(METRICS)

    restarted = CloudMonitoringExporter(PROJECT, endpoint=metric_service.endpoint)
    try:
        restarted.export(FLUSH, START, END + 3 * SAMPLING_PERIOD_S)
    finally:
        restarted.close()
    assert len(metric_service.calls_to("ListMetricDescriptors")) == 2
    assert len(metric_service.calls_to("CreateMetricDescriptor")) == len(METRICS)  # they were there already


def test_a_transient_descriptor_failure_is_retried(metric_service, exporter):
    metric_service.fail_next("CreateMetricDescriptor", grpc.StatusCode.UNAVAILABLE)

    exporter.export(FLUSH, START, END)

    assert set(metric_service.descriptors) == {metric.type for metric in METRICS}
    assert len(metric_service.points_by_series()) == len(FLUSH)


def test_descriptors_that_could_not_be_made_stop_the_write_until_the_next_export(metric_service, exporter):
    metric_service.fail_next("CreateMetricDescriptor", grpc.StatusCode.PERMISSION_DENIED)

    with pytest.raises(ExportFailed, match="nothing written"):
        exporter.export(FLUSH, START, END)
    assert metric_service.calls_to("CreateTimeSeries") == []

    exporter.export(FLUSH, START, END)
    assert set(metric_service.descriptors) == {metric.type for metric in METRICS}
    assert len(metric_service.points_by_series()) == len(FLUSH)


def test_an_unavailable_service_is_tried_again_within_the_flush(metric_service, exporter):
    metric_service.fail_next("CreateTimeSeries", grpc.StatusCode.UNAVAILABLE)

    exporter.export(FLUSH, START, END)

    assert [call.error is None for call in metric_service.calls_to("CreateTimeSeries")] == [False, True]
    assert len(metric_service.points_by_series()) == len(FLUSH)
