"""`python -m teledesk.replay`: reprocess a step's input (docs/replay.md).

    python -m teledesk.replay window --step enrich --since 2h [--topic messages-classified]
    python -m teledesk.replay dead-letters --step enrich [--max 100]

Exit status: 0 done (what was done is printed), 1 Pub/Sub refused or failed (what was done
before is said), 2 the arguments were refused (a step without an input, a time outside the
retention, …). The project is GOOGLE_CLOUD_PROJECT (or `.env`, or --project); with
PUBSUB_EMULATOR_HOST set, the clients talk to that emulator.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from google import pubsub_v1 as pubsub_api
from google.auth.exceptions import DefaultCredentialsError

from teledesk.manifest import Manifest, Step, load_manifest
from teledesk.pubsub import SyncPublisherClient
from teledesk.replay.dead_letters import HoldApi, RepublishApi, move_dead_letters
from teledesk.replay.refusals import ReplayError
from teledesk.replay.since import SinceError, iso, parse_since
from teledesk.replay.window import SubscriberApi, TopicApi, replay_window
from teledesk.settings import Settings

DONE, FAILED, REFUSED = 0, 1, 2
NO_END = ("Pub/Sub has no end to a seek: everything published since then is pushed again, and the steps "
          "keep each message once (by its id).")
DROPS_OLDER = ("A seek also marks as acknowledged what the subscription still held from before that time (a backlog, "
               "a message being retried): those are not pushed again.")


@dataclass(frozen=True)
class Clients:
    """The Pub/Sub clients a replay uses; tests hand in fakes where the emulator falls short."""

    subscriber: SubscriberApi
    topics: TopicApi
    hold: HoldApi
    republisher: RepublishApi

    @classmethod
    def connect(cls) -> Clients:
        subscriber, publisher = pubsub_api.SubscriberClient(), pubsub_api.PublisherClient()
        return cls(subscriber, publisher, subscriber, SyncPublisherClient(publisher))


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive count")
    return int(text)


def build_parser(manifest: Manifest) -> argparse.ArgumentParser:
    steps = [step.name for step in manifest.steps if step.topics_in]
    parser = argparse.ArgumentParser(
        prog="python -m teledesk.replay",
        description="Reprocess a pipeline step's input: a time window (seek) or its dead letters. See docs/replay.md.")
    parser.add_argument("--project", help="the Google Cloud project (default: GOOGLE_CLOUD_PROJECT, or .env)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="{window,dead-letters}")
    window = commands.add_parser(
        "window", help="push again what a step's input received since a time (seek its push subscription)",
        description=f"Seek the step's push subscription(s) to --since. {NO_END} {DROPS_OLDER}")
    window.add_argument("--step", required=True, choices=steps)
    window.add_argument("--since", required=True,
                        help="an ISO time with its zone (2026-05-01T09:30:00Z) or a span back from now (30m, 2h, 1d)")
    window.add_argument("--topic", help="only this one of the step's input topics (default: all of them)")
    window.add_argument("--yes", action="store_true",
                        help="seek: without it, the command says what a seek would drop and changes nothing")
    dead = commands.add_parser(
        "dead-letters", help="move what a step gave up on back to its input topic",
        description="Pull from <step>-dead-letter-hold, publish each message again on the topic it came from, "
                    "acknowledge it once Pub/Sub took it.")
    dead.add_argument("--step", required=True, choices=steps)
    dead.add_argument("--max", type=_positive, dest="max_messages", help="move at most this many (default: all)")
    dead.add_argument("--topic", help="only what came from this input topic; parked messages (without a source) "
                                      "are taken as coming from it")
    dead.add_argument("--wait", type=float, default=5.0, help="seconds a pull waits for more (default: 5)")
    return parser


def _target(project: str) -> str:
    emulator = os.environ.get("PUBSUB_EMULATOR_HOST")
    return f"project {project} on the Pub/Sub emulator at {emulator}" if emulator else f"project {project}"


def _run(args: argparse.Namespace, step: Step, project: str, clients: Clients, clock: Callable[[], datetime],
         say: Callable[[str], None]) -> None:
    if args.command == "window":
        since = parse_since(args.since, clock())
        if not args.yes:  # before anything is sought: a seek cannot be taken back
            say(DROPS_OLDER)
            raise SinceError(f"nothing sought: add --yes to seek {step.name}'s subscriptions to {iso(since)}")
        for seeked in replay_window(clients.subscriber, clients.topics, project, step, since, args.topic, clock):
            say(seeked.describe(step.name))
        say(NO_END)
        say(DROPS_OLDER)
    else:
        outcome = move_dead_letters(clients.hold, clients.republisher, project, step, only=args.topic,
                                    max_messages=args.max_messages, wait_s=args.wait, report=say)
        say(outcome.describe(step.name))


def main(argv: Sequence[str] | None = None, clients: Clients | None = None, manifest: Manifest | None = None,
         clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> int:
    manifest = manifest or load_manifest()
    parser = build_parser(manifest)
    args = parser.parse_args(argv)  # exits with 2 and the usage on a malformed command line
    step = manifest.step(args.step)
    if args.topic is not None and args.topic not in step.topics_in:
        parser.error(f"--topic {args.topic}: {step.name} is fed by {', '.join(step.topics_in)}")
    project = args.project or Settings.from_env().project_id

    def say(line: str) -> None:
        print(line, flush=True)

    say(f"replay {args.command} of {step.name}, {_target(project)}")
    try:
        _run(args, step, project, clients or Clients.connect(), clock, say)
    except DefaultCredentialsError as exc:
        print(f"replay: failed: no Google credentials ({exc}). Run `gcloud auth application-default login`, "
              "or set PUBSUB_EMULATOR_HOST to replay on the emulator.", file=sys.stderr)
        return FAILED
    except SinceError as exc:
        print(f"replay: refused: {exc}", file=sys.stderr)
        return REFUSED
    except ReplayError as exc:
        print(f"replay: failed: {exc}", file=sys.stderr)
        return FAILED
    return DONE


if __name__ == "__main__":
    sys.exit(main())
