"""The MetricService double refuses what Cloud Monitoring refuses (docs/metrics.md, "Cloud Monitoring"),
so that the exporter's tests against it mean something. Driven by google-cloud-monitoring's own
client over gRPC."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from google.api import metric_pb2
from google.api_core import exceptions
from google.cloud import monitoring_v3
from monitoring_double import SAMPLING_PERIOD_S, MetricServiceDouble

from teledesk.metrics import catalog
from teledesk.metrics.cloud import metric_descriptor, metric_service_client, time_series
from teledesk.metrics.series import Distribution, Series

pytestmark = pytest.mark.integration

PROJECT = "projects/teledesk-test"
START, END = 1_780_000_000.0, 1_780_000_060.0
MetricDescriptor = metric_pb2.MetricDescriptor
EMPTY_HISTOGRAM = Distribution(0, 0.0, 0.0, ())
MESSAGE = Series(catalog.MESSAGES, {"type": "CLIENT", "direction": "in"}, 7)
OPEN = Series(catalog.CONVERSATIONS, {"status": "open"}, 3)


@pytest.fixture
def client(metric_service: MetricServiceDouble) -> Iterator[monitoring_v3.MetricServiceClient]:
    client = metric_service_client(metric_service.endpoint)
    for metric in (catalog.MESSAGES, catalog.CONVERSATIONS, catalog.FIRST_RESPONSE_TIME):
        client.create_metric_descriptor(name=PROJECT, metric_descriptor=metric_descriptor(metric))
    yield client
    client.transport.close()


def write(client: monitoring_v3.MetricServiceClient, *series: monitoring_v3.TimeSeries) -> None:
    client.create_time_series(name=PROJECT, time_series=list(series))


def ts(series: Series = MESSAGE, start: float = START, end: float = END) -> monitoring_v3.TimeSeries:
    return time_series(series, "teledesk-test", start, end)


def changed(change: Callable[[monitoring_v3.TimeSeries], object], series: Series = MESSAGE) -> monitoring_v3.TimeSeries:
    written = ts(series)
    change(written)
    return written


def unknown_metric(series: monitoring_v3.TimeSeries) -> None:
    series.metric.type = "custom.googleapis.com/teledesk/nobody_declared_this"


def start_at_end(series: monitoring_v3.TimeSeries) -> None:
    series.points[0].interval.start_time = series.points[0].interval.end_time


def start_before_end(series: monitoring_v3.TimeSeries) -> None:
    series.points[0].interval._pb.start_time.seconds = int(END) - 60


def bad_histogram(series: monitoring_v3.TimeSeries) -> None:
    series.points[0].value.distribution_value.bucket_counts[0] += 1


REFUSED_ALONE = {  # what is wrong: (the series, what the refusal says)
    "no descriptor": (lambda: changed(unknown_metric), "no metric descriptor"),
    "a label the descriptor lacks": (
        lambda: changed(lambda s: s.metric.labels.update({"chat_id": "42"})), "Unrecognized metric labels"),
    "another kind": (lambda: changed(lambda s: setattr(s, "metric_kind", MetricDescriptor.GAUGE)), "metric kind GAUGE"),
    "DELTA": (lambda: changed(lambda s: setattr(s, "metric_kind", MetricDescriptor.DELTA)), "DELTA"),
    "another value type": (
        lambda: changed(lambda s: setattr(s, "value_type", MetricDescriptor.DOUBLE)), "value type DOUBLE"),
    "a value of another type": (lambda: changed(
        lambda s: setattr(s.points[0], "value", monitoring_v3.TypedValue(double_value=7.0))), "holds double_value"),
    "CUMULATIVE ending at its start": (lambda: changed(start_at_end), "start time before its end time"),
    "CUMULATIVE without a start": (
        lambda: changed(lambda s: s.points[0].interval._pb.ClearField("start_time")), "start time before its end"),
    "GAUGE with a start of its own": (lambda: changed(start_before_end, OPEN), "must equal its end time"),
    "two points": (lambda: changed(lambda s: s.points.append(s.points[0])), "one point at a time"),
    "histogram that does not add up": (lambda: changed(
        bad_histogram, Series(catalog.FIRST_RESPONSE_TIME, {}, Distribution(1, 2.0, 4.0, (0, 0, 1)))),
        "bucket counts add up to 2"),
    "a resource the double does not know": (
        lambda: changed(lambda s: setattr(s.resource, "type", "gce_instance")), "not one the double knows"),
}


@pytest.mark.parametrize(("make", "why"), REFUSED_ALONE.values(), ids=REFUSED_ALONE.keys())
def test_a_series_the_service_refuses_is_refused(metric_service, client, make, why):
    with pytest.raises(exceptions.InvalidArgument, match="could not be written") as refused:
        write(client, make())
    assert why in refused.value.message
    assert metric_service.points_by_series() == {}


def test_the_valid_series_of_a_refused_request_are_written(metric_service, client):
    with pytest.raises(exceptions.InvalidArgument, match=r"timeSeries\[1\]"):
        write(client, ts(MESSAGE), changed(unknown_metric), ts(OPEN))
    assert [key.metric_type for key in metric_service.points_by_series()] == [
        catalog.MESSAGES.type, catalog.CONVERSATIONS.type]


def test_more_than_200_series_in_a_request_are_refused_whole(metric_service, client):
    many = [ts(Series(catalog.MESSAGES, {"type": f"T{i}", "direction": "in"}, i)) for i in range(201)]
    with pytest.raises(exceptions.InvalidArgument, match="201 time series"):
        write(client, *many)
    write(client, *many[:200])
    assert len(metric_service.points_by_series()) == 200


def test_one_series_twice_in_a_request_is_refused(client):
    with pytest.raises(exceptions.InvalidArgument, match="Only one point"):
        write(client, ts(MESSAGE), ts(MESSAGE, end=END + 60))


@pytest.mark.parametrize(("end", "why"), [
    (END + SAMPLING_PERIOD_S - 0.001, "sampling period"),
    (END, "in order"),
    (END - 30, "in order"),
])
def test_a_point_too_soon_after_or_not_after_the_last_is_refused(metric_service, client, end, why):
    write(client, ts(MESSAGE), ts(OPEN))
    with pytest.raises(exceptions.InvalidArgument, match=why):
        write(client, ts(MESSAGE, end=end))
    with pytest.raises(exceptions.InvalidArgument, match=why):
        write(client, ts(OPEN, end=end))
    write(client, ts(MESSAGE, end=END + SAMPLING_PERIOD_S), ts(OPEN, end=END + SAMPLING_PERIOD_S))
    assert [len(points) for points in metric_service.points_by_series().values()] == [2, 2]


def test_a_cumulative_start_may_move_only_as_a_reset(metric_service, client):
    write(client, ts(MESSAGE))
    with pytest.raises(exceptions.InvalidArgument, match="start time"):
        write(client, ts(MESSAGE, start=START + 1, end=END + 60))
    write(client, ts(MESSAGE, start=END + 1, end=END + 60))
    [points] = metric_service.points_by_series().values()
    assert [p.start_time for p in points] == [START, END + 1]


def test_the_sampling_period_can_be_the_flush_interval():
    with MetricServiceDouble(sampling_period_s=60) as service:
        client = metric_service_client(service.endpoint)
        try:
            client.create_metric_descriptor(name=PROJECT, metric_descriptor=metric_descriptor(catalog.MESSAGES))
            write(client, ts(MESSAGE))
            with pytest.raises(exceptions.InvalidArgument, match="sampling period"):
                write(client, ts(MESSAGE, end=END + 59))
            write(client, ts(MESSAGE, end=END + 60))
        finally:
            client.transport.close()


def test_descriptors_are_kept_updated_and_checked(metric_service, client):
    delta = metric_descriptor(catalog.MESSAGES)
    delta.type, delta.metric_kind = "custom.googleapis.com/teledesk/delta", MetricDescriptor.DELTA
    with pytest.raises(exceptions.InvalidArgument, match="DELTA"):
        client.create_metric_descriptor(name=PROJECT, metric_descriptor=delta)

    fewer_labels = metric_descriptor(catalog.MESSAGES)
    del fewer_labels.labels[1]
    client.create_metric_descriptor(name=PROJECT, metric_descriptor=fewer_labels)  # no error: an update
    kept = client.get_metric_descriptor(name=f"{PROJECT}/metricDescriptors/{catalog.MESSAGES.type}")
    assert sorted(label.key for label in kept.labels) == ["direction", "type"]  # labels are never removed
    with pytest.raises(exceptions.NotFound):
        client.get_metric_descriptor(name=f"{PROJECT}/metricDescriptors/custom.googleapis.com/teledesk/none")
    listed = client.list_metric_descriptors(
        request={"name": PROJECT, "filter": 'metric.type = starts_with("custom.googleapis.com/teledesk/first")'})
    assert [d.type for d in listed] == [catalog.FIRST_RESPONSE_TIME.type]
