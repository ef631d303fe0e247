"""docs/metrics.md describes every metric the catalog declares, as the catalog declares it."""

from __future__ import annotations

from teledesk.metrics.catalog import METRICS, PREFIX
from teledesk.settings import ROOT


def test_the_docs_table_has_every_metric_with_its_kind_value_type_unit_and_labels():
    text = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    assert PREFIX in text
    rows = {line.split("|")[1].strip().strip("`"): line for line in text.splitlines()
            if line.startswith("| `") and line.count("|") == 7}
    for metric in METRICS:
        cells = [cell.strip() for cell in rows[metric.name].split("|")[1:-1]]
        assert cells[1:4] == [metric.kind, metric.value_type, f"`{metric.unit}`"], metric.name
        for label in metric.labels:
            assert f"`{label}`" in cells[4], (metric.name, label)
