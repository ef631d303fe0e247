"""bench.report: the stage table shows the metrics branch beside the path, marked as off it."""

from __future__ import annotations

from bench import report


def results(**extra: object) -> dict[str, object]:
    figures = {"sent": 10, "received": 10, "latency_ms": {"p50": 150.0, "p99": 400.0},
               "webhook_answer_ms": {"p50": 5.0, "p99": 9.0}}
    return {"date": "2026-12-03 10:00 UTC", "commit": "abc",
            "params": {"messages": 10, "rate": 5, "customers": 2, "warmup": 0},
            "machine": {"cpus": 2, "cpu_model": "x", "system": "Linux", "python": "3.11",
                        "cpu_busy_percent_at_start": 1.0},
            "path": {"steps": ["ingest", "classify", "enrich"]},
            "scenarios": {"full": figures}, "stages": {"full": {"enrich (own time)": {"p50": 9.0, "p99": 20.0}}},
            **extra}


def test_the_metrics_branch_is_shown_off_the_path_with_how_many_it_counted():
    printed = report.render(results(branches={"counted": 30, "expected": 30, "metrics": {"p50": 61.0, "p99": 140.0}}))
    off_path = printed.split("Off the path", 1)[1]
    assert "messages-enriched -> metrics (30/30 counted)" in off_path
    assert "61" in off_path and "140" in off_path
    assert "metrics" not in printed.split("Off the path", 1)[0].split("By stage", 1)[1]  # not a row of the path


def test_without_the_metrics_step_there_is_no_branch_row():
    assert "Off the path" not in report.render(results())


def test_the_desk_without_its_metrics_step_is_a_column_beside_the_desk():
    stages = {"full": {"enrich (own time)": {"p50": 9.0, "p99": 20.0}},
              "nometrics": {"enrich (own time)": {"p50": 8.5, "p99": 19.0}}}
    printed = report.render(results(stages=stages))
    header = next(line for line in printed.splitlines() if "desk p50" in line)
    assert header.index("desk p50") < header.index("no-m p50")
    assert "8.5" in next(line for line in printed.splitlines() if "enrich (own time)" in line)


def test_the_desk_without_metrics_runs_on_both_sides_of_the_full_desk():
    """So that emulators still warming up weigh on both sides of the comparison alike."""
    from bench.__main__ import scenario_runs

    assert scenario_runs(["direct", "hops", "full", "nometrics", "ladder"]) == [
        "direct", "hops", "nometrics", "full", "nometrics"]
    assert scenario_runs(["full"]) == ["full"]
    assert scenario_runs(["nometrics", "hops"]) == ["hops", "nometrics"]
