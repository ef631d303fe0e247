from pathlib import Path

import pytest

from teledesk.manifest import load_manifest

MANIFEST = """
message_retention: 604800s
defaults:
  ack_deadline_seconds: 30
  retry: {minimum_backoff: 2s, maximum_backoff: 20s}
  max_delivery_attempts: 5
http:
  - {name: hook, source: functions/hook.py, entry_point: hook, topic_out: a}
steps:
  - {name: one, source: functions/one.py, entry_point: one, topic_in: a, topic_out: b, filter: 'attributes.type = "X"'}
  - name: two
    source: functions/two.py
    entry_point: two
    topic_in: b
    topic_out: c
    max_delivery_attempts: 9
    retry: {maximum_backoff: 5s}
relay: {subscribes: [c], publishes: d}
"""


def test_a_new_step_is_one_entry(tmp_path: Path):
    path = tmp_path / "pipeline.yaml"
    path.write_text(MANIFEST)
    manifest = load_manifest(path)
    assert [s.name for s in manifest.functions] == ["hook", "one", "two"]
    assert manifest.topics == ("a", "b", "c", "d", "one-dead-letter", "two-dead-letter")
    assert manifest.retention_s == 7 * 24 * 3600
    two = manifest.step("two")
    assert (two.retry.minimum_backoff_s, two.retry.maximum_backoff_s, two.retry.max_delivery_attempts) == (2, 5, 9)
    assert manifest.step("one").filter == 'attributes.type = "X"'
    assert manifest.step("hook").topics_in == ()
    assert manifest.step("two").subscriptions == {"b": "two-push"}


def test_a_step_may_be_fed_by_several_topics_and_publish_nothing(tmp_path: Path):
    path = tmp_path / "pipeline.yaml"
    count_entry = "  - {name: count, source: functions/count.py, entry_point: count, topic_in: [b, c]}\n"
    path.write_text(MANIFEST.replace("relay:", count_entry + "relay:"))
    manifest = load_manifest(path)
    count = manifest.step("count")
    assert count.topic_out is None
    assert count.subscriptions == {"b": "count-b-push", "c": "count-c-push"}
    assert "count-dead-letter" in manifest.topics
    with pytest.raises(ValueError, match="not fed by"):
        count.subscription("a")


def test_a_step_watching_dead_letters_is_fed_by_every_other_steps_dead_letter_topic(tmp_path: Path):
    path = tmp_path / "pipeline.yaml"
    count_entry = ("  - {name: count, source: functions/count.py, entry_point: count, topic_in: [b, c],"
                   " watch_dead_letters: true}\n")
    three_entry = "  - {name: three, source: functions/three.py, entry_point: three, topic_in: c}\n"
    path.write_text(MANIFEST.replace("relay:", count_entry + three_entry + "relay:"))
    manifest = load_manifest(path)
    count = manifest.step("count")
    assert count.topics_in == ("b", "c", "one-dead-letter", "two-dead-letter", "three-dead-letter")
    assert count.subscription("two-dead-letter") == "count-two-dead-letter-push"
    assert manifest.step("three").topics_in == ("c",)  # the key is the watching step's alone
    assert "count-dead-letter" in manifest.topics  # its own is held, never watched by itself


def test_the_real_manifest_names_modules_that_exist():
    manifest = load_manifest()
    for step in manifest.functions:
        assert step.source_path.is_file(), step.source
        assert f"def {step.entry_point}(" in step.source_path.read_text()
    assert manifest.retention_s == 604800


def test_a_step_may_announce_on_a_second_topic(tmp_path: Path):
    path = tmp_path / "pipeline.yaml"
    path.write_text(MANIFEST.replace("    retry: {maximum_backoff: 5s}\n",
                                     "    retry: {maximum_backoff: 5s}\n    announces: e\n"))
    manifest = load_manifest(path)
    assert (manifest.step("two").announces, manifest.step("one").announces) == ("e", None)
    assert "e" in manifest.topics


def test_the_staffroom_mirrors_three_topics_answers_on_agent_replies_and_announces_changes():
    staffroom = load_manifest().step("staffroom")
    assert staffroom.topics_in == ("messages-enriched", "deliveries", "conversation-changes")
    assert (staffroom.topic_out, staffroom.announces) == ("agent-replies", "conversation-changes")
    assert load_manifest().publishes_to("staffroom") == ("conversation-openings",)


def test_the_staffroom_outlasts_a_queue_for_the_group_s_limit_before_anything_is_parked():
    manifest = load_manifest()
    staffroom, defaults = manifest.step("staffroom").retry, manifest.step("enrich").retry
    assert staffroom is not None and defaults is not None
    assert staffroom.ack_deadline_s >= 300 and staffroom.max_delivery_attempts > defaults.max_delivery_attempts
    assert staffroom.minimum_backoff_s > defaults.minimum_backoff_s
