"""The local logs read back: every part's lines about one message, and the messages a text names.

Each `<name>.log` of the log directory holds one JSON object per line (`teledesk.logs.setup`);
an entry's part is its file's name (`ingest`, `relay-2`), its trace id the last part of
`logging.googleapis.com/trace`. Lines that are not such objects are skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

TRACE = "logging.googleapis.com/trace"
LABELS = "logging.googleapis.com/labels"


@dataclass(frozen=True)
class Entry:
    time: str  # RFC 3339 in UTC, so its text sorts as its time does
    part: str
    severity: str
    message: str
    trace_id: str = ""
    labels: dict[str, str] = field(default_factory=dict)

    def line(self) -> str:
        first, *rest = self.message.splitlines() or [""]
        return "\n".join([f"{self.time}  {self.part:<12} {self.severity:<8} {first}",
                          *(f"    {more}" for more in rest)])


@dataclass(frozen=True)
class Trace:
    """One message's path as `find` shows it: its trace id, where and when it was first logged."""

    trace_id: str
    first: Entry
    parts: tuple[str, ...]
    lines: int

    def line(self) -> str:
        first_line = (self.first.message.splitlines() or [""])[0]
        return f"{self.trace_id}  {self.first.time}  {','.join(self.parts)} ({self.lines} lines)  {first_line}"


def entries(log_dir: Path) -> Iterator[Entry]:
    """Every entry of every `.log` file in `log_dir`, file by file."""
    for path in sorted(log_dir.glob("*.log")):
        with path.open(encoding="utf-8", errors="replace") as lines:
            for line in lines:
                entry = parse(line, path.stem)
                if entry is not None:
                    yield entry


def parse(line: str, part: str) -> Entry | None:
    try:
        data = json.loads(line)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    labels = data.get(LABELS)
    return Entry(time=str(data.get("time", "")), part=part, severity=str(data.get("severity", "")),
                 message=str(data.get("message", "")), trace_id=str(data.get(TRACE) or "").rsplit("/", 1)[-1],
                 labels={str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {})


def path_of(log_dir: Path, trace_id: str) -> list[Entry]:
    """Every entry of the trace `trace_id`, in time order."""
    found = [entry for entry in entries(log_dir) if entry.trace_id == trace_id]
    return sorted(found, key=lambda entry: entry.time)


def find(log_dir: Path, text: str) -> list[Trace]:
    """The traces with an entry whose message holds `text`, or a label (a chat id, a message id) that is
    `text`, each once, in the order they began."""
    traced: dict[str, list[Entry]] = {}
    for entry in entries(log_dir):
        if entry.trace_id:
            traced.setdefault(entry.trace_id, []).append(entry)
    found = []
    for trace_id, trace in traced.items():
        if any(text in entry.message or text in entry.labels.values() for entry in trace):
            trace.sort(key=lambda entry: entry.time)
            parts = tuple(dict.fromkeys(entry.part for entry in trace))
            found.append(Trace(trace_id, trace[0], parts, len(trace)))
    return sorted(found, key=lambda trace: trace.first.time)
