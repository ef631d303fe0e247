"""The Terraform, checked offline: formatting, parsing, and that it derives the pipeline from
pipeline.yaml alone.

Providers cannot be downloaded here, so `terraform validate/plan` of the whole configuration
cannot run. What runs instead: `terraform fmt`, python-hcl2 on every file, and the real
`terraform` evaluating the configuration's `locals` (which need no provider) against the
manifest and against a manifest with more steps and one more workflow, compared with
`teledesk.manifest`.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import importlib.util
import json
import os
import re
import runpy
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from types import ModuleType
from urllib.parse import urlencode

import hcl2
import pytest
import yaml

from teledesk.manifest import Manifest, load_manifest
from teledesk.metrics.catalog import DELIVERIES, METRICS, PREFIX, SLA_BREACHES
from teledesk.telegram.health import TIMEOUT_S as TELEGRAM_HEALTH_TIMEOUT_S

ROOT = Path(__file__).resolve().parents[3]
TF_DIR = ROOT / "terraform"
TF_FILES = sorted(TF_DIR.glob("*.tf"))
DASHBOARD = TF_DIR / "dashboard.json.tftpl"
TERRAFORM = shutil.which("terraform") or "/usr/local/bin/terraform"
HCL_OPTIONS = hcl2.SerializationOptions(with_comments=False, explicit_blocks=False, strip_string_quotes=True)

# One more step, with per-step overrides and no filter: what a product team would add.
EXTRA_STEP = {
    "name": "translate",
    "source": "functions/translate.py",
    "entry_point": "translate",
    "topic_in": "messages-enriched",
    "topic_out": "messages-translated",
    "retry": {"maximum_backoff": "120s"},
    "max_delivery_attempts": 10,
    "ack_deadline_seconds": 120,
}

# A step fed by several topics and by every other step's dead letters, that publishes nothing and
# writes metric series: the metrics step as its manifest entry comes (plus `writes_metrics`).
WATCHING_STEP = {
    "name": "metrics",
    "source": "functions/metrics.py",
    "entry_point": "metrics",
    "topic_in": ["messages-enriched", "deliveries"],
    "watch_dead_letters": True,
    "writes_metrics": True,
    "secrets": [],
}

# A second workflow with a step of its own, started by what the added step and the relay publish:
# what a product team would add next to the conversation's (whose names the real manifest gives).
EXTRA_WORKFLOW = {
    "name": "followup",
    "source": "workflows/followup.yaml",
    "trigger_topic": "followups-due",
    "published_by": [EXTRA_STEP["name"], "relay"],
    "steps": [
        {
            "name": "remind",
            "source": "functions/remind.py",
            "entry_point": "remind",
            "url_env": "DESK_REMIND_URL",
            "topic_out": "reminders-sent",
            "secrets": ["TELEGRAM_BOT_TOKEN"],
        }
    ],
}


# What the default layout (console_layout = "load_balancer") needs besides project_id and relay_image.
LAYOUT_DEFAULTS = {"domain": "desk.example.org", "console_image": "example/console:test"}


# --- helpers ------------------------------------------------------------------------------------


def terraform(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    if not Path(TERRAFORM).is_file():
        # HashiCorp ships it outside Debian and PyPI; the python-hcl2 checks still run without it.
        pytest.skip("the terraform CLI is not installed (see docs/deploy.md, Prerequisites)")
    env = {**os.environ, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1"}
    return subprocess.run(
        [TERRAFORM, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def parsed(path: Path) -> dict:
    """The file as python-hcl2 reads it: parsed once per version of the file (a parse takes a tenth of
    a second, and most tests read every file), a copy each time, which a test may change."""
    return copy.deepcopy(_parsed_version(path, path.stat().st_mtime_ns))


@functools.cache
def _parsed_version(path: Path, mtime_ns: int) -> dict:
    with path.open(encoding="utf-8") as handle:
        return hcl2.load(handle, serialization_options=HCL_OPTIONS)


def blocks(kind: str) -> dict[str, dict]:
    """Every `resource`/`data` of the configuration as {"type.name": body}."""
    found: dict[str, dict] = {}
    for path in TF_FILES:
        for entry in parsed(path).get(kind, []):
            for rtype, named in entry.items():
                for name, body in named.items():
                    found[f"{rtype}.{name}"] = body
    return found


def merged(kind: str) -> dict:
    """Every `locals`, `variable` or `output` of the configuration, merged by name."""
    found: dict = {}
    for path in TF_FILES:
        for entry in parsed(path).get(kind, []):
            found.update(entry)
    return found


def one(body: dict, key: str) -> dict:
    """A nested block that occurs once (python-hcl2 gives blocks as lists)."""
    value = body[key]
    assert isinstance(value, list) and len(value) == 1, f"{key} should be one block"
    return value[0]


def manifest_names(manifest: Manifest) -> set[str]:
    """Every name pipeline.yaml gives or implies: steps (the workflows' too), topics (trigger topics
    and `relay.announces` included), subscriptions, holds."""
    names = {fn.name for fn in manifest.functions} | set(manifest.topics)
    names |= {name for step in manifest.steps for name in step.subscriptions.values()}
    names |= {Manifest.dead_letter_subscription(step) for step in manifest.steps}
    names |= {Manifest.relay_subscription(topic) for topic in manifest.relay_subscribes}
    return names


def seconds(duration: str) -> int:
    return int(duration.removesuffix("s"))


def with_steps(manifest_data: dict, *entries: dict) -> dict:
    """The manifest with these step entries at its end, in place of any step of the same name (the
    real pipeline.yaml may already have one)."""
    names = {entry["name"] for entry in entries}
    return {**manifest_data, "steps": [*(s for s in manifest_data["steps"] if s["name"] not in names), *entries]}


def with_workflows(manifest_data: dict, *entries: dict) -> dict:
    """The manifest with these workflow entries at the end of `workflows`."""
    return {**manifest_data, "workflows": [*manifest_data.get("workflows", []), *entries]}


def workflow_step_entries(manifest_data: dict) -> list[dict]:
    """The manifest entries of the workflows' steps, in manifest order."""
    return [step for workflow in manifest_data.get("workflows", []) for step in workflow.get("steps", [])]


def expected_manifest(path: Path) -> Manifest:
    """teledesk.manifest's reading of a manifest, which Terraform must agree with.

    A step with `watch_dead_letters: true` is also fed by every other step's dead-letter topic,
    after its own topics, in manifest order. Until the loader reads that key (it comes with the
    metrics step) the rule is applied here; a loader that reads it must read it so.
    """
    manifest = load_manifest(path)
    entries = {entry["name"]: entry for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["steps"]}
    steps = []
    for step in manifest.steps:
        if entries[step.name].get("watch_dead_letters"):
            topic_in = entries[step.name]["topic_in"]
            listed = (topic_in,) if isinstance(topic_in, str) else tuple(topic_in)
            watched = listed + tuple(s.dead_letter_topic for s in manifest.steps if s is not step)
            assert step.topics_in in (listed, watched), step.topics_in
            step = dataclasses.replace(step, topics_in=watched)
        steps.append(step)
    return dataclasses.replace(manifest, steps=tuple(steps))


def catalog_descriptors(build_dir: Path) -> Path:
    """The metric descriptors package_functions.py writes beside the zips, in `build_dir`."""
    return load_script().write_metric_descriptors(build_dir)


