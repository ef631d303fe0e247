"""`python -m teledesk.replay`: its arguments, what it prints, and its exit status."""

from __future__ import annotations

import pytest
from google.api_core import exceptions as gexc
from google.auth.exceptions import DefaultCredentialsError
from replay_fakes import NOW, FakeRepublisher, FakeSubscriber, FakeTopics, dead_lettered, envelope_bytes, subscription

from teledesk.manifest import load_manifest
from teledesk.replay.__main__ import DONE, FAILED, REFUSED, Clients, main

MANIFEST = load_manifest()


def clients(project: str = "desk", *held) -> Clients:
    steps = [MANIFEST.step("enrich"), MANIFEST.step("deliver")]
    subs = [subscription(step, topic) for step in steps for topic in step.topics_in]
    for sub in subs:
        sub.name, sub.topic = sub.name.replace("/desk/", f"/{project}/"), sub.topic.replace("/desk/", f"/{project}/")
    subscriber = FakeSubscriber(subscriptions={s.name: s for s in subs}, available=list(held))
    return Clients(subscriber, FakeTopics(), subscriber, FakeRepublisher(subscriber.calls))


def replay(*argv: str, using: Clients | None = None) -> int:
    return main(list(argv), clients=using or clients(), manifest=MANIFEST, clock=lambda: NOW)


def test_window_seeks_and_says_what_window_is_replayed(capsys, monkeypatch):
    monkeypatch.delenv("PUBSUB_EMULATOR_HOST", raising=False)
    using = clients()
    assert replay("--project", "desk", "window", "--step", "enrich", "--since", "2026-05-08T11:00:00+01:00",
                  "--yes", using=using) == DONE
    assert capsys.readouterr().out.splitlines() == [
        "replay window of enrich, project desk",
        "enrich: enrich-push sought to 2026-05-08T10:00:00Z: what messages-classified received from "
        "2026-05-08T10:00:00Z to now (2026-05-08T12:00:00Z) is pushed to enrich again",
        "Pub/Sub has no end to a seek: everything published since then is pushed again, and the steps keep each "
        "message once (by its id).",
        "A seek also marks as acknowledged what the subscription still held from before that time (a backlog, a "
        "message being retried): those are not pushed again."]
    [(_, seek)] = [c for c in using.subscriber.calls if c[0] == "seek"]
    assert seek["subscription"] == "projects/desk/subscriptions/enrich-push"


def test_without_yes_a_window_says_what_a_seek_would_drop_and_seeks_nothing(capsys):
    using = clients()
    assert replay("--project", "desk", "window", "--step", "enrich", "--since", "1h", using=using) == REFUSED
    printed = capsys.readouterr()
    assert "marks as acknowledged what the subscription still held" in printed.out
    assert "nothing sought: add --yes to seek enrich's subscriptions to 2026-05-08T11:00:00Z" in printed.err
    assert [c for c in using.subscriber.calls if c[0] == "seek"] == []


def test_the_project_comes_from_the_environment_and_the_emulator_is_named(capsys, monkeypatch):
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "teledesk-prod")
    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", "127.0.0.1:8085")
    using = clients("teledesk-prod")
    assert replay("window", "--step", "deliver", "--since", "30m", "--yes", using=using) == DONE
    assert capsys.readouterr().out.startswith(
        "replay window of deliver, project teledesk-prod on the Pub/Sub emulator at 127.0.0.1:8085\n")
    [(_, seek)] = [c for c in using.subscriber.calls if c[0] == "seek"]
    assert seek["subscription"] == "projects/teledesk-prod/subscriptions/deliver-push"


def test_dead_letters_prints_each_message_moved_and_a_count(capsys):
    data = envelope_bytes(chat_id=9, n=4)
    using = clients("desk", dead_lettered(1, MANIFEST.step("enrich"), "messages-classified", data, full_path=False))
    assert replay("--project", "desk", "dead-letters", "--step", "enrich", using=using) == DONE
    assert capsys.readouterr().out.splitlines()[1:] == [
        "moved tg-9-4 (chat 9) to messages-classified",
        "enrich: moved 1 from enrich-dead-letter-hold back to messages-classified"]


@pytest.mark.parametrize(("argv", "said"), [
    ([], "the following arguments are required: {window,dead-letters}"),
    (["window", "--step", "ingest", "--since", "1h"], "argument --step: invalid choice: 'ingest' (choose from"),
    (["window", "--step", "enrich"], "the following arguments are required: --since"),
    (["window", "--step", "enrich", "--since", "1h", "--until", "now"], "unrecognized arguments: --until now"),
    (["window", "--step", "enrich", "--since", "1h", "--topic", "deliveries"],
     "--topic deliveries: enrich is fed by messages-classified"),
    (["dead-letters", "--step", "deliver", "--max", "0"], "argument --max: 0 is not a positive count"),
    (["dead-letters", "--step", "deliver", "--max", "many"], "argument --max: many is not a positive count"),
])
def test_a_malformed_command_line_exits_2_with_the_usage(capsys, argv, said):
    with pytest.raises(SystemExit) as exited:
        replay(*argv)
    assert exited.value.code == REFUSED
    err = capsys.readouterr().err
    assert said in err and "usage: python -m teledesk.replay" in err


@pytest.mark.parametrize(("since", "said"), [
    ("8d", "replay: refused: --since 2026-04-30T12:00:00Z is older than messages-classified retains (604800 s"),
    ("2026-05-08T13:00:00Z", "replay: refused: --since 2026-05-08T13:00:00Z is in the future"),
    ("2026-05-08 09:00", "replay: refused: --since '2026-05-08 09:00' has no zone"),
    ("last week", "replay: refused: --since 'last week': give an ISO time with its zone"),
])
def test_a_window_outside_what_can_be_replayed_is_refused_with_2_and_nothing_sought(capsys, since, said):
    using = clients()
    assert replay("--project", "desk", "window", "--step", "enrich", "--since", since, "--yes", using=using) == REFUSED
    assert said in capsys.readouterr().err
    assert not [c for c in using.subscriber.calls if c[0] == "seek"]


def test_what_pub_sub_refuses_exits_1_with_its_reason(capsys):
    using = clients()
    using.subscriber.seek_errors["enrich-push"] = gexc.PermissionDenied("User not authorized to perform this action.")
    assert replay("--project", "desk", "window", "--step", "enrich", "--since", "1h", "--yes", using=using) == FAILED
    assert capsys.readouterr().err.startswith(
        "replay: failed: Pub/Sub refused to seek projects/desk/subscriptions/enrich-push to 2026-05-08T11:00:00Z "
        "(already sought: none): User not authorized to perform this action.")


def test_without_credentials_or_an_emulator_it_says_how_to_get_either(capsys, monkeypatch):
    def no_credentials() -> Clients:
        raise DefaultCredentialsError("Your default credentials were not found.")

    monkeypatch.setattr(Clients, "connect", staticmethod(no_credentials))
    assert main(["--project", "desk", "dead-letters", "--step", "enrich"], manifest=MANIFEST) == FAILED
    err = capsys.readouterr().err
    assert "no Google credentials" in err and "PUBSUB_EMULATOR_HOST" in err
