"""The pipeline manifest (`pipeline.yaml`): the one place that lists the steps."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from teledesk.open_data import JSONObject
from teledesk.settings import ROOT

MANIFEST_PATH = ROOT / "pipeline.yaml"


def dead_letter_topic(step_name: str) -> str:
    """Where a step's push subscriptions park what the step gave up on."""
    return f"{step_name}-dead-letter"


def _seconds(duration: str) -> int:
    """`"604800s"` → 604800: the manifest writes durations as Pub/Sub does."""
    return int(str(duration).removesuffix("s"))


@dataclass(frozen=True)
class RetryPolicy:
    minimum_backoff_s: int
    maximum_backoff_s: int
    max_delivery_attempts: int
    ack_deadline_s: int


@dataclass(frozen=True)
class Step:
    """One function of the pipeline.

    `topics_in`: what feeds it, one push subscription per topic (none for an HTTP entry point;
    several for a step such as metrics that watches more than one). `topic_out`: where it
    publishes, None for a step that publishes nothing; `announces`: a second topic it publishes
    on, what it did to a conversation (the staffroom's changes, as the relay's `announces`).
    `watches`: the steps whose dead-letter topics feed it too (`watch_dead_letters: true`),
    already among `topics_in`.
    """

    name: str
    source: str
    entry_point: str
    topic_out: str | None = None
    topics_in: tuple[str, ...] = ()
    filter: str | None = None
    retry: RetryPolicy | None = None
    watches: tuple[str, ...] = ()
    url_env: str | None = None  # a workflow's step: the variable that gives the workflow its URL
    announces: str | None = None  # where it publishes what it did to a conversation, besides topic_out

    def subscription(self, topic: str) -> str:
        """The push subscription that feeds this step from `topic`: `<step>-push` for a step fed by
        one topic, `<step>-<topic>-push` for each topic of a step fed by several."""
        if topic not in self.topics_in:
            raise ValueError(f"{self.name} is not fed by {topic!r}")
        return f"{self.name}-push" if len(self.topics_in) == 1 else f"{self.name}-{topic}-push"

    @property
    def watched_dead_letters(self) -> dict[str, str]:
        """The dead-letter topics that feed this step → the step that parks messages there."""
        return {dead_letter_topic(name): name for name in self.watches}

    @property
    def output(self) -> str:
        """`topic_out`, for a step that publishes; a ValueError when the manifest gives it none."""
        if self.topic_out is None:
            raise ValueError(f"{self.name} publishes nothing: the manifest gives it no topic_out")
        return self.topic_out

    @property
    def subscriptions(self) -> dict[str, str]:
        """topic → the push subscription feeding this step from it."""
        return {topic: self.subscription(topic) for topic in self.topics_in}

    @property
    def dead_letter_topic(self) -> str:
        return dead_letter_topic(self.name)

    @property
    def source_path(self) -> Path:
        return ROOT / self.source


@dataclass(frozen=True)
class Workflow:
    """A Cloud Workflows definition: one execution per message on `trigger_topic`, which the parts
    in `published_by` publish; `steps` are the HTTP functions it calls, reachable by it alone."""

    name: str
    source: str
    trigger_topic: str
    published_by: tuple[str, ...]
    steps: tuple[Step, ...]

    @property
    def source_path(self) -> Path:
        return ROOT / self.source

    @property
    def step_urls(self) -> dict[str, str]:
        """The variable that gives the workflow a step's URL → the step's name."""
        return {step.url_env: step.name for step in self.steps if step.url_env}