def evaluate_locals(
    manifest_data: dict,
    workdir: Path,
    stand_ins: dict[str, str] | None = None,
    sensitive: tuple[str, ...] = (),
    **variables: object,
) -> dict:
    """Evaluate the configuration's provider-free `locals` with the real terraform.

    A module made of the `locals` blocks that reference no resource, the variables, and one
    output per local is applied (no provider, so no download); its outputs are returned.
    `stand_ins` maps a resource address (`google_redis_instance.relay`) to an HCL expression
    standing in for it (the list that `count` makes), so that the locals built on it are
    evaluated too; the outputs named in `sensitive` are declared sensitive (terraform refuses
    to output a sensitive value otherwise, which is how a test sees what is sensitive).
    """
    module = workdir / "terraform"
    module.mkdir(parents=True)
    (workdir / "pipeline.yaml").write_text(yaml.safe_dump(manifest_data), encoding="utf-8")
    shutil.copy(TF_DIR / "variables.tf", module / "variables.tf")
    stand_ins = stand_ins or {}
    replacements = {address: f"stand_in_{i}" for i, address in enumerate(stand_ins)}
    names: list[str] = []
    texts: list[str] = []
    if stand_ins:
        texts.append("locals {\n" + "".join(f"  {replacements[a]} = {e}\n" for a, e in stand_ins.items()) + "}\n")
    for path in TF_FILES:
        for block in re.findall(r"^locals \{\n.*?^\}\n", path.read_text(encoding="utf-8"), re.M | re.S):
            for address, name in replacements.items():
                block = re.sub(rf"\b{re.escape(address)}\b", f"local.{name}", block)
            if re.search(r"\bgoogle_\w+\.\w+", block):
                continue  # refers to a resource: needs a provider
            texts.append(block)
            names += [n for entry in hcl2.loads(block, serialization_options=HCL_OPTIONS)["locals"] for n in entry]
    outputs = "".join(
        f'output "{n}" {{\n  value = local.{n}\n' + ("  sensitive = true\n" if n in sensitive else "") + "}\n"
        for n in names
    )
    (module / "locals.tf").write_text("\n".join(texts) + outputs, encoding="utf-8")
    tfvars = {"project_id": "teledesk-test", "relay_image": "example/relay:test", **LAYOUT_DEFAULTS, **variables}
    (module / "test.auto.tfvars.json").write_text(json.dumps(tfvars), encoding="utf-8")
    for args in (("init", "-input=false", "-no-color"), ("apply", "-auto-approve", "-input=false", "-no-color")):
        run = terraform(*args, cwd=module)
        assert run.returncode == 0, run.stdout + run.stderr
    run = terraform("output", "-json", cwd=module)
    assert run.returncode == 0, run.stderr
    return {name: out["value"] for name, out in json.loads(run.stdout).items()}


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("package_functions", TF_DIR / "package_functions.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def project_copy(tmp_path: Path, manifest_data: dict | None = None) -> Path:
    """A project root with the real teledesk package, pyproject and lock, and throwaway step modules
    (the real ones are written by someone else at the same time)."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copytree(ROOT / "teledesk", root / "teledesk", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy(ROOT / name, root / name)
    data = manifest_data or yaml.safe_load((ROOT / "pipeline.yaml").read_text(encoding="utf-8"))
    (root / "pipeline.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    for entry in [*data["http"], *data["steps"], *workflow_step_entries(data)]:
        module = root / entry["source"]
        module.parent.mkdir(parents=True, exist_ok=True)
        module.write_text(
            f'"""Throwaway {entry["name"]} for the packaging test."""\n\n\n'
            f"def {entry['entry_point']}(request):\n    return 'ok from {entry['name']}'\n",
            encoding="utf-8",
        )
    return root


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    return expected_manifest(ROOT / "pipeline.yaml")


@pytest.fixture(scope="module")
def manifest_data() -> dict:
    return yaml.safe_load((ROOT / "pipeline.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def derived(tmp_path_factory: pytest.TempPathFactory, manifest_data: dict) -> dict:
    return evaluate_locals(manifest_data, tmp_path_factory.mktemp("tf-locals"))


@pytest.fixture(scope="module")
def extended_data(manifest_data: dict) -> dict:
    """The manifest with one more ordinary step, the step that watches everything, and a second
    workflow with a step of its own."""
    return with_workflows(with_steps(manifest_data, EXTRA_STEP, WATCHING_STEP), EXTRA_WORKFLOW)


@pytest.fixture(scope="module")
def extended(tmp_path_factory: pytest.TempPathFactory, extended_data: dict) -> Manifest:
    path = tmp_path_factory.mktemp("extended") / "pipeline.yaml"
    path.write_text(yaml.safe_dump(extended_data), encoding="utf-8")
    return expected_manifest(path)


@pytest.fixture(scope="module")
def derived_extended(tmp_path_factory: pytest.TempPathFactory, extended_data: dict) -> dict:
    """The locals for the extended manifest, with the metric descriptors written and two
    notification channels given."""
    build = tmp_path_factory.mktemp("build")
    catalog_descriptors(build)
    return evaluate_locals(
        extended_data,
        tmp_path_factory.mktemp("tf-extended"),
        functions_build_dir=str(build),
        notification_channels=["1234567890", "projects/elsewhere/notificationChannels/42"],
    )


# --- formatting and parsing -----------------------------------------------------------------------


def test_terraform_is_formatted() -> None:
    run = terraform("fmt", "-check", "-recursive", "-diff", str(TF_DIR), cwd=ROOT)
    assert run.returncode == 0, f"run `terraform fmt -recursive terraform/`:\n{run.stdout}{run.stderr}"


@pytest.mark.parametrize("path", TF_FILES, ids=lambda p: p.name)
def test_every_tf_file_parses(path: Path) -> None:
    assert parsed(path), f"{path.name} is empty"


def test_the_expected_files_exist() -> None:
    names = {p.name for p in TF_FILES}
    assert {"versions.tf", "variables.tf", "outputs.tf", "main.tf"} <= names
    assert DASHBOARD.is_file()


def test_providers_are_google_7_and_time_with_the_state_in_a_gcs_backend() -> None:
    terraform_block = parsed(TF_DIR / "versions.tf")["terraform"][0]
    providers = terraform_block["required_providers"][0]
    assert (providers["google"]["source"], providers["google"]["version"]) == ("hashicorp/google", "~> 7.0")
    assert (providers["google-beta"]["source"], providers["google-beta"]["version"]) == (
        "hashicorp/google-beta",
        "~> 7.0",
    )
    # time_sleep: the propagation waits.
    assert providers["time"]["source"] == "hashicorp/time"
    # 1.9 on: `domain`'s validation names console_layout.
    assert terraform_block["required_version"] == ">= 1.9.0"
    # A partial GCS backend: `make deploy` gives the bucket and prefix at init, nothing is written here.
    assert terraform_block["backend"] == [{"gcs": {}}]
    text = (TF_DIR / "versions.tf").read_text(encoding="utf-8")
    assert "-backend-config=bucket=" in text and "-backend-config=prefix=teledesk" in text
    # What provider 7's upgrade guide removed or made output-only is set nowhere.
    resources = blocks("resource")
    assert "enable_flow_logs" not in resources["google_compute_subnetwork.relay"]
    function = resources["google_cloudfunctions2_function.fn"]
    assert "service" not in one(function, "service_config") and "event_trigger" not in function
    assert resources["google_project_service.apis"]["disable_on_destroy"] is False


# --- the manifest is the one source of the pipeline --------------------------------------------------


def test_terraform_reads_the_manifest_with_yamldecode() -> None:
    manifest_local = merged("locals")["manifest"]
    assert manifest_local == '${yamldecode(file("${path.module}/../pipeline.yaml"))}'


# A custom metric's type names a metric of teledesk/metrics/catalog.py, not a step or a topic
# (`deliveries` is both a topic and a metric): as a filter's metric.type, or as PromQL names it.
CUSTOM_METRIC_TYPE = re.compile(r"custom\.googleapis\.com/teledesk/(\w+)|custom_googleapis_com:teledesk_(\w+)")
# ... and the shared package's modules (and what is imported from them) are named after what they
# hold, not after a step.
PACKAGE_MODULE = re.compile(r"\bteledesk[./]\w+(?:[./]\w+)*(?: import [\w, ]+)?")
# ... and Terraform's `lifecycle { precondition ... }` block is HCL's, whatever a step is called.
LIFECYCLE_BLOCK = re.compile(r"^[ \t]*lifecycle(?=[ \t]*\{[ \t]*$)", re.M)


def test_no_step_topic_or_subscription_is_named_in_terraform(manifest: Manifest, extended: Manifest) -> None:
    names = manifest_names(manifest) | manifest_names(extended)
    assert len(names) > len(manifest.functions)
    offenders = []
    # A workflow's name is an everyday word ("conversation"), which the comments and the alerts'
    # texts may use: only a literal of it (`"conversation"`, `["conversation"]`) would be a name.
    workflow_names = {w.name for w in manifest.workflows} | {w.name for w in extended.workflows}
    assert workflow_names
    for path in sorted(p for p in TF_DIR.iterdir() if p.is_file()):
        text = path.read_text(encoding="utf-8")
        for exempt in (CUSTOM_METRIC_TYPE, PACKAGE_MODULE, LIFECYCLE_BLOCK):
            text = exempt.sub(lambda m: " " * len(m.group(0)), text)
        for name in sorted(names):
            for match in re.finditer(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", text, re.I):
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{path.name}:{line}: {name}")
        for name in sorted(workflow_names):
            for match in re.finditer(rf"[\"']{re.escape(name)}[\"']", text, re.I):
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{path.name}:{line}: {name}")
    assert not offenders, "names from pipeline.yaml written into terraform/:\n" + "\n".join(offenders)


def test_every_pipeline_resource_is_a_for_each_over_the_manifest() -> None:
    resources = blocks("resource")
    derived_from = {
        "google_pubsub_topic.all": "${local.topics}",
        "google_pubsub_subscription.push": "${local.push_subscriptions}",
        "google_pubsub_subscription_iam_member.dead_letter_subscriber": "${local.push_subscriptions}",
        "google_pubsub_subscription.dead_letter_hold": "${local.event_steps}",
        "google_pubsub_topic_iam_member.dead_letter_publisher": "${local.event_steps}",
        "google_pubsub_subscription.relay": "${local.relay_subscriptions}",
        "google_cloudfunctions2_function.fn": "${local.functions}",
        "google_service_account.fn": "${local.functions}",
        "google_storage_bucket_object.source": "${local.functions}",
        "google_cloud_run_v2_service_iam_member.push_invoker": "${local.event_steps}",
        "google_cloud_run_v2_service_iam_member.http_public": "${local.http_entries}",
        "google_workflows_workflow.wf": "${local.workflows}",
        "google_eventarc_trigger.workflow": "${local.workflows}",
        "google_service_account.workflow": "${local.workflows}",
        "google_service_account.trigger": "${local.workflows}",
        "google_project_iam_member.workflow_log_writer": "${local.workflows}",
        "google_project_iam_member.trigger_workflows_invoker": "${local.workflows}",
        "google_service_account_iam_member.pubsub_mints_trigger_tokens": "${local.workflows}",
        "google_cloud_run_v2_service_iam_member.workflow_invoker": "${local.workflow_step_invokers}",
        "google_pubsub_topic_iam_member.relay_publisher_more": (
            "${setsubtract(local.relay_publish_topics, [local.relay_publishes])}"
        ),
    }
    for address, source in derived_from.items():
        assert resources[address]["for_each"] == source, address


def test_locals_derive_every_name_the_manifest_implies(derived: dict, manifest: Manifest) -> None:
    check_derivation(derived, manifest)


def test_adding_a_step_to_the_manifest_needs_no_terraform_change(
    derived_extended: dict, extended: Manifest, manifest_data: dict
) -> None:
    check_derivation(derived_extended, extended)
    step = derived_extended["event_steps"][EXTRA_STEP["name"]]
    assert step["filter"] is None
    default_minimum = manifest_data["defaults"]["retry"]["minimum_backoff"]
    assert (step["maximum_backoff"], step["minimum_backoff"]) == ("120s", default_minimum)
    assert (step["max_delivery_attempts"], step["ack_deadline_seconds"]) == (10, 120)
    assert "messages-translated" in derived_extended["topics"]


def test_a_step_fed_by_several_topics_and_the_dead_letters_needs_no_terraform_change(
    derived_extended: dict, extended: Manifest
) -> None:
    name = WATCHING_STEP["name"]
    others = [s for s in extended.steps if s.name != name]
    step = derived_extended["event_steps"][name]
    # Its own topics first, then every other step's dead-letter topic (the added one's too).
    assert step["topics_in"] == [*WATCHING_STEP["topic_in"], *(s.dead_letter_topic for s in others)]
    assert f"{EXTRA_STEP['name']}-dead-letter" in step["topics_in"]
    assert f"{name}-dead-letter" not in step["topics_in"]  # never its own
    # One push subscription for each, `<step>-<topic>-push`, keyed `<step>/<topic>`; each with the
    # Pub/Sub service agent's grant to forward what it gives up on.
    pushes = {k: v for k, v in derived_extended["push_subscriptions"].items() if v["step"] == name}
    assert {k: v["subscription"] for k, v in pushes.items()} == {
        f"{name}/{topic}": f"{name}-{topic}-push" for topic in step["topics_in"]
    }
    # A step fed by one topic keeps the address it had: its name.
    for other in (s for s in others if len(s.topics_in) == 1):
        assert derived_extended["push_subscriptions"][other.name]["subscription"] == f"{other.name}-push"
    # It publishes nothing but its own dead letters, and no topic is made up for it.
    function = derived_extended["functions"][name]
    assert function["topic_out"] is None
    assert function["publishes"] == [f"{name}-dead-letter"]
    assert None not in derived_extended["topics"]
    # Its subscriptions are watched for dead letters and lag like the others'.
    for regex in ("push_subscriptions_regex", "lag_watched_regex"):
        assert {s["subscription"] for s in pushes.values()} <= set(derived_extended[regex].split("|"))


def check_derivation(derived: dict, manifest: Manifest) -> None:
    assert set(derived["topics"]) == set(manifest.topics)
    assert derived["retention"] == f"{manifest.retention_s}s"
    assert set(derived["functions"]) == {fn.name for fn in manifest.functions}
    workflow_steps = {step.name for step in manifest.workflow_steps}
    for fn in manifest.functions:
        got = derived["functions"][fn.name]
        assert (got["entry_point"], got["source"], got["topic_out"]) == (fn.entry_point, fn.source, fn.topic_out)
        # (The kind decides the ingress: only "http" takes calls from outside Google.)
        assert got["kind"] == ("workflow" if fn.name in workflow_steps else "event" if fn.topics_in else "http")
        # Its topic_out if it has one, an event step its own dead-letter topic, what it announces
        # on, and the trigger topic of every workflow whose `published_by` names it.
        own = [*([fn.topic_out] if fn.topic_out else []), *([fn.dead_letter_topic] if fn.topics_in else []),
               *([fn.announces] if fn.announces else [])]
        assert got["publishes"] == own + list(manifest.publishes_to(fn.name))
    assert set(derived["event_steps"]) == {step.name for step in manifest.steps}
    for step in manifest.steps:
        got = derived["event_steps"][step.name]
        assert got["topics_in"] == list(step.topics_in)
        assert got["subscriptions"] == step.subscriptions
        assert got["dead_letter_topic"] == step.dead_letter_topic
        assert got["dead_letter_hold"] == Manifest.dead_letter_subscription(step)
        assert (got["topic_out"], got["filter"]) == (step.topic_out, step.filter)
        assert step.retry is not None
        assert seconds(got["minimum_backoff"]) == step.retry.minimum_backoff_s
        assert seconds(got["maximum_backoff"]) == step.retry.maximum_backoff_s
        assert got["max_delivery_attempts"] == step.retry.max_delivery_attempts
        assert got["ack_deadline_seconds"] == step.retry.ack_deadline_s == got["timeout"]
        # A step parks unreadable messages itself: it may publish on its own dead-letter topic.
        assert step.dead_letter_topic in derived["functions"][step.name]["publishes"]
    # One push subscription per (step, topic), carrying its step's policies.
    pushes = {(s.name, topic): name for s in manifest.steps for topic, name in s.subscriptions.items()}
    assert {(p["step"], p["topic"]): p["subscription"] for p in derived["push_subscriptions"].values()} == pushes
    for push in derived["push_subscriptions"].values():
        step = derived["event_steps"][push["step"]]
        policy = ("filter", "ack_deadline_seconds", "minimum_backoff", "maximum_backoff", "max_delivery_attempts")
        assert {k: push[k] for k in policy} == {k: step[k] for k in policy}
        assert push["dead_letter_topic"] == step["dead_letter_topic"]
    assert set(derived["relay_subscribes"]) == set(manifest.relay_subscribes)
    assert derived["relay_subscriptions"] == {t: Manifest.relay_subscription(t) for t in manifest.relay_subscribes}
    assert derived["relay_publishes"] == manifest.relay_publishes
    assert derived["webhook_function"] == manifest.http[0].name
    assert set(derived["push_subscriptions_regex"].split("|")) == set(pushes.values())
    holds = {Manifest.dead_letter_subscription(s) for s in manifest.steps}
    assert set(derived["holds_regex"].split("|")) == holds
    # Each function may read only its secrets, and publish only on its own topics.
    for key, grant in derived["function_secret_grants"].items():
        assert key == f"{grant['function']}/{key.split('/')[1]}"
    publishers = {(g["function"], g["topic"]) for g in derived["function_publish_grants"].values()}
    expected = {(fn.name, fn.topic_out) for fn in manifest.functions if fn.topic_out}
    expected |= {(s.name, s.dead_letter_topic) for s in manifest.steps}
    expected |= {(fn.name, fn.announces) for fn in manifest.functions if fn.announces}
    expected |= {(fn.name, topic) for fn in manifest.functions for topic in manifest.publishes_to(fn.name)}
    assert publishers == expected
    # The workflows: one per manifest entry, on its trigger topic, finding each step's URL in the
    # step's `url_env`.
    assert set(derived["workflows"]) == {w.name for w in manifest.workflows}
    for workflow in manifest.workflows:
        got = derived["workflows"][workflow.name]
        assert (got["source"], got["trigger_topic"]) == (workflow.source, workflow.trigger_topic)
        assert got["published_by"] == list(workflow.published_by)
        assert got["steps"] == [step.name for step in workflow.steps]
        assert got["step_urls"] == workflow.step_urls
        assert got["steps_without_url"] == []
        assert workflow.trigger_topic in derived["topics"]
    # The relay publishes the agents' answers, announces on `relay.announces`, and may start the
    # workflows whose `published_by` has "relay".
    relay_topics = {manifest.relay_publishes, *manifest.publishes_to("relay")}
    relay_topics |= {manifest.relay_announces} if manifest.relay_announces else set()
    assert set(derived["relay_publish_topics"]) == relay_topics


def test_relay_subscriptions_are_watched_for_lag_only_when_the_relay_stays_up(
    tmp_path: Path, manifest_data: dict, derived: dict, manifest: Manifest
) -> None:
    relay_subscriptions = {Manifest.relay_subscription(t) for t in manifest.relay_subscribes}
    assert not relay_subscriptions & set(derived["lag_watched_regex"].split("|"))
    always_on = evaluate_locals(manifest_data, tmp_path, relay_min_instances=1)
    assert relay_subscriptions <= set(always_on["lag_watched_regex"].split("|"))


# --- what each resource promises ------------------------------------------------------------------------


def test_topics_keep_messages_for_the_manifest_retention() -> None:
    topic = blocks("resource")["google_pubsub_topic.all"]
    assert topic["message_retention_duration"] == "${local.retention}"
    assert merged("locals")["retention"] == "${local.manifest.message_retention}"


def test_push_subscriptions_retry_dead_letter_and_keep_order() -> None:
    push = blocks("resource")["google_pubsub_subscription.push"]
    assert push["name"] == "${each.value.subscription}"
    assert push["topic"] == "${google_pubsub_topic.all[each.value.topic].id}"
    assert push["enable_message_ordering"] is True
    assert push["filter"] == "${each.value.filter}"
    assert push["ack_deadline_seconds"] == "${each.value.ack_deadline_seconds}"
    config = one(push, "push_config")
    assert "google_cloudfunctions2_function.fn[each.value.step]" in config["push_endpoint"]
    assert one(config, "oidc_token")["service_account_email"] == "${google_service_account.push_invoker.email}"
    assert one(push, "retry_policy") == {
        "minimum_backoff": "${each.value.minimum_backoff}",
        "maximum_backoff": "${each.value.maximum_backoff}",
    }
    dead_letter = one(push, "dead_letter_policy")
    assert dead_letter["dead_letter_topic"] == "${google_pubsub_topic.all[each.value.dead_letter_topic].id}"
    assert dead_letter["max_delivery_attempts"] == "${each.value.max_delivery_attempts}"


def test_dead_letters_are_held_and_the_pubsub_agent_may_move_them() -> None:
    resources = blocks("resource")
    hold = resources["google_pubsub_subscription.dead_letter_hold"]
    assert hold["topic"] == "${google_pubsub_topic.all[each.value.dead_letter_topic].id}"
    assert "push_config" not in hold
    assert one(hold, "expiration_policy")["ttl"] == ""
    agent = "serviceAccount:${google_project_service_identity.pubsub.email}"
    publisher = resources["google_pubsub_topic_iam_member.dead_letter_publisher"]
    assert (publisher["role"], publisher["member"]) == ("roles/pubsub.publisher", agent)
    subscriber = resources["google_pubsub_subscription_iam_member.dead_letter_subscriber"]
    assert (subscriber["role"], subscriber["member"]) == ("roles/pubsub.subscriber", agent)
    # on every push subscription, a step's several included
    assert subscriber["subscription"] == "${google_pubsub_subscription.push[each.key].name}"
    assert resources["google_service_account_iam_member.pubsub_mints_push_tokens"]["member"] == agent


def test_functions_are_gen2_python_internal_unless_http(derived: dict) -> None:
    fn = blocks("resource")["google_cloudfunctions2_function.fn"]
    build = one(fn, "build_config")
    assert build["runtime"] == "${var.function_runtime}"
    assert merged("variable")["function_runtime"]["default"] == "python311"
    assert build["entry_point"] == "${each.value.entry_point}"
    assert "storage_source" in one(build, "source")
    service = one(fn, "service_config")
    # Internal unless HTTP: an event step or a workflow's step (which is which: check_derivation).
    assert service["ingress_settings"] == '${each.value.kind == "http" ? "ALLOW_ALL" : "ALLOW_INTERNAL_ONLY"}'
    assert {fn["kind"] for fn in derived["functions"].values()} == {"http", "event", "workflow"}
    assert service["service_account_email"] == "${google_service_account.fn[each.key].email}"
    assert service["environment_variables"] == "${local.function_environment[each.key]}"
    variables = merged("variable")
    for env in derived["function_environment"].values():
        assert env["GOOGLE_CLOUD_PROJECT"] == "teledesk-test"
        assert env["TELEGRAM_API_BASE"] == variables["telegram_api_base"]["default"]
        # as many server threads as pushes an instance takes at once
        assert env["THREADS"] == str(variables["function_concurrency"]["default"])
    # Several pushes at once per instance, on enough CPU for it.
    assert service["max_instance_request_concurrency"] == "${var.function_concurrency}"
    assert service["available_cpu"] == "${var.function_cpu}"
    assert variables["function_concurrency"]["default"] > 1 and variables["function_cpu"]["default"] == "1"
    secrets = service["dynamic"][0]["secret_environment_variables"]
    assert secrets["for_each"] == "${toset(each.value.secrets)}"
    secret_ids = merged("locals")["secret_ids"]
    assert {"TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET"} <= set(secret_ids)


def test_only_http_entry_points_and_the_relay_are_public() -> None:
    public = {a for a, body in blocks("resource").items() if body.get("member") == "allUsers"}
    assert public == {
        "google_cloud_run_v2_service_iam_member.http_public",
        "google_cloud_run_v2_service_iam_member.relay_public",
        # behind the load balancer, which passes no identity of its own
        "google_cloud_run_v2_service_iam_member.console_public",
    }
    invoker = blocks("resource")["google_cloud_run_v2_service_iam_member.push_invoker"]
    assert invoker["role"] == "roles/run.invoker"
    assert invoker["member"] == "serviceAccount:${google_service_account.push_invoker.email}"


def test_no_identity_gets_a_broad_project_role() -> None:
    allowed = {
        "roles/datastore.user",
        "roles/monitoring.metricWriter",
        "roles/logging.logWriter",
        "roles/artifactregistry.writer",
        # Workflows takes its roles on the project only: the triggers' accounts start executions.
        "roles/workflows.invoker",
    }
    for address, body in blocks("resource").items():
        if address.startswith("google_project_iam_member."):
            # Either one literal role, or `for_each = toset(["roles/a", "roles/b"])` with role = each.key.
            roles = set(body["for_each"].split('"')[1::2]) if body["role"] == "${each.key}" else {body["role"]}
            if "condition" in body:
                continue  # narrowed to one resource: see the build account's test
            assert roles <= allowed, f"{address}: {roles - allowed}"


def test_relay_runs_on_cloud_run_with_affinity_long_timeout_and_secrets() -> None:
    relay = blocks("resource")["google_cloud_run_v2_service.relay"]
    template = one(relay, "template")
    assert template["session_affinity"] is True
    assert template["timeout"] == "3600s"
    scaling = one(template, "scaling")
    assert scaling["min_instance_count"] == "${var.relay_min_instances}"
    assert merged("variable")["relay_min_instances"]["default"] == 0
    secrets = merged("locals")["relay_secrets"]
    assert set(secrets) == {"DESK_ADMIN_PASSWORD", "DESK_SESSION_SECRET", "TELEGRAM_BOT_TOKEN"}


def test_firestore_is_native_with_ttls_on_update_dedupe_and_the_metrics_ledger(derived: dict) -> None:
    resources = blocks("resource")
    assert resources["google_firestore_database.desk"]["type"] == "FIRESTORE_NATIVE"
    ttl = resources["google_firestore_field.ttl"]
    assert ttl["for_each"] == "${local.ttl_fields}"
    assert (ttl["collection"], ttl["field"]) == ("${each.key}", "${each.value}")
    assert "ttl_config" in ttl
    # Webhook dedupe records, the metric writers' ledger of what they counted (metrics_seen), and a
    # relay's sessions without Redis.
    assert derived["ttl_fields"] == {"updates": "expires_at", "metrics_seen": "expires_at", "sessions": "expires_at"}
    assert merged("locals")["dedupe_collection"] == "updates"
    # The dedupe TTL's state moves to its new address instead of being destroyed and made again.
    (moved,) = parsed(TF_DIR / "firestore.tf")["moved"]
    assert moved == {"from": "${google_firestore_field.dedupe_ttl}", "to": '${google_firestore_field.ttl["updates"]}'}
    # Neither timestamp of a noted update is queried, and both only increase: no indexes on them.
    received = resources["google_firestore_field.dedupe_received_at"]
    assert (received["collection"], received["field"]) == ("${local.dedupe_collection}", "received_at")
    for field in (ttl, received):
        assert field["index_config"] in ({}, [{}])


def test_the_metrics_ledger_s_fields_are_not_indexed() -> None:
    """Nothing queries them (teledesk.metrics reads markers by `counted_at`, which stays indexed,
    and hours by `hour`), and each index entry would be one more write on every counted event."""
    from teledesk.metrics.ledger import HOURS, SEEN, TOTALS
    from teledesk.metrics.stored import COUNTERS, DISTRIBUTIONS

    field = blocks("resource")["google_firestore_field.metrics_unindexed"]
    exempt = {f"{c}/{f}" for c in (SEEN, HOURS, TOTALS) for f in (COUNTERS, DISTRIBUTIONS)} | {
        f"{SEEN}/{f}" for f in ("at", "key", "hour")}
    assert set(field["for_each"].removeprefix("${toset(").removesuffix(")}").replace('"', "").replace(" ", "")
               .strip("[]").split(",")) - {""} == exempt
    assert field["index_config"] in ({}, [{}])


def test_the_agents_search_has_its_collection_group_index() -> None:
    field = blocks("resource")["google_firestore_field.messages_stored_at"]
    assert (field["collection"], field["field"]) == ("messages", "stored_at")
    indexes = [(i["order"], i["query_scope"]) for i in one(field, "index_config")["indexes"]]
    assert ("DESCENDING", "COLLECTION_GROUP") in indexes  # the search orders the group so
    assert {("ASCENDING", "COLLECTION"), ("DESCENDING", "COLLECTION")} <= set(indexes)  # history pages


def test_required_apis_are_enabled() -> None:
    apis = merged("locals")["apis"]
    for api in (
        "pubsub",
        "cloudfunctions",
        "run",
        "eventarc",
        "workflows",
        "firestore",
        "secretmanager",
        "monitoring",
        "cloudbuild",
        "artifactregistry",
        "iam",
    ):
        assert f"{api}.googleapis.com" in apis, api


def test_variables_and_outputs() -> None:
    variables = merged("variable")
    for name in ("project_id", "relay_image"):
        assert "default" not in variables[name], f"{name} must be given"
    assert variables["region"]["default"] == "europe-west1"
    assert variables["alert_email"]["default"] == ""
    assert variables["notification_channels"]["default"] == []
    for name in ("telegram_bot_token_secret_id", "telegram_webhook_secret_secret_id", "functions_source_bucket"):
        assert name in variables
    outputs = merged("output")
    expected = {"webhook_url", "webhook_secret_version", "console_url", "relay_redis", "relay_max_instances"}
    assert expected <= set(outputs)
    assert "google_workflows_workflow.wf" in outputs["workflows"]["value"]


def test_alerts_on_dead_letters_and_old_unacked_messages() -> None:
    resources = blocks("resource")
    dead = resources["google_monitoring_alert_policy.dead_letters"]["conditions"]
    assert all(c["condition_threshold"][0]["threshold_value"] == 0 for c in dead)
    assert all(c["condition_threshold"][0]["comparison"] == "COMPARISON_GT" for c in dead)
    assert any("dead_letter_message_count" in c["condition_threshold"][0]["filter"] for c in dead)
    replay = one(resources["google_monitoring_alert_policy.dead_letters"], "documentation")["content"]
    assert "python -m teledesk.replay dead-letters --step" in replay
    (lag,) = resources["google_monitoring_alert_policy.backlog_age"]["conditions"]
    assert "oldest_unacked_message_age" in lag["condition_threshold"][0]["filter"]
    assert lag["condition_threshold"][0]["threshold_value"] == "${var.oldest_unacked_alert_seconds}"
    assert merged("variable")["oldest_unacked_alert_seconds"]["default"] == 300


# --- metric series, alerts and where they go ------------------------------------------------------------


def alert_policies() -> dict[str, dict]:
    return {a: b for a, b in blocks("resource").items() if a.startswith("google_monitoring_alert_policy.")}


def test_only_the_functions_that_write_metrics_may_and_are_told_to(
    derived: dict, derived_extended: dict, manifest_data: dict, extended_data: dict
) -> None:
    grant = blocks("resource")["google_project_iam_member.fn_metric_writer"]
    assert grant["for_each"] == "${local.metric_writers}"
    assert grant["role"] == "roles/monitoring.metricWriter"
    assert grant["member"] == "serviceAccount:${google_service_account.fn[each.key].email}"
    for data, got in ((manifest_data, derived), (extended_data, derived_extended)):
        writers = {e["name"] for e in [*data["http"], *data["steps"]] if e.get("writes_metrics")}
        assert set(got["metric_writers"]) == writers
        for name, env in got["function_environment"].items():
            assert env.get("DESK_METRICS") == ("cloud" if name in writers else None), name
    assert derived_extended["metric_writers"] == [WATCHING_STEP["name"]]
    # Every function still reaches Firestore.
    assert blocks("resource")["google_project_iam_member.fn_datastore"]["for_each"] == "${local.functions}"


def test_agents_uploads_go_to_a_bucket_the_relay_writes_and_only_upload_readers_read(
    derived: dict, derived_extended: dict, manifest_data: dict, extended_data: dict
) -> None:
    bucket = blocks("resource")["google_storage_bucket.uploads"]
    assert bucket["name"] == "${local.uploads_bucket}" and bucket["public_access_prevention"] == "enforced"
    # (and a second rule: the versions an overwrite or that deletion leaves, a day later)
    (rule,) = [r for r in bucket["lifecycle_rule"] if "age" in one(r, "condition")]
    assert one(rule, "condition")["age"] == "${var.uploads_retention_days}" and one(rule, "action")["type"] == "Delete"
    writer = blocks("resource")["google_storage_bucket_iam_member.uploads_writer"]
    assert writer["member"] == "serviceAccount:${google_service_account.relay.email}"
    reader = blocks("resource")["google_storage_bucket_iam_member.uploads_reader"]
    assert reader["for_each"] == "${local.upload_readers}" and reader["role"] == "roles/storage.objectViewer"
    for data, got in ((manifest_data, derived), (extended_data, derived_extended)):
        entries = [*data["http"], *data["steps"], *[s for w in data.get("workflows", []) for s in w["steps"]]]
        readers = {e["name"] for e in entries if e.get("reads_uploads")}
        assert readers == {"deliver"} and set(got["upload_readers"]) == readers  # deliver sends the files
        assert got["uploads_bucket"] == "teledesk-test-teledesk-uploads"
        for name, env in got["function_environment"].items():
            assert env.get("DESK_BLOB_BUCKET") == (got["uploads_bucket"] if name in readers else None), name


def test_function_env_is_passed_on_and_terraform_s_settings_win(tmp_path: Path, extended_data: dict) -> None:
    env = evaluate_locals(extended_data, tmp_path, function_env={"DESK_METRICS": "local", "DESK_CSAT": "off"})[
        "function_environment"
    ]
    assert env[WATCHING_STEP["name"]]["DESK_METRICS"] == "cloud"
    assert env[EXTRA_STEP["name"]]["DESK_METRICS"] == "local"  # not a metric writer: left as given
    assert {e["DESK_CSAT"] for e in env.values()} == {"off"}


def test_the_metric_descriptors_are_the_catalog_s(tmp_path: Path, derived: dict, derived_extended: dict) -> None:
    descriptors = json.loads(catalog_descriptors(tmp_path).read_text(encoding="utf-8"))
    assert derived_extended["custom_metrics"] == descriptors
    assert set(descriptors) == {m.name for m in METRICS}
    for metric in METRICS:
        got = descriptors[metric.name]
        assert (got["type"], got["metric_kind"], got["value_type"], got["unit"]) == (
            metric.type, metric.kind.value, metric.value_type.value, metric.unit
        )
        assert got["labels"] == metric.labels and got["description"] == metric.description
        assert got["display_name"] == metric.display_name  # the exporter writes the same, or they undo each other
    resources = blocks("resource")
    descriptor = resources["google_monitoring_metric_descriptor.desk"]
    assert descriptor["for_each"] == "${local.custom_metrics}"
    assert descriptor["display_name"] == "${each.value.display_name}"
    assert (descriptor["type"], descriptor["metric_kind"]) == ("${each.value.type}", "${each.value.metric_kind}")
    (labels,) = dynamic_blocks(descriptor, "labels")
    assert labels["for_each"] == "${each.value.labels}"
    # Without them (package_functions.py not run) nothing is planned that reads them.
    assert derived["custom_metrics"] == {}
    dashboard = resources["google_monitoring_dashboard.desk"]
    precondition = one(one(dashboard, "lifecycle"), "precondition")
    assert precondition["condition"] == "${length(local.custom_metrics) > 0}"
    assert "package_functions.py" in precondition["error_message"]
    # Created before what reads them: Cloud Monitoring refuses a policy on an unknown metric.
    assert "${google_monitoring_metric_descriptor.desk}" in dashboard["depends_on"]
    counted = resources["google_monitoring_alert_policy.counted"]
    assert "${google_monitoring_metric_descriptor.desk}" in counted["depends_on"]


def test_every_alert_goes_to_the_e_mail_and_the_given_channels(derived: dict, derived_extended: dict) -> None:
    policies = alert_policies()
    assert {a.split(".")[1] for a in policies} == {
        "dead_letters", "backlog_age", "counted", "relay_not_pulling", "needs_reprocessing", "relay_down"
    }
    for address, policy in policies.items():
        assert policy["notification_channels"] == "${local.notification_channels}", address
    channels = merged("locals")["notification_channels"]
    assert channels == (
        "${concat(google_monitoring_notification_channel.email[*].name, local.given_notification_channels)}"
    )
    assert derived["given_notification_channels"] == []
    assert derived_extended["given_notification_channels"] == [
        "projects/teledesk-test/notificationChannels/1234567890",  # an id alone: in this project
        "projects/elsewhere/notificationChannels/42",
    ]
    validation = one(merged("variable")["notification_channels"], "validation")["condition"]
    assert "notificationChannels" in validation


def test_counted_alerts_name_their_metric_and_resource(derived_extended: dict, manifest: Manifest) -> None:
    alerts = derived_extended["counted_alerts"]
    assert set(alerts) == {"delivery_failures", "webhook_errors", "sla_breaches"}
    variables = merged("variable")
    failures = alerts["delivery_failures"]
    assert failures["filter"].startswith('resource.type = "global" AND ')
    assert f'metric.type = "{DELIVERIES.type}"' in failures["filter"]
    assert 'metric.label.outcome = "failed"' in failures["filter"]
    assert 'metric.label.cause != "blocked"' in failures["filter"]  # the customer's doing, not a fault
    assert failures["threshold"] == variables["delivery_failures_alert_threshold"]["default"]
    breaches = alerts["sla_breaches"]
    assert breaches["filter"] == f'resource.type = "global" AND metric.type = "{SLA_BREACHES.type}"'
    assert breaches["threshold"] == 0
    # The webhook's errors: a log-based metric on the first HTTP entry point's request log.
    webhook = alerts["webhook_errors"]
    metric = derived_extended["webhook_errors_metric"]
    assert webhook["filter"] == (
        f'resource.type = "cloud_run_revision" AND metric.type = "logging.googleapis.com/user/{metric}"'
    )
    assert webhook["threshold"] == variables["webhook_errors_alert_threshold"]["default"]
    log_filter = derived_extended["webhook_errors_filter"]
    assert f'resource.labels.service_name = "{manifest.http[0].name}"' in log_filter
    assert 'log_id("run.googleapis.com/requests")' in log_filter and "httpRequest.status >= 400" in log_filter
    logging_metric = blocks("resource")["google_logging_metric.webhook_errors"]
    assert (logging_metric["name"], logging_metric["filter"]) == (
        "${local.webhook_errors_metric}",
        "${local.webhook_errors_filter}",
    )
    assert one(logging_metric, "metric_descriptor")["metric_kind"] == "DELTA"
    assert "python -m teledesk.replay" in failures["documentation"]
    policy = blocks("resource")["google_monitoring_alert_policy.counted"]
    assert policy["for_each"] == "${local.counted_alerts}"
    condition = one(one(policy, "conditions"), "condition_threshold")
    assert (condition["filter"], condition["threshold_value"]) == ("${each.value.filter}", "${each.value.threshold}")
    assert condition["comparison"] == "COMPARISON_GT"
    aggregation = one(condition, "aggregations")
    assert aggregation["alignment_period"] == "${var.alert_window_seconds}s"
    assert (aggregation["per_series_aligner"], aggregation["cross_series_reducer"]) == ("ALIGN_DELTA", "REDUCE_SUM")


def test_no_webhook_no_webhook_alert(tmp_path: Path, manifest_data: dict) -> None:
    derived = evaluate_locals({**manifest_data, "http": []}, tmp_path)
    # (terraform outputs no null local)
    assert derived.get("webhook_function") is None and derived.get("webhook_errors_filter") is None
    assert set(derived["counted_alerts"]) == {"delivery_failures", "sla_breaches"}
    assert blocks("resource")["google_logging_metric.webhook_errors"]["count"] == (
        "${local.webhook_function == null ? 0 : 1}"
    )


def test_a_relay_kept_up_that_stops_pulling_alerts(derived: dict, manifest: Manifest) -> None:
    policy = alert_policies()["google_monitoring_alert_policy.relay_not_pulling"]
    # Only while the relay is kept up: at 0 instances it stops on purpose.
    assert policy["count"] == "${var.relay_min_instances > 0 && length(local.relay_subscriptions) > 0 ? 1 : 0}"
    absent = one(one(policy, "conditions"), "condition_absent")
    assert absent["filter"] == "${local.relay_pulls_filter}"
    assert absent["duration"] == "${var.relay_not_pulling_alert_seconds}s"
    assert one(absent, "aggregations")["group_by_fields"] == ["resource.label.subscription_id"]
    pulls = derived["relay_pulls_filter"]
    assert 'metric.type = "pubsub.googleapis.com/subscription/pull_request_count"' in pulls
    regex = re.search(r'full_match\("([^"]+)"\)', pulls)
    assert regex is not None
    assert set(regex.group(1).split("|")) == {Manifest.relay_subscription(t) for t in manifest.relay_subscribes}


def test_a_needs_reprocessing_log_line_alerts_at_a_limited_rate(derived: dict) -> None:
    policy = alert_policies()["google_monitoring_alert_policy.needs_reprocessing"]
    (condition,) = policy["conditions"]  # a log-match policy has one condition
    matched = one(condition, "condition_matched_log")
    assert matched["filter"] == "${local.needs_reprocessing_filter}"
    assert policy["combiner"] == "OR" and policy["severity"] == "CRITICAL"
    rate = one(one(policy, "alert_strategy"), "notification_rate_limit")
    assert rate["period"] == "${var.log_alert_notification_period_seconds}s"
    assert "python -m teledesk.replay dead-letters --step" in one(policy, "documentation")["content"]
    # CRITICAL lines whose message starts with "needs reprocessing:", as Cloud Logging stores a
    # structured JSON line's `message`.
    log_filter = derived["needs_reprocessing_filter"]
    assert log_filter.startswith("severity = CRITICAL AND jsonPayload.message =~ ")
    pattern = re.search(r'=~ "(.+)"$', log_filter)
    assert pattern is not None
    assert re.search(pattern.group(1), "needs reprocessing: classify parked 7f3a (replay it)")
    assert not re.search(pattern.group(1), "relayed; no message needs reprocessing: all fine")


def test_dashboard_template_renders_to_a_dashboard(extended: Manifest) -> None:
    dashboard = blocks("resource")["google_monitoring_dashboard.desk"]["dashboard_json"]
    passed = set(re.findall(r"(\w+)\s*=", dashboard.split("templatefile(", 1)[1]))
    text = DASHBOARD.read_text(encoding="utf-8")
    used = set(re.findall(r"(?<!\$)\$\{(\w+)\}", text))
    assert used == passed, "the template's variables and those monitoring.tf passes differ"
    values = {
        "function_services": "|".join(fn.name for fn in extended.functions),
        "relay_service": "teledesk-relay",
        "push_subscriptions": "|".join(name for s in extended.steps for name in s.subscriptions.values()),
        "dead_letter_holds": "|".join(Manifest.dead_letter_subscription(s) for s in extended.steps),
    }
    rendered = re.sub(r"(?<!\$)\$\{(\w+)\}", lambda m: values[m.group(1)], text).replace("$${", "${")
    document = json.loads(rendered)
    tiles = document["mosaicLayout"]["tiles"]
    queries = [ds["timeSeriesQuery"] for t in tiles for ds in t["widget"]["xyChart"]["dataSets"]]
    filters = " ".join(q["timeSeriesFilter"]["filter"] for q in queries if "timeSeriesFilter" in q)
    for metric in (
        "run.googleapis.com/request_count",
        "run.googleapis.com/request_latencies",
        "pubsub.googleapis.com/subscription/num_undelivered_messages",
        "pubsub.googleapis.com/subscription/oldest_unacked_message_age",
        "pubsub.googleapis.com/subscription/dead_letter_message_count",
    ):
        assert metric in filters, metric
    # Every metric of the catalog has a chart, and every custom metric charted is the catalog's.
    charted = {a or b for q in queries for a, b in CUSTOM_METRIC_TYPE.findall(json.dumps(q))}
    charted = {re.sub(r"_(bucket|count|sum)$", "", name) for name in charted}
    assert charted == {m.name for m in METRICS}
    for tile in tiles:  # no two tiles overlap
        assert tile["xPos"] + tile["width"] <= document["mosaicLayout"]["columns"]
    spots = {(t["xPos"], t["yPos"]) for t in tiles}
    assert len(spots) == len(tiles)


def test_every_custom_metric_terraform_reads_is_in_the_catalog() -> None:
    catalog = {m.name for m in METRICS}
    for path in [*TF_FILES, DASHBOARD]:
        for a, b in CUSTOM_METRIC_TYPE.findall(path.read_text(encoding="utf-8")):
            name = a or re.sub(r"_(bucket|count|sum)$", "", b)
            assert name in catalog, f"{path.name}: {PREFIX}{name} is not in teledesk/metrics/catalog.py"


# --- the relay scaled out: Memorystore, Direct VPC egress, gevent concurrency, probes -------------------

# What `google_redis_instance.relay` (count = 1) gives the locals built on it: an address, and an
# AUTH string that the provider marks sensitive, as `sensitive()` does here.
REDIS_INSTANCE = (
    '[{ host = "10.0.0.3", port = 6379, auth_string = sensitive("s3cret/+="),'
    ' server_ca_certs = [{ cert = "-----BEGIN CERTIFICATE-----\\nMIIB+/a=\\n-----END CERTIFICATE-----\\n" }] }]'
)
NO_REDIS_INSTANCE = "[]"


def relay_template() -> dict:
    return one(blocks("resource")["google_cloud_run_v2_service.relay"], "template")


def relay_container() -> dict:
    return one(relay_template(), "containers")


def dynamic_blocks(body: dict, kind: str) -> list[dict]:
    return [entry[kind] for entry in body.get("dynamic", []) if kind in entry]


def test_relay_scales_out_only_with_redis(tmp_path: Path, manifest_data: dict, derived: dict) -> None:
    variables = merged("variable")
    assert variables["relay_redis"]["default"] is True
    assert variables["relay_max_instances"]["default"] == 5
    scaling = one(relay_template(), "scaling")
    assert scaling["max_instance_count"] == "${local.relay_max_instances}"
    # By default: Redis, several relays, and the APIs that Redis and the VPC need.
    assert derived["relay_redis"] is True and derived["relay_max_instances"] == 5
    assert {"redis.googleapis.com", "compute.googleapis.com"} <= set(derived["apis"])
    # A bigger desk: as many relays as asked for.
    assert evaluate_locals(manifest_data, tmp_path / "big", relay_max_instances=12)["relay_max_instances"] == 12
    # Without Redis: exactly one relay whatever relay_max_instances says, no VPC, no Redis API (and,
    # without the load balancer either, no Compute Engine API).
    alone = evaluate_locals(
        manifest_data, tmp_path / "alone", relay_redis=False, relay_max_instances=8, console_layout="relay"
    )
    assert alone["relay_max_instances"] == 1
    assert alone["relay_create_network"] is False and alone["relay_redis_auth"] is False
    assert not {"redis.googleapis.com", "compute.googleapis.com"} & set(alone["apis"])


def test_memorystore_redis_instance_for_the_relay() -> None:
    resources = blocks("resource")
    redis = resources["google_redis_instance.relay"]
    assert redis["count"] == "${local.relay_redis ? 1 : 0}"
    assert redis["tier"] == "${var.relay_redis_tier}"
    assert redis["memory_size_gb"] == "${var.relay_redis_memory_size_gb}"
    assert redis["region"] == "${var.region}"
    assert redis["connect_mode"] == "DIRECT_PEERING"
    assert "google_compute_network.relay[0].id" in redis["authorized_network"]
    assert redis["auth_enabled"] == "${var.relay_redis_auth}"
    variables = merged("variable")
    assert variables["relay_redis_tier"]["default"] == "BASIC"
    validation = one(variables["relay_redis_tier"], "validation")["condition"]
    assert "STANDARD_HA" in validation and "BASIC" in validation
    assert variables["relay_redis_memory_size_gb"]["default"] == 1
    assert variables["relay_redis_auth"]["default"] is True


def test_relay_reaches_redis_by_direct_vpc_egress(tmp_path: Path, manifest_data: dict, derived: dict) -> None:
    (vpc,) = dynamic_blocks(relay_template(), "vpc_access")
    assert "local.relay_redis ?" in vpc["for_each"]
    content = one(vpc, "content")
    assert content["egress"] == "PRIVATE_RANGES_ONLY"
    assert "connector" not in content  # Direct VPC egress, not a Serverless VPC Access connector
    assert one(content, "network_interfaces") == {
        "network": "${local.relay_network_name}",
        "subnetwork": "${local.relay_subnetwork_name}",
    }
    resources = blocks("resource")
    network = resources["google_compute_network.relay"]
    assert network["auto_create_subnetworks"] is False
    assert network["name"] == "${local.relay_network_name}"
    subnetwork = resources["google_compute_subnetwork.relay"]
    assert subnetwork["name"] == "${local.relay_subnetwork_name}"
    assert subnetwork["network"] == "${google_compute_network.relay[0].id}"
    assert subnetwork["region"] == "${var.region}"
    assert subnetwork["ip_cidr_range"] == "${var.relay_subnet_cidr}"
    assert "${google_compute_subnetwork.relay}" in resources["google_cloud_run_v2_service.relay"]["depends_on"]
    # Created here by default, named after the relay ...
    assert derived["relay_create_network"] is True
    assert derived["relay_network_name"] == "teledesk-relay-vpc"
    assert derived["relay_subnetwork_name"] == "teledesk-relay-europe-west1"
    # ... or given.
    given = evaluate_locals(manifest_data, tmp_path / "given", relay_network="shared", relay_subnetwork="shared-run")
    assert given["relay_create_network"] is False
    assert (given["relay_network_name"], given["relay_subnetwork_name"]) == ("shared", "shared-run")
    # Direct VPC egress wants a /26 or larger.
    for cidr in ("10.8.0.0/28", "not-a-range"):
        with pytest.raises(AssertionError, match="/26 or larger"):
            evaluate_locals(manifest_data, tmp_path / cidr.replace("/", "-"), relay_subnet_cidr=cidr)


def test_the_relay_s_media_cache_takes_a_quarter_of_its_memory(tmp_path: Path, manifest_data: dict) -> None:
    def cache_bytes(name: str, **variables: object) -> str:
        got = evaluate_locals(manifest_data, tmp_path / name, stand_ins={"google_redis_instance.relay": REDIS_INSTANCE},
                              sensitive=("relay_redis_auth_urls",), **variables)
        return str(got["relay_plain_env"]["DESK_MEDIA_CACHE_BYTES"])

    assert cache_bytes("default") == str(512 * 2**20 // 4)
    assert cache_bytes("gi", relay_memory="2Gi") == str(2 * 2**30 // 4)
    assert cache_bytes("chosen", relay_env={"DESK_MEDIA_CACHE_BYTES": "1000"}) == "1000"


def test_relay_env_carries_desk_redis_url_and_the_uploads_bucket(tmp_path: Path, manifest_data: dict) -> None:
    user_env = {"DESK_REDIS_URL": "redis://elsewhere:6379/0", "DESK_CSAT": "off"}
    (plain,) = [e for e in dynamic_blocks(relay_container(), "env") if e["for_each"] == "${local.relay_plain_env}"]
    assert one(plain, "content") == {"name": "${env.key}", "value": "${env.value}"}

    # Without AUTH: the instance's address, as a plain variable; Terraform's URL wins over relay_env's.
    open_redis = evaluate_locals(
        manifest_data,
        tmp_path / "open",
        stand_ins={"google_redis_instance.relay": REDIS_INSTANCE},
        sensitive=("relay_redis_auth_urls",),
        relay_redis_auth=False,
        relay_env=user_env,
    )
    env = open_redis["relay_plain_env"]
    assert env["DESK_REDIS_URL"] == "redis://10.0.0.3:6379/0"
    assert env["DESK_CSAT"] == "off" and env["GOOGLE_CLOUD_PROJECT"] == "teledesk-test"
    assert env["DESK_BLOB_BUCKET"] == open_redis["uploads_bucket"]  # the relay writes agents' uploads there
    assert open_redis["relay_redis_auth_urls"] == []

    # With AUTH: the URL carries the AUTH string, so it is only in the secret (and sensitive:
    # the plain environment is an output here without `sensitive`, so it holds none of it).
    with_auth = evaluate_locals(
        manifest_data,
        tmp_path / "auth",
        stand_ins={"google_redis_instance.relay": REDIS_INSTANCE},
        sensitive=("relay_redis_auth_urls",),
        relay_env=user_env,
    )
    assert "DESK_REDIS_URL" not in with_auth["relay_plain_env"]
    assert with_auth["relay_redis_auth_urls"] == ["redis://:s3cret%2F%2B%3D@10.0.0.3:6379/0"]
    # Without `sensitive = true` terraform refuses to output the URL with the AUTH string, and
    # only that one: the plain environment (a for_each in relay.tf, which may not be sensitive)
    # and the addresses hold nothing of it.
    with pytest.raises(AssertionError, match="Output refers to sensitive values") as refused:
        evaluate_locals(manifest_data, tmp_path / "leak", stand_ins={"google_redis_instance.relay": REDIS_INSTANCE})
    offending = set(re.findall(r'output "(\w+)"', str(refused.value)))
    assert offending == {"relay_redis_auth_urls"}
    resources = blocks("resource")
    version = resources["google_secret_manager_secret_version.relay_redis_url"]
    assert version["count"] == "${local.relay_redis_auth ? 1 : 0}"
    assert version["secret_data"] == "${local.relay_redis_auth_urls[0]}"
    (from_secret,) = [
        e
        for e in dynamic_blocks(relay_container(), "env")
        if e["for_each"] == '${local.relay_redis_auth ? ["DESK_REDIS_URL"] : []}'
    ]
    content = one(from_secret, "content")
    assert content["name"] == "${env.value}"
    ref = one(one(content, "value_source"), "secret_key_ref")
    assert ref == {
        "secret": "${google_secret_manager_secret.relay_redis_url[0].secret_id}",
        # pinned: a new AUTH string rolls out a new revision
        "version": "${google_secret_manager_secret_version.relay_redis_url[0].version}",
    }
    # Only the relay may read it.
    grant = resources["google_secret_manager_secret_iam_member.relay_redis_url"]
    assert grant["count"] == "${local.relay_redis_auth ? 1 : 0}"
    assert grant["secret_id"] == "${google_secret_manager_secret.relay_redis_url[0].secret_id}"
    assert (grant["role"], grant["member"]) == (
        "roles/secretmanager.secretAccessor",
        "serviceAccount:${google_service_account.relay.email}",
    )

    # Without Redis: no URL from Terraform; one given in relay_env is passed on as it is.
    alone = evaluate_locals(
        manifest_data,
        tmp_path / "alone",
        stand_ins={"google_redis_instance.relay": NO_REDIS_INSTANCE},
        sensitive=("relay_redis_auth_urls",),
        relay_redis=False,
        relay_env=user_env,
    )
    assert alone["relay_plain_env"]["DESK_REDIS_URL"] == user_env["DESK_REDIS_URL"]
    assert alone["relay_redis_addresses"] == [] and alone["relay_redis_auth_urls"] == []


def test_relay_probes_use_the_health_endpoint() -> None:
    container = relay_container()
    startup, liveness = one(container, "startup_probe"), one(container, "liveness_probe")
    for probe in (startup, liveness):
        assert one(probe, "http_get") == {"path": "/api/health"}
        assert probe["timeout_seconds"] < probe["period_seconds"]  # Cloud Run's rule
    # Starting (subscribing) may take up to two minutes before the instance is given up.
    assert startup["period_seconds"] * startup["failure_threshold"] >= 60
    # Once started, only a dead pull loop answers 503: restart after a few failures in a row,
    # not after one slow answer. The health check may wait on Telegram's getWebhookInfo.
    assert liveness["failure_threshold"] >= 3
    assert liveness["timeout_seconds"] > TELEGRAM_HEALTH_TIMEOUT_S
    assert 30 <= liveness["period_seconds"] * liveness["failure_threshold"] <= 120


def test_relay_concurrency_matches_the_gevent_worker() -> None:
    template = relay_template()
    assert template["max_instance_request_concurrency"] == "${var.relay_concurrency}"
    concurrency = merged("variable")["relay_concurrency"]
    assert concurrency["default"] == 1000  # Cloud Run's maximum; the gevent worker holds more
    assert "<= 1000" in one(concurrency, "validation")["condition"]
    resources = one(relay_container(), "resources")
    assert resources["cpu_idle"] is False  # the pull loops run between requests


def relay_gunicorn_settings() -> dict[str, object]:
    """How the relay's image runs gunicorn: its config module (`-c python:MODULE` or `-c FILE`),
    then the flags of the Dockerfile's CMD (shell or exec form), which win."""
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    (cmd,) = [line.removeprefix("CMD").strip() for line in dockerfile.splitlines() if line.startswith("CMD")]
    if cmd.startswith("["):
        cmd = " ".join(json.loads(cmd))
    settings: dict[str, object] = {}
    config = re.search(r"(?:-c|--config)[ =](\S+)", cmd)
    if config:
        target = config.group(1).strip("\"'")
        if target.startswith("python:"):
            path = ROOT / (target.removeprefix("python:").replace(".", "/") + ".py")
        else:
            path = ROOT / target
        namespace = runpy.run_path(str(path))
        settings |= {
            key: namespace[key] for key in ("worker_class", "workers", "worker_connections") if key in namespace
        }
    flags = {
        "worker_class": r"(?:--worker-class[ =]|-k )(\S+)",
        "workers": r"(?:--workers[ =]|-w )(\d+)",
        "worker_connections": r"--worker-connections[ =](\d+)",
    }
    for key, pattern in flags.items():
        if found := re.search(pattern, cmd):
            settings[key] = found.group(1) if key == "worker_class" else int(found.group(1))
    return settings


def test_the_relay_image_runs_one_gevent_worker_with_room_for_the_concurrency() -> None:
    """Concurrency 1000 holds only with gunicorn's gevent worker: the threaded one (100 threads)
    took 100 consoles and then answered nothing."""
    settings = relay_gunicorn_settings()
    assert "gevent" in str(settings.get("worker_class", "sync")), settings
    assert settings.get("workers", 1) == 1, settings
    # gunicorn's default is 1000 connections per worker
    connections = settings.get("worker_connections", 1000)
    assert isinstance(connections, int)
    assert connections >= merged("variable")["relay_concurrency"]["default"], settings


# --- the workflows (`workflows:`): Cloud Workflows, their Eventarc triggers, their steps ---------------


def functions_stand_in(manifest: Manifest) -> dict[str, str]:
    """What `google_cloudfunctions2_function.fn` gives the locals built on it: each function with a
    run.app URL made from its name."""
    functions = ", ".join(
        f'"{fn.name}" = {{ service_config = [{{ uri = "https://{fn.name}-x.a.run.app" }}] }}'
        for fn in manifest.functions
    )
    return {"google_cloudfunctions2_function.fn": "{ " + functions + " }"}


def secrets_of(manifest_data: dict, name: str) -> list[str]:
    """The `secrets` a workflow step's manifest entry lists (none unless it lists some)."""
    (entry,) = [step for step in workflow_step_entries(manifest_data) if step["name"] == name]
    return entry.get("secrets", [])


def test_each_workflow_finds_its_steps_at_their_functions_urls(
    tmp_path: Path, manifest_data: dict, manifest: Manifest, extended_data: dict, extended: Manifest
) -> None:
    assert manifest.workflows, "pipeline.yaml declares no workflow"
    # The workflow's YAML reads each step's URL from the variable the manifest names.
    for workflow in manifest.workflows:
        source = (ROOT / workflow.source).read_text(encoding="utf-8")
        for env in workflow.step_urls:
            assert f'sys.get_env("{env}")' in source, (workflow.source, env)
    for data, expected in ((manifest_data, manifest), (extended_data, extended)):
        # workflow_env is passed on; a step's URL variable is Terraform's, whatever workflow_env says.
        given = {"DESK_LIFECYCLE_REST_S": "60", **{env: "https://elsewhere" for env in expected.workflows[0].step_urls}}
        got = evaluate_locals(
            data, tmp_path / f"wf-{len(expected.workflows)}", stand_ins=functions_stand_in(expected), workflow_env=given
        )
        assert set(got["workflow_env_vars"]) == {w.name for w in expected.workflows}
        for workflow in expected.workflows:
            urls = {env: f"https://{step}-x.a.run.app" for env, step in workflow.step_urls.items()}
            assert urls and set(urls) == {step.url_env for step in workflow.steps}
            assert got["workflow_env_vars"][workflow.name] == {**given, **urls}
    wf = blocks("resource")["google_workflows_workflow.wf"]
    assert (wf["name"], wf["region"]) == ("${each.key}", "${var.region}")
    assert wf["source_contents"] == '${file("${path.module}/../${each.value.source}")}'
    assert wf["user_env_vars"] == "${local.workflow_env_vars[each.key]}"
    assert wf["service_account"] == "${google_service_account.workflow[each.key].id}"
    assert wf["call_log_level"] == "${var.workflow_call_log_level}"
    assert merged("variable")["workflow_call_log_level"]["default"] == "LOG_ERRORS_ONLY"
    # Deleting a workflow cancels its executions (the open conversations' watches).
    assert wf["deletion_protection"] == "${var.deletion_protection}"
    precondition = one(one(wf, "lifecycle"), "precondition")
    assert precondition["condition"] == "${length(each.value.steps_without_url) == 0}"


def test_workflow_steps_are_internal_functions_only_their_workflow_invokes(
    derived: dict,
    derived_extended: dict,
    manifest: Manifest,
    extended: Manifest,
    manifest_data: dict,
    extended_data: dict,
) -> None:
    for got, expected, data in ((derived, manifest, manifest_data), (derived_extended, extended, extended_data)):
        steps = {step.name for step in expected.workflow_steps}
        assert steps and set(got["workflow_steps"]) == steps
        pushed = {push["step"] for push in got["push_subscriptions"].values()}
        for name in steps:
            function = got["functions"][name]
            assert function["kind"] == "workflow", name  # internal ingress (functions.tf)
            # No push subscription feeds it, nobody but its workflow invokes it, and it is not public.
            assert name not in got["event_steps"] and name not in got["http_entries"] and name not in pushed
            # Its own runtime account, with its own secrets only.
            assert function["secrets"] == secrets_of(data, name)
            granted = {g["secret_id"] for g in got["function_secret_grants"].values() if g["function"] == name}
            assert len(granted) == len(function["secrets"])
        # The workflow's account may invoke exactly its own steps.
        invokers = {(i["workflow"], i["step"]) for i in got["workflow_step_invokers"].values()}
        assert invokers == {(w.name, s.name) for w in expected.workflows for s in w.steps}
    resources = blocks("resource")
    invoker = resources["google_cloud_run_v2_service_iam_member.workflow_invoker"]
    assert invoker["name"] == "${google_cloudfunctions2_function.fn[each.value.step].name}"
    assert (invoker["role"], invoker["member"]) == (
        "roles/run.invoker",
        "serviceAccount:${google_service_account.workflow[each.value.workflow].email}",
    )
    # ... and no other grant gives it anything to invoke; only its call logs besides.
    workflow_sa = "google_service_account.workflow["
    granted = {a for a, body in resources.items() if workflow_sa in str(body.get("member", ""))}
    assert granted == {
        "google_cloud_run_v2_service_iam_member.workflow_invoker",
        "google_project_iam_member.workflow_log_writer",
    }
    assert resources["google_project_iam_member.workflow_log_writer"]["role"] == "roles/logging.logWriter"
    # Pub/Sub pushes to the event steps only, and only the HTTP entry points are public.
    assert resources["google_cloud_run_v2_service_iam_member.push_invoker"]["for_each"] == "${local.event_steps}"
    assert resources["google_cloud_run_v2_service_iam_member.http_public"]["for_each"] == "${local.http_entries}"


def test_each_workflow_is_started_by_an_eventarc_trigger_on_its_topic(derived: dict, manifest: Manifest) -> None:
    resources = blocks("resource")
    trigger = resources["google_eventarc_trigger.workflow"]
    assert trigger["location"] == "${var.region}"
    assert trigger["matching_criteria"] == [
        {"attribute": "type", "value": "google.cloud.pubsub.topic.v1.messagePublished"}
    ]
    transport = one(one(trigger, "transport"), "pubsub")
    assert transport["topic"] == "${google_pubsub_topic.all[each.value.trigger_topic].id}"
    assert one(trigger, "destination")["workflow"] == "${google_workflows_workflow.wf[each.key].id}"
    assert trigger["service_account"] == "${google_service_account.trigger[each.key].email}"
    # The trigger's account may start executions (Google: roles/workflows.invoker; no
    # roles/eventarc.eventReceiver for direct Pub/Sub events), and nothing else.
    trigger_sa = "google_service_account.trigger["
    granted = {a: body for a, body in resources.items() if trigger_sa in str(body.get("member", ""))}
    assert {a: body["role"] for a, body in granted.items()} == {
        "google_project_iam_member.trigger_workflows_invoker": "roles/workflows.invoker"
    }
    assert not [a for a, body in resources.items() if body.get("role") == "roles/eventarc.eventReceiver"]
    assert "${google_project_iam_member.trigger_workflows_invoker}" in trigger["depends_on"]
    # The Pub/Sub service agent signs the push tokens of the trigger's subscription.
    tokens = resources["google_service_account_iam_member.pubsub_mints_trigger_tokens"]
    assert tokens["service_account_id"] == "${google_service_account.trigger[each.key].name}"
    assert (tokens["role"], tokens["member"]) == (
        "roles/iam.serviceAccountTokenCreator",
        "serviceAccount:${google_project_service_identity.pubsub.email}",
    )
    # Who publishes there must be a function of the manifest or the relay.
    condition = one(one(trigger, "lifecycle"), "precondition")["condition"]
    assert 'part == "relay"' in condition and "keys(local.functions)" in condition
    # The trigger topic is one of ours, with the manifest's retention.
    for workflow in manifest.workflows:
        assert derived["workflows"][workflow.name]["trigger_topic"] in derived["topics"]
    assert {"eventarc.googleapis.com", "workflows.googleapis.com", "workflowexecutions.googleapis.com"} <= set(
        derived["apis"]
    )


def test_published_by_may_publish_on_the_trigger_topic(
    derived: dict, derived_extended: dict, manifest: Manifest, extended: Manifest
) -> None:
    for got, expected in ((derived, manifest), (derived_extended, extended)):
        grants = {(g["function"], g["topic"]) for g in got["function_publish_grants"].values()}
        for workflow in expected.workflows:
            assert workflow.published_by
            for part in workflow.published_by:
                if part == "relay":
                    assert workflow.trigger_topic in got["relay_publish_topics"]
                else:
                    assert (part, workflow.trigger_topic) in grants, (part, workflow.name)
        # A workflow's step publishes on its topic_out, with its own account.
        for step in expected.workflow_steps:
            assert step.topic_out and (step.name, step.topic_out) in grants
        # The relay announces its agents' changes.
        assert expected.relay_announces in got["relay_publish_topics"]
        assert expected.relay_announces in got["topics"]
    assert (EXTRA_STEP["name"], EXTRA_WORKFLOW["trigger_topic"]) in {
        (g["function"], g["topic"]) for g in derived_extended["function_publish_grants"].values()
    }
    resources = blocks("resource")
    relay = resources["google_pubsub_topic_iam_member.relay_publisher_more"]
    assert (relay["topic"], relay["role"], relay["member"]) == (
        "${google_pubsub_topic.all[each.key].name}",
        "roles/pubsub.publisher",
        "serviceAccount:${google_service_account.relay.email}",
    )
    # The agents' answers keep their grant (and its address).
    assert resources["google_pubsub_topic_iam_member.relay_publisher"]["topic"] == (
        "${google_pubsub_topic.all[local.relay_publishes].name}"
    )


def test_the_conversation_settings_reach_every_function_and_the_relay(
    tmp_path: Path, manifest_data: dict, derived: dict
) -> None:
    variables = merged("variable")
    defaults = {"DESK_SLA_FIRST_RESPONSE_S": "300", "DESK_PENDING_RESOLVE_S": "86400", "DESK_CSAT": "on"}
    assert (
        variables["desk_sla_first_response_s"]["default"],
        variables["desk_pending_resolve_s"]["default"],
        variables["desk_csat"]["default"],
    ) == (300, 86400, "on")
    for name, env in derived["function_environment"].items():
        assert {k: env[k] for k in defaults} == defaults, name
    given = {"desk_sla_first_response_s": 120, "desk_pending_resolve_s": 3600, "desk_csat": "off"}
    got = evaluate_locals(
        manifest_data,
        tmp_path / "given",
        stand_ins={"google_redis_instance.relay": REDIS_INSTANCE},
        sensitive=("relay_redis_auth_urls",),
        **given,
    )
    wanted = {"DESK_SLA_FIRST_RESPONSE_S": "120", "DESK_PENDING_RESOLVE_S": "3600", "DESK_CSAT": "off"}
    for name, env in {**got["function_environment"], "(relay)": got["relay_plain_env"]}.items():
        assert {k: env[k] for k in wanted} == wanted, name
    with pytest.raises(AssertionError, match="desk_csat must be"):
        evaluate_locals(manifest_data, tmp_path / "maybe", desk_csat="maybe")
    example = (TF_DIR / "terraform.tfvars.example").read_text(encoding="utf-8")
    for name in given:
        assert name in example and variables[name]["description"].startswith(name.upper()), name


def test_the_staff_forum_settings_reach_every_function(tmp_path: Path, manifest_data: dict, derived: dict) -> None:
    for name, env in derived["function_environment"].items():
        assert (env["DESK_STAFF_CHAT_ID"], env["DESK_STAFF_NOTE_PREFIX"]) == ("", "!"), name
    given = {"desk_staff_chat_id": "-1001234567890", "desk_staff_note_prefix": "#"}
    got = evaluate_locals(manifest_data, tmp_path / "given", **given)
    for name, env in got["function_environment"].items():
        assert (env["DESK_STAFF_CHAT_ID"], env["DESK_STAFF_NOTE_PREFIX"]) == ("-1001234567890", "#"), name
    with pytest.raises(AssertionError, match="desk_staff_chat_id must be"):
        evaluate_locals(manifest_data, tmp_path / "positive", desk_staff_chat_id="1234")
    example = (TF_DIR / "terraform.tfvars.example").read_text(encoding="utf-8")
    variables = merged("variable")
    for name in given:
        assert name in example and variables[name]["description"].startswith(name.upper()), name


def test_adding_a_workflow_with_a_step_needs_no_terraform_change(derived_extended: dict, extended: Manifest) -> None:
    (entry,) = EXTRA_WORKFLOW["steps"]
    workflow = derived_extended["workflows"][EXTRA_WORKFLOW["name"]]
    assert workflow["trigger_topic"] == EXTRA_WORKFLOW["trigger_topic"]
    assert workflow["step_urls"] == {entry["url_env"]: entry["name"]}
    step = derived_extended["functions"][entry["name"]]
    assert step["kind"] == "workflow"  # internal ingress (functions.tf)
    assert step["publishes"] == [entry["topic_out"]] and step["secrets"] == entry["secrets"]
    assert {EXTRA_WORKFLOW["trigger_topic"], entry["topic_out"]} <= set(derived_extended["topics"])
    # No dead-letter topic nor hold: nothing pushes to it.
    assert f"{entry['name']}-dead-letter" not in derived_extended["topics"]
    assert f"{EXTRA_WORKFLOW['name']}/{entry['name']}" in derived_extended["workflow_step_invokers"]
    assert EXTRA_WORKFLOW["trigger_topic"] in derived_extended["relay_publish_topics"]
    # The manifest's own workflow is still there, next to it.
    assert set(derived_extended["workflows"]) == {w.name for w in extended.workflows} and len(extended.workflows) > 1


def test_a_manifest_without_workflows_makes_none(tmp_path: Path, manifest_data: dict) -> None:
    bare = {**manifest_data, "relay": {k: v for k, v in manifest_data["relay"].items() if k != "announces"}}
    bare.pop("workflows", None)
    got = evaluate_locals(bare, tmp_path)
    assert (got["workflows"], got["workflow_steps"], got["workflow_step_invokers"]) == ({}, {}, {})
    assert got["relay_publish_topics"] == [manifest_data["relay"]["publishes"]]
    assert {fn["kind"] for fn in got["functions"].values()} <= {"http", "event"}


# --- packaging the functions ------------------------------------------------------------------------------


def test_package_builds_one_zip_per_manifest_function(tmp_path: Path) -> None:
    script = load_script()
    root = project_copy(tmp_path)
    manifest = load_manifest(root / "pipeline.yaml")
    built = script.build_all(tmp_path / "build", root)
    assert set(built) == {fn.name for fn in manifest.functions}
    for fn in manifest.functions:
        with zipfile.ZipFile(built[fn.name]) as archive:
            names = set(archive.namelist())
            expected = {"main.py", "requirements.txt", "pipeline.yaml", "teledesk/__init__.py", "teledesk/manifest.py"}
            assert expected <= names
            assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
            assert f"def {fn.entry_point}(" in archive.read("main.py").decode()
            assert archive.read("pipeline.yaml") == (root / "pipeline.yaml").read_bytes()
            requirements = archive.read("requirements.txt").decode()
            assert "functions-framework" in requirements and "google-cloud-pubsub" in requirements


def test_packaged_function_imports_its_own_teledesk_and_manifest(tmp_path: Path) -> None:
    script = load_script()
    root = project_copy(tmp_path)
    manifest = load_manifest(root / "pipeline.yaml")
    fn = manifest.steps[0]
    zip_path = script.build_all(tmp_path / "build", root)[fn.name]
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(unpacked)
    probe = (
        "import sys; sys.path.insert(0, '.'); import main, teledesk; "
        "from teledesk.manifest import load_manifest; "
        f"assert teledesk.__file__.startswith({str(unpacked)!r}), teledesk.__file__; "
        f"print(callable(main.{fn.entry_point}), load_manifest().step({fn.name!r}).topic_out)"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run = subprocess.run(
        [sys.executable, "-c", probe], cwd=unpacked, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["True", fn.topic_out]


def test_package_is_reproducible(tmp_path: Path) -> None:
    script = load_script()
    root = project_copy(tmp_path)
    first = {n: p.read_bytes() for n, p in script.build_all(tmp_path / "one", root).items()}
    second = {n: p.read_bytes() for n, p in script.build_all(tmp_path / "two", root).items()}
    assert first == second


def test_package_follows_the_manifest_when_a_step_is_added_or_removed(tmp_path: Path, manifest_data: dict) -> None:
    script = load_script()
    extended = with_workflows({**manifest_data, "steps": [*manifest_data["steps"], EXTRA_STEP]}, EXTRA_WORKFLOW)
    added = [EXTRA_STEP["name"], *(step["name"] for step in EXTRA_WORKFLOW["steps"])]
    root = project_copy(tmp_path, extended)
    out = tmp_path / "build"
    built = script.build_all(out, root)
    assert set(added) <= set(built)
    # A workflow's steps are packaged like the others (their modules come from the project copy).
    assert {step["name"] for step in workflow_step_entries(manifest_data)} <= set(built)
    (root / "pipeline.yaml").write_text(yaml.safe_dump(manifest_data, sort_keys=False), encoding="utf-8")
    script.build_all(out, root)
    for name in added:
        assert not (out / f"{name}.zip").exists()


def test_package_refuses_a_module_without_its_entry_point(tmp_path: Path) -> None:
    script = load_script()
    root = project_copy(tmp_path)
    step = load_manifest(root / "pipeline.yaml").steps[0]
    (root / step.source).write_text("def something_else():\n    pass\n", encoding="utf-8")
    with pytest.raises(script.PackagingError, match=step.entry_point):
        script.build_all(tmp_path / "build", root)
    (root / step.source).unlink()
    assert script.main(["--out", str(tmp_path / "build"), "--root", str(root)]) == 1


# --- applying on a fresh project: the build account, the waits for grants --------------------------------


def members_of(resource: dict) -> str:
    return str(resource.get("member", ""))


def test_the_build_account_reads_the_copy_cloud_functions_builds_from() -> None:
    resources = blocks("resource")
    build_sa = "google_service_account.build."
    function = resources["google_cloudfunctions2_function.fn"]
    assert one(function, "build_config")["service_account"] == "${google_service_account.build.id}"
    grants = {a: b for a, b in resources.items() if build_sa in members_of(b)}
    assert set(grants) == {
        "google_project_iam_member.build",
        "google_project_iam_member.build_reads_gcf_sources",
        "google_storage_bucket_iam_member.build_reads_sources",
    }
    # Google's documented set: logs, the image in Artifact Registry, the source in Cloud Storage.
    project_roles = set(grants["google_project_iam_member.build"]["for_each"].split('"')[1::2])
    assert project_roles == {"roles/logging.logWriter", "roles/artifactregistry.writer"}
    # The source: Cloud Functions copies the zip into gcf-v2-sources-<number>-<region> and builds from
    # there (provider issue #20571): object viewer, on that bucket only, not object admin everywhere.
    sources = grants["google_project_iam_member.build_reads_gcf_sources"]
    assert sources["role"] == "roles/storage.objectViewer"
    expression = one(sources, "condition")["expression"]
    bucket = "${local.gcf_sources_bucket}"
    assert expression == (
        f'resource.name == "projects/_/buckets/{bucket}" || resource.name.startsWith("projects/_/buckets/{bucket}/")'
    )
    assert merged("locals")["gcf_sources_bucket"] == "gcf-v2-sources-${data.google_project.this.number}-${var.region}"
    broad_storage = ("roles/storage.objectAdmin", "roles/storage.admin")
    assert not [a for a, b in resources.items() if b.get("role") in broad_storage]
    # Each grant is in the wait the functions are built after.
    wait = resources["time_sleep.build_grants"]
    assert {f"${{{address}}}" for address in grants} <= set(wait["depends_on"])
    assert wait["create_duration"] == "${var.iam_propagation_seconds}s"
    assert "${time_sleep.build_grants}" in function["depends_on"]
    assert merged("variable")["iam_propagation_seconds"]["default"] == 60


def test_grants_settle_before_what_uses_them() -> None:
    resources = blocks("resource")

    def waited_by(sleep: str) -> set[str]:
        return {d.strip("${}") for d in resources[f"time_sleep.{sleep}"]["depends_on"]}

    for sleep in ("build_grants", "runtime_grants", "invoker_grants", "kms_grants"):
        assert resources[f"time_sleep.{sleep}"]["create_duration"] == "${var.iam_propagation_seconds}s", sleep
    # Every secret accessor (the functions', the relay's, the Redis URL's) before the services start.
    accessors = {a for a, b in resources.items() if b.get("role") == "roles/secretmanager.secretAccessor"}
    assert accessors and accessors <= waited_by("runtime_grants")
    assert {
        "google_pubsub_subscription_iam_member.relay_subscriber",
        "google_pubsub_subscription_iam_member.relay_viewer",
    } <= waited_by("runtime_grants")
    assert "${time_sleep.runtime_grants}" in resources["google_cloudfunctions2_function.fn"]["depends_on"]
    assert "${time_sleep.runtime_grants}" in resources["google_cloud_run_v2_service.relay"]["depends_on"]
    # Every invoker that is not the public's, and the tokens Pub/Sub signs, before anything pushes.
    invokers = {
        a for a, b in resources.items()
        if b.get("role") in ("roles/run.invoker", "roles/workflows.invoker") and b.get("member") != "allUsers"
    }
    token_creators = {a for a, b in resources.items() if b.get("role") == "roles/iam.serviceAccountTokenCreator"}
    assert invokers and token_creators
    assert invokers | token_creators | {"google_pubsub_topic_iam_member.dead_letter_publisher"} <= waited_by(
        "invoker_grants"
    )
    assert resources["google_pubsub_subscription.push"]["depends_on"] == ["${time_sleep.invoker_grants}"]
    assert "${time_sleep.invoker_grants}" in resources["google_eventarc_trigger.workflow"]["depends_on"]
    # A new step's grants wait again (triggers), not only the first apply's.
    assert set(resources["time_sleep.runtime_grants"]["triggers"]) == {"function_secrets", "relay"}
    assert set(resources["time_sleep.invoker_grants"]["triggers"]) == {"push_invokers", "workflow_invokers"}
    # The key's users, before what it encrypts.
    assert waited_by("kms_grants") == {"google_kms_crypto_key_iam_member.cmek"}
    for address in ("google_pubsub_topic.all", "google_storage_bucket.uploads", "google_storage_bucket.sources",
                    "google_storage_bucket.logs", "google_redis_instance.relay"):
        assert "${time_sleep.kms_grants}" in resources[address]["depends_on"], address


# --- checkov, and what it checks ---------------------------------------------------------------------------

# checkov lives in its own venv (its hcl2 clashes with python-hcl2): `make install` makes it from
# terraform/checkov-requirements.txt. TELEDESK_CHECKOV may point at another checkov.
CHECKOV = Path(os.environ.get("TELEDESK_CHECKOV") or ROOT / ".venv-checkov" / "bin" / "checkov")
INLINE_SKIP = re.compile(r"#\s*checkov:skip=(\S+?)(?::(.*))?$", re.M)


def test_checkov_passes_with_every_skip_inline_and_explained() -> None:
    if not CHECKOV.is_file():
        pytest.fail(f"no checkov at {CHECKOV}: run `make install` (it makes .venv-checkov)")
    run = subprocess.run(
        [str(CHECKOV), "-d", str(TF_DIR), "--skip-download", "--framework", "terraform", "-o", "json"],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )
    report = json.loads(run.stdout)
    summary, results = report["summary"], report["results"]
    failed = [f"{c['check_id']} {c['resource']} ({c['file_path']})" for c in results["failed_checks"]]
    assert summary["failed"] == 0 and not failed, "checkov failed:\n" + "\n".join(failed)
    assert summary["parsing_errors"] == 0 and summary["passed"] > 50
    # No skip from the command line or a config file: each one is a comment on its resource ...
    assert not list(ROOT.glob(".checkov.y*ml")) and not list(TF_DIR.glob(".checkov.y*ml"))
    written = []
    for path in TF_FILES:
        for match in INLINE_SKIP.finditer(path.read_text(encoding="utf-8")):
            check_id, reason = match.group(1), (match.group(2) or "").strip()
            assert re.fullmatch(r"CKV2?_GCP_\d+", check_id), match.group(0)
            # ... with its reason, a sentence and not a token.
            assert len(reason.split()) >= 8, f"{path.name}: {check_id} is skipped without a reason"
            written.append((check_id, f"/{path.name}"))
    # ... and checkov took each one (with the comment as its reason), and skipped nothing else.
    skipped = [(c["check_id"], c["file_path"]) for c in results["skipped_checks"]]
    for check in results["skipped_checks"]:
        assert len(check["check_result"]["suppress_comment"].split()) >= 8, check["check_id"]
    assert sorted(set(skipped)) == sorted(written)
    # Only what must stay, each for its reason: the public webhook's ingress, the logs bucket that
    # cannot log into itself, and the two opt-ins checkov cannot see through (keys, Redis TLS).
    assert {check_id for check_id, _ in written} == {"CKV_GCP_124", "CKV_GCP_62", "CKV_GCP_83", "CKV_GCP_97"}


def test_make_install_makes_checkov_s_venv() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^install:.*\$\(CHECKOV_VENV\)/\.installed", makefile, re.M)
    assert re.search(r"^\$\(CHECKOV_VENV\)/\.installed: terraform/checkov-requirements\.txt$", makefile, re.M)
    assert "CHECKOV_VENV := .venv-checkov" in makefile
    requirements = (TF_DIR / "checkov-requirements.txt").read_text(encoding="utf-8")
    pins = [line for line in requirements.splitlines() if line and not line.startswith("#")]
    assert pins and all(re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][\w.]*", pin) for pin in pins)


def test_the_buckets_log_access_and_keep_versions() -> None:
    resources = blocks("resource")
    for name, prefix in (("sources", "sources/"), ("uploads", "uploads/")):
        bucket = resources[f"google_storage_bucket.{name}"]
        assert one(bucket, "logging") == {
            "log_bucket": "${google_storage_bucket.logs.name}", "log_object_prefix": prefix
        }, name
        assert one(bucket, "versioning") == {"enabled": True}, name
        # Earlier versions do not pile up.
        noncurrent = [r for r in bucket["lifecycle_rule"] if "days_since_noncurrent_time" in one(r, "condition")]
        assert len(noncurrent) == 1 and one(noncurrent[0], "action")["type"] == "Delete", name
    logs = resources["google_storage_bucket.logs"]
    assert "logging" not in logs and one(logs, "versioning") == {"enabled": True}
    assert logs["public_access_prevention"] == "enforced" and logs["uniform_bucket_level_access"] is True
    ages = [one(r, "condition").get("age") for r in logs["lifecycle_rule"]]
    assert "${var.access_logs_retention_days}" in ages
    # Cloud Storage writes the usage logs as its analytics group.
    writer = resources["google_storage_bucket_iam_member.logs_writer"]
    assert (writer["role"], writer["member"]) == (
        "roles/storage.objectCreator", "group:cloud-storage-analytics@google.com"
    )


def test_customer_managed_keys_are_an_option(tmp_path: Path, manifest_data: dict, derived: dict) -> None:
    variables = merged("variable")
    assert variables["kms_key_name"]["default"] == ""
    resources = blocks("resource")
    assert resources["google_pubsub_topic.all"]["kms_key_name"] == "${local.cmek ? var.kms_key_name : null}"
    assert resources["google_redis_instance.relay"]["customer_managed_key"] == "${local.cmek ? var.kms_key_name : null}"
    for name in ("sources", "uploads", "logs"):
        (encryption,) = dynamic_blocks(resources[f"google_storage_bucket.{name}"], "encryption")
        assert encryption["for_each"] == "${local.cmek ? [var.kms_key_name] : []}", name
        assert one(encryption, "content") == {"default_kms_key_name": "${encryption.value}"}
    # The service agents that encrypt for us may use the key, and nobody else is given it.
    grant = resources["google_kms_crypto_key_iam_member.cmek"]
    assert (grant["for_each"], grant["crypto_key_id"], grant["role"]) == (
        "${local.cmek_agents}", "${var.kms_key_name}", "roles/cloudkms.cryptoKeyEncrypterDecrypter"
    )
    # Memorystore's agent is made before its grant, and only when Redis is on and keyed.
    assert "google_project_service_identity.redis" in merged("locals")["cmek_agents"]
    redis_agent = resources["google_project_service_identity.redis"]
    assert (redis_agent["count"], redis_agent["service"]) == (
        "${local.cmek && local.relay_redis ? 1 : 0}", "redis.googleapis.com")
    # Off by default; on, the KMS API too; a malformed key name is refused.
    assert derived["cmek"] is False and "cloudkms.googleapis.com" not in derived["apis"]
    key = "projects/keys/locations/europe-west1/keyRings/desk/cryptoKeys/desk"
    keyed = evaluate_locals(manifest_data, tmp_path / "keyed", kms_key_name=key)
    assert keyed["cmek"] is True and "cloudkms.googleapis.com" in keyed["apis"]
    with pytest.raises(AssertionError, match="kms_key_name must be empty or"):
        evaluate_locals(manifest_data, tmp_path / "bad", kms_key_name="desk-key")


def test_the_relay_s_network_logs_flows_and_takes_no_connection() -> None:
    resources = blocks("resource")
    log_config = one(resources["google_compute_subnetwork.relay"], "log_config")
    assert log_config["aggregation_interval"] == "INTERVAL_10_MIN" and 0 < log_config["flow_sampling"] <= 1
    firewall = resources["google_compute_firewall.relay_deny_ingress"]
    assert firewall["count"] == "${local.relay_create_network ? 1 : 0}"
    assert firewall["network"] == "${google_compute_network.relay[0].id}"
    assert (firewall["direction"], firewall["source_ranges"]) == ("INGRESS", ["0.0.0.0/0"])
    assert one(firewall, "deny") == {"protocol": "all"} and "allow" not in firewall


def redis_tls_files(tmp_path: Path) -> tuple[Path, Path, Path, Path]:
    """A CA, a server certificate it signed (named after nothing the client dials, as a managed
    instance's may be), its key, and another CA."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")

    def run(*args: str) -> None:
        subprocess.run([openssl, *args], cwd=tmp_path, check=True, capture_output=True, timeout=60)

    for ca in ("ca", "other-ca"):
        run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={ca}",
            "-keyout", f"{ca}.key", "-out", f"{ca}.pem")
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=memorystore-instance", "-keyout", "server.key",
        "-out", "server.csr")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
        "-out", "server.pem")
    return tmp_path / "ca.pem", tmp_path / "server.pem", tmp_path / "server.key", tmp_path / "other-ca.pem"


def test_with_redis_tls_the_relay_s_url_reaches_a_tls_redis(tmp_path: Path, manifest_data: dict) -> None:
    """relay_redis_tls: SERVER_AUTHENTICATION on the instance, and a rediss:// URL carrying the
    instance's CA, which the relay's own Redis clients accept and verify the server against."""
    redis_server = shutil.which("redis-server")
    if redis_server is None:
        pytest.skip("redis-server is not installed (`make redis`)")
    import redis as redis_client

    from realtime.state import QUEUE_REDIS_OPTIONS, REDIS_OPTIONS

    redis = blocks("resource")["google_redis_instance.relay"]
    assert redis["transit_encryption_mode"] == '${var.relay_redis_tls ? "SERVER_AUTHENTICATION" : "DISABLED"}'
    assert merged("variable")["relay_redis_tls"]["default"] is False
    ca, cert, key, other_ca = redis_tls_files(tmp_path)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    stand_in = (
        f'[{{ host = "127.0.0.1", port = {port}, auth_string = sensitive("s3cret/+="),'
        f" server_ca_certs = [{{ cert = {json.dumps(ca.read_text())} }}] }}]"
    )
    got = evaluate_locals(
        manifest_data, tmp_path / "tls", stand_ins={"google_redis_instance.relay": stand_in},
        sensitive=("relay_redis_auth_urls",), relay_redis_tls=True,
    )
    (url,) = got["relay_redis_auth_urls"]
    assert url.startswith(f"rediss://:s3cret%2F%2B%3D@127.0.0.1:{port}/0?ssl_ca_data=")
    assert "DESK_REDIS_URL" not in got["relay_plain_env"]  # the AUTH string: in the secret only
    open_tls = evaluate_locals(
        manifest_data, tmp_path / "open", stand_ins={"google_redis_instance.relay": stand_in},
        sensitive=("relay_redis_auth_urls",), relay_redis_tls=True, relay_redis_auth=False,
    )
    assert open_tls["relay_plain_env"]["DESK_REDIS_URL"].startswith(f"rediss://127.0.0.1:{port}/0?ssl_ca_data=")
    server = subprocess.Popen(
        [redis_server, "--port", "0", "--tls-port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--requirepass", "s3cret/+=", "--tls-cert-file", str(cert),
         "--tls-key-file", str(key), "--tls-ca-cert-file", str(ca), "--tls-auth-clients", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        for options in (REDIS_OPTIONS, QUEUE_REDIS_OPTIONS):  # the relay's state, Socket.IO's queue
            client = redis_client.Redis.from_url(url, **options)
            for _ in range(50):
                try:
                    assert client.ping() is True
                    break
                except redis_client.ConnectionError:
                    time.sleep(0.1)
            else:
                pytest.fail("the TLS redis-server did not answer")
            client.close()
        # The server is verified: signed by another CA, it is refused.
        query = urlencode({"ssl_ca_data": other_ca.read_text(), "ssl_check_hostname": "false"})
        impostor = url.split("?")[0] + "?" + query
        with pytest.raises(redis_client.ConnectionError):
            redis_client.Redis.from_url(impostor, **REDIS_OPTIONS).ping()
    finally:
        server.terminate()
        server.wait(timeout=10)


# --- the console as its own service, behind one HTTPS load balancer -------------------------------------------

LB_FILES = ("lb.tf", "console.tf")


def test_the_load_balancer_sends_the_api_and_sockets_to_the_relay_and_the_rest_to_the_console(derived: dict) -> None:
    resources = blocks("resource")
    assert derived["lb_relay_paths"] == ["/api/*", "/socket.io/*"]
    assert sorted(derived["lb_backends"]) == ["console", "relay"]
    url_map = resources["google_compute_url_map.lb"]
    console = '${google_compute_backend_service.lb["console"].id}'
    relay = '${google_compute_backend_service.lb["relay"].id}'
    assert url_map["default_service"] == console
    assert one(url_map, "host_rule") == {"hosts": ["*"], "path_matcher": "desk"}
    matcher = one(url_map, "path_matcher")
    assert matcher["default_service"] == console
    assert one(matcher, "path_rule") == {"paths": "${local.lb_relay_paths}", "service": relay}
    # Each backend a serverless NEG on its Cloud Run service.
    neg = resources["google_compute_region_network_endpoint_group.lb"]
    assert (neg["for_each"], neg["network_endpoint_type"], neg["region"]) == (
        "${local.lb_backends}", "SERVERLESS", "${var.region}"
    )
    service = one(neg, "cloud_run")["service"]
    assert "google_cloud_run_v2_service.relay.name" in service
    assert "google_cloud_run_v2_service.console[0].name" in service
    backend = resources["google_compute_backend_service.lb"]
    assert (backend["for_each"], backend["load_balancing_scheme"]) == ("${local.lb_backends}", "EXTERNAL_MANAGED")
    assert one(backend, "backend")["group"] == "${google_compute_region_network_endpoint_group.lb[each.key].id}"
    # A serverless NEG's backend service refuses timeout_sec: the relay's websockets last Cloud Run's
    # request timeout, and its instance affinity is Cloud Run's session affinity.
    assert "timeout_sec" not in backend
    template = relay_template()
    assert (template["timeout"], template["session_affinity"]) == ("3600s", True)
    # HTTPS on 443 with a Google-managed certificate for the domain, TLS 1.2 or later ...
    certificate = resources["google_compute_managed_ssl_certificate.lb"]
    assert one(certificate, "managed") == {"domains": ["${var.domain}"]}
    assert one(certificate, "lifecycle")["create_before_destroy"] is True
    proxy = resources["google_compute_target_https_proxy.lb"]
    assert proxy["ssl_certificates"] == ["${google_compute_managed_ssl_certificate.lb[0].id}"]
    assert proxy["url_map"] == "${google_compute_url_map.lb[0].id}"
    assert resources["google_compute_ssl_policy.lb"]["min_tls_version"] == "TLS_1_2"
    https = resources["google_compute_global_forwarding_rule.https"]
    assert (https["port_range"], https["target"]) == ("443", "${google_compute_target_https_proxy.lb[0].id}")
    # ... and HTTP on the same address redirected to it.
    http = resources["google_compute_global_forwarding_rule.http"]
    assert (http["port_range"], http["ip_address"]) == ("80", https["ip_address"])
    assert http["target"] == "${google_compute_target_http_proxy.redirect[0].id}"
    redirect = one(resources["google_compute_url_map.redirect"], "default_url_redirect")
    assert redirect["https_redirect"] is True and redirect["strip_query"] is False
    for rule in (https, http):
        assert rule["load_balancing_scheme"] == "EXTERNAL_MANAGED"
        assert rule["ip_address"] == "${google_compute_global_address.lb[0].id}"


def test_with_the_relay_layout_there_is_no_load_balancer(tmp_path: Path, manifest_data: dict, derived: dict) -> None:
    # Everything of the load balancer and the console's service exists only with console_layout =
    # "load_balancer": a count of local.lb, or a for_each over the backends (none without it).
    for name in LB_FILES:
        for entry in parsed(TF_DIR / name).get("resource", []):
            for rtype, named in entry.items():
                for rname, body in named.items():
                    switched = body.get("count") == "${local.lb ? 1 : 0}"
                    assert switched or body.get("for_each") == "${local.lb_backends}", (
                        f"{name}: {rtype}.{rname}"
                    )
    assert blocks("resource")["google_service_account.console"]["count"] == "${local.lb ? 1 : 0}"
    assert merged("locals")["lb_backends"] == '${local.lb ? toset(["relay", "console"]) : toset([])}'
    alone = evaluate_locals(manifest_data, tmp_path / "relay", console_layout="relay", domain="", console_image="")
    assert alone["lb"] is False and alone["lb_backends"] == []
    # Without Redis nor a load balancer, no Compute Engine at all; the load balancer needs it.
    bare = evaluate_locals(manifest_data, tmp_path / "bare", console_layout="relay", relay_redis=False)
    assert "compute.googleapis.com" not in bare["apis"]
    balanced = evaluate_locals(manifest_data, tmp_path / "balanced", relay_redis=False)
    assert balanced["lb"] is True and "compute.googleapis.com" in balanced["apis"]
    assert derived["lb"] is True and merged("variable")["console_layout"]["default"] == "load_balancer"
    # The services take the load balancer's traffic only when there is one.
    relay = blocks("resource")["google_cloud_run_v2_service.relay"]
    assert relay["ingress"] == '${local.lb ? "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER" : "INGRESS_TRAFFIC_ALL"}'
    console = blocks("resource")["google_cloud_run_v2_service.console"]
    assert console["ingress"] == "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"


def test_the_load_balancer_layout_without_a_domain_says_what_to_do(tmp_path: Path, manifest_data: dict) -> None:
    with pytest.raises(AssertionError) as refused:
        evaluate_locals(manifest_data, tmp_path / "no-domain", domain="")
    message = " ".join(str(refused.value).split())
    assert 'console_layout = "load_balancer" needs a domain: set domain' in message
    assert 'or set console_layout = "relay"' in message
    with pytest.raises(AssertionError, match="needs console_image"):
        evaluate_locals(manifest_data, tmp_path / "no-image", console_image="")
    with pytest.raises(AssertionError, match="lowercase DNS name"):
        evaluate_locals(manifest_data, tmp_path / "url", domain="https://desk.example.org/")


def test_the_console_runs_as_its_own_service_from_its_image() -> None:
    resources = blocks("resource")
    console = resources["google_cloud_run_v2_service.console"]
    template = one(console, "template")
    container = one(template, "containers")
    assert container["image"] == "${var.console_image}"
    assert one(container, "ports") == {"container_port": 8080}
    assert template["service_account"] == "${google_service_account.console[0].email}"
    # Its account is granted nothing.
    assert not [a for a, b in resources.items() if "google_service_account.console" in members_of(b)]
    outputs = merged("output")
    assert outputs["console_url"]["value"] == (
        '${local.lb ? "https://${var.domain}" : google_cloud_run_v2_service.relay.uri}'
    )
    assert outputs["load_balancer_ip"]["value"] == "${one(google_compute_global_address.lb[*].address)}"
    example = (TF_DIR / "terraform.tfvars.example").read_text(encoding="utf-8")
    for name in ("console_layout", "domain", "console_image", "alert_email"):
        assert re.search(rf"^{name}\s*=", example, re.M), name


FRONTEND = ROOT / "frontend"


def nginx_config() -> str:
    return (FRONTEND / "nginx.conf.template").read_text(encoding="utf-8")


def test_the_console_image_builds_the_console_and_serves_it_with_nginx_on_port() -> None:
    dockerfile = (FRONTEND / "Dockerfile").read_text(encoding="utf-8")
    stages = re.findall(r"^FROM (\S+)", dockerfile, re.M)
    assert stages[0].startswith("node:20") and stages[-1].startswith("nginx:") and stages[-1].endswith("-alpine")
    assert "RUN npm ci" in dockerfile and "RUN npm run build" in dockerfile
    assert "COPY --from=build /src/dist /usr/share/nginx/html" in dockerfile
    # nginx's entrypoint fills ${PORT} into templates/ at start; 8080 where Cloud Run gives none.
    assert "COPY nginx.conf.template /etc/nginx/templates/default.conf.template" in dockerfile
    assert re.search(r"^ENV PORT=8080$", dockerfile, re.M)
    config = nginx_config()
    assert re.search(r"^\s*listen \$\{PORT\};", config, re.M)
    assert "root /usr/share/nginx/html;" in config
    # Vite writes the hashed files to assets/ (no other assetsDir is configured).
    assert "assetsDir" not in (FRONTEND / "vite.config.js").read_text(encoding="utf-8")
    ignored = (FRONTEND / ".dockerignore").read_text(encoding="utf-8").split()
    assert {"node_modules", "dist"} <= set(ignored)


def test_the_console_s_nginx_falls_back_to_index_html_and_caches_only_hashed_assets(tmp_path: Path) -> None:
    config = nginx_config()
    blocks_ = dict(re.findall(r"location (/assets/|/api/|/socket\.io/|/) \{(.*?)\n    \}", config, re.S))
    assert "try_files $uri $uri/ /index.html;" in blocks_["/"]  # the console's client-side routes
    assert "try_files $uri =404;" in blocks_["/assets/"]  # a missing asset is no page
    assert "return 404;" in blocks_["/api/"] and "return 404;" in blocks_["/socket.io/"]
    # Headers only at the server's level: a location naming its own add_header would drop them all.
    assert not any("add_header" in block for block in blocks_.values())
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").is_file() else None)
    if nginx is None:
        pytest.skip("nginx is not installed here: its configuration was read, not served")
    # Served for real, as the image's entrypoint would write it.
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>console</title>", encoding="utf-8")
    (dist / "assets" / "index-3f2a1b.js").write_text("console.log(1)", encoding="utf-8")
    (dist / "favicon.svg").write_text("<svg/>", encoding="utf-8")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server_block = config.replace("${PORT}", f"127.0.0.1:{port}").replace("/usr/share/nginx/html", str(dist))
    (tmp_path / "nginx.conf").write_text(
        # (as root, nginx's workers would drop to `nobody`, who may not read pytest's private tmp)
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"daemon off;\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n access_log off;\n client_body_temp_path {tmp_path};\n proxy_temp_path {tmp_path};\n"
        f" fastcgi_temp_path {tmp_path};\n uwsgi_temp_path {tmp_path};\n scgi_temp_path {tmp_path};\n"
        f" types {{ text/html html; application/javascript js; image/svg+xml svg; }}\n{server_block}\n}}\n",
        encoding="utf-8",
    )
    server = subprocess.Popen([nginx, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        def get(path: str) -> tuple[int, dict[str, str], bytes]:
            for _ in range(50):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as answer:
                        return answer.status, dict(answer.headers), answer.read()
                except urllib.error.HTTPError as error:
                    return error.code, dict(error.headers), error.read()
                except urllib.error.URLError:
                    time.sleep(0.1)
            pytest.fail(f"nginx did not answer: {server.stderr.read().decode() if server.poll() is not None else ''}")

        for route in ("/", "/conversations/42", "/settings/theme"):
            status, headers, body = get(route)
            assert (status, body) == (200, (dist / "index.html").read_bytes()), route
            assert headers["Cache-Control"] == "no-cache", route
        status, headers, body = get("/assets/index-3f2a1b.js")
        assert status == 200 and headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert get("/assets/gone-000000.js")[0] == 404
        assert get("/favicon.svg")[2] == b"<svg/>"
        for path in ("/api/health", "/socket.io/?EIO=4"):
            assert get(path)[0] == 404, path
        # The relay's security headers on every answer, its errors too (realtime/security_headers.py).
        for path in ("/", "/conversations/42", "/assets/index-3f2a1b.js", "/assets/gone-000000.js", "/api/health"):
            headers = get(path)[1]
            policy = headers["Content-Security-Policy"]
            assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy, path
            assert "connect-src 'self' wss://127.0.0.1;" in policy, path
            assert (headers["X-Content-Type-Options"], headers["Referrer-Policy"], headers["X-Frame-Options"]) == (
                "nosniff", "same-origin", "DENY"), path
            assert headers["Strict-Transport-Security"].startswith("max-age="), path
    finally:
        server.terminate()
        server.wait(timeout=10)


# --- operations: the uptime check, Firestore's recovery, where alerts go -------------------------------------


def test_an_uptime_check_asks_the_relay_s_health_and_alerts(tmp_path: Path, derived: dict) -> None:
    resources = blocks("resource")
    assert derived["uptime_path"] == "/api/health"
    # The same endpoint the relay's own probes use.
    assert one(one(relay_container(), "liveness_probe"), "http_get")["path"] == derived["uptime_path"]
    check = resources["google_monitoring_uptime_check_config.relay_health"]
    http = one(check, "http_check")
    assert (http["path"], http["port"]) == ("${local.uptime_path}", 443)
    assert http["use_ssl"] is True and http["validate_ssl"] is True
    resource = one(check, "monitored_resource")
    assert resource["type"] == "uptime_url" and resource["labels"]["host"] == "${local.uptime_host}"
    # Through the domain with the load balancer, at the relay's own URL without.
    assert merged("locals")["uptime_host"] == (
        '${local.lb ? var.domain : trimprefix(google_cloud_run_v2_service.relay.uri, "https://")}'
    )
    assert check["period"] == "${var.uptime_check_period_seconds}s"
    assert merged("variable")["uptime_check_period_seconds"]["default"] == 300
    policy = alert_policies()["google_monitoring_alert_policy.relay_down"]
    condition = one(one(policy, "conditions"), "condition_threshold")
    assert "monitoring.googleapis.com/uptime_check/check_passed" in condition["filter"]
    assert "${google_monitoring_uptime_check_config.relay_health.uptime_check_id}" in condition["filter"]
    assert one(condition, "aggregations")["cross_series_reducer"] == "REDUCE_COUNT_FALSE"
    assert policy["notification_channels"] == "${local.notification_channels}"


def test_firestore_has_point_in_time_recovery_and_daily_backups(tmp_path: Path, manifest_data: dict) -> None:
    resources = blocks("resource")
    database = resources["google_firestore_database.desk"]
    assert database["point_in_time_recovery_enablement"] == "POINT_IN_TIME_RECOVERY_ENABLED"
    schedule = resources["google_firestore_backup_schedule.daily"]
    assert schedule["database"] == "${google_firestore_database.desk.name}"
    assert schedule["daily_recurrence"] in ({}, [{}])
    assert schedule["retention"] == "${var.firestore_backup_retention_days * 86400}s"
    assert merged("variable")["firestore_backup_retention_days"]["default"] == 7
    # Firestore keeps a backup at most 14 weeks.
    with pytest.raises(AssertionError, match="between 1 and 98"):
        evaluate_locals(manifest_data, tmp_path, firestore_backup_retention_days=120)


def test_alerts_that_go_nowhere_say_so_loudly(tmp_path: Path, manifest_data: dict, derived: dict) -> None:
    assert derived["alerts_go_to"].startswith("NOWHERE: ")
    routed = evaluate_locals(
        manifest_data, tmp_path / "routed", alert_email="oncall@example.org", notification_channels=["42"]
    )
    assert routed["alerts_go_to"] == "e-mail to oncall@example.org, projects/teledesk-test/notificationChannels/42"
    assert merged("output")["alerts_go_to"]["value"] == "${local.alerts_go_to}"
    # plan and apply print a warning, from a check block that needs no provider: planned here.
    (check_block,) = re.findall(r'^check "alerts_reach_someone" \{\n.*?^\}\n', (TF_DIR / "monitoring.tf").read_text(
        encoding="utf-8"), re.M | re.S)
    for name, extra, warned in (("silent", {}, True), ("mailed", {"alert_email": "oncall@example.org"}, False)):
        module = tmp_path / name
        module.mkdir()
        shutil.copy(TF_DIR / "variables.tf", module / "variables.tf")
        (module / "check.tf").write_text(check_block, encoding="utf-8")
        tfvars = {"project_id": "teledesk-test", "relay_image": "example/relay:test", **LAYOUT_DEFAULTS, **extra}
        (module / "test.auto.tfvars.json").write_text(json.dumps(tfvars), encoding="utf-8")
        assert terraform("init", "-input=false", "-no-color", cwd=module).returncode == 0
        plan = terraform("plan", "-input=false", "-no-color", cwd=module)
        assert plan.returncode == 0, plan.stderr  # a warning: the desk is still deployed
        said = " ".join((plan.stdout + plan.stderr).split())
        assert ("ALERTS GO NOWHERE: neither alert_email nor notification_channels is set" in said) is warned, said


def test_the_relay_believes_the_google_front_ends_before_it(tmp_path: Path, manifest_data: dict) -> None:
    """DESK_TRUSTED_PROXIES (realtime/origins.py): Cloud Run's front end alone, or the load balancer's too."""
    def trusted(name: str, **variables: object) -> str:
        got = evaluate_locals(manifest_data, tmp_path / name, stand_ins={"google_redis_instance.relay": REDIS_INSTANCE},
                              sensitive=("relay_redis_auth_urls",), **variables)
        return str(got["relay_plain_env"]["DESK_TRUSTED_PROXIES"])

    assert trusted("behind-the-lb") == "2"
    assert trusted("alone", console_layout="relay", domain="", console_image="") == "1"
    assert trusted("chosen", relay_env={"DESK_TRUSTED_PROXIES": "3"}) == "3"