@dataclass(frozen=True)
class Manifest:
    retention_s: int
    http: tuple[Step, ...]
    steps: tuple[Step, ...]
    relay_subscribes: tuple[str, ...]
    relay_publishes: str
    relay_ack_deadline_s: int
    allowed_updates: tuple[str, ...] = ()
    workflows: tuple[Workflow, ...] = ()
    relay_announces: str | None = None  # where the relay publishes an agent's change of a conversation

    @property
    def functions(self) -> tuple[Step, ...]:
        """Every function: the public HTTP entry points, the event steps, the workflows' steps."""
        return self.http + self.steps + self.workflow_steps

    @property
    def workflow_steps(self) -> tuple[Step, ...]:
        return tuple(step for workflow in self.workflows for step in workflow.steps)

    def publishes_to(self, part: str) -> tuple[str, ...]:
        """The workflows' trigger topics that `part` (a step's name, or "relay") publishes on."""
        return tuple(w.trigger_topic for w in self.workflows if part in w.published_by)

    @property
    def topics(self) -> tuple[str, ...]:
        """Every topic, in first-mention order, dead-letter topics included."""
        names: list[str] = []
        for step in self.functions:
            names += [*step.topics_in, *([step.topic_out] if step.topic_out else [])]
            names += [step.announces] if step.announces else []
        names += [*self.relay_subscribes, self.relay_publishes]
        names += [self.relay_announces] if self.relay_announces else []
        names += [workflow.trigger_topic for workflow in self.workflows]
        names += [step.dead_letter_topic for step in self.steps]
        return tuple(dict.fromkeys(names))

    def step(self, name: str) -> Step:
        return next(s for s in self.functions if s.name == name)

    @staticmethod
    def relay_subscription(topic: str) -> str:
        return f"relay-{topic}"

    @staticmethod
    def dead_letter_subscription(step: Step) -> str:
        """A pull subscription that holds what a step gave up on, so nothing is lost."""
        return f"{step.dead_letter_topic}-hold"


def _topics(topic_in: str | list[str] | None) -> tuple[str, ...]:
    """`topic_in` is one topic or a list of them."""
    if topic_in is None:
        return ()
    return (topic_in,) if isinstance(topic_in, str) else tuple(topic_in)


def load_manifest(path: Path = MANIFEST_PATH) -> Manifest:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    defaults = data["defaults"]
    event_steps = [entry["name"] for entry in data["steps"]]

    def watches(entry: JSONObject) -> tuple[str, ...]:
        """For a step with `watch_dead_letters: true`, every other event step, in manifest order
        (Terraform reads the key the same way)."""
        return tuple(name for name in event_steps if entry.get("watch_dead_letters") and name != entry["name"])

    def step(entry: JSONObject, retry: RetryPolicy | None) -> Step:
        watched = watches(entry)
        return Step(
            name=entry["name"],
            source=entry["source"],
            entry_point=entry["entry_point"],
            topic_out=entry.get("topic_out"),
            topics_in=_topics(entry.get("topic_in")) + tuple(dead_letter_topic(name) for name in watched),
            watches=watched,
            filter=entry.get("filter"),
            retry=retry,
            url_env=entry.get("url_env"),
            announces=entry.get("announces"),
        )

    def retry_of(entry: JSONObject) -> RetryPolicy:
        retry = {**defaults["retry"], **entry.get("retry", {})}
        return RetryPolicy(
            minimum_backoff_s=_seconds(retry["minimum_backoff"]),
            maximum_backoff_s=_seconds(retry["maximum_backoff"]),
            max_delivery_attempts=int(entry.get("max_delivery_attempts", defaults["max_delivery_attempts"])),
            ack_deadline_s=int(entry.get("ack_deadline_seconds", defaults["ack_deadline_seconds"])),
        )

    return Manifest(
        retention_s=_seconds(data["message_retention"]),
        http=tuple(step(e, None) for e in data["http"]),
        steps=tuple(step(e, retry_of(e)) for e in data["steps"]),
        relay_subscribes=tuple(data["relay"]["subscribes"]),
        relay_publishes=data["relay"]["publishes"],
        allowed_updates=tuple((data.get("telegram") or {}).get("allowed_updates") or ()),
        relay_ack_deadline_s=int(data["relay"].get("ack_deadline_seconds", defaults["ack_deadline_seconds"])),
        relay_announces=data["relay"].get("announces"),
        workflows=tuple(
            Workflow(name=entry["name"], source=entry["source"], trigger_topic=entry["trigger_topic"],
                     published_by=tuple(entry.get("published_by") or ()),
                     steps=tuple(step(s, None) for s in entry.get("steps") or ()))
            for entry in data.get("workflows") or ()),
    )
