"""`make deploy` and `make rotate-secrets` (devtools/deploy.py), offline.

`gcloud`, `terraform` and `curl` are replaced first on PATH by recorders (fake_cli.py) that log
every call and answer from a scripted state of the project; git is the real one, in a throwaway
repository holding what the deploy reads (the manifest, variables.tf, the two Dockerfiles, a
stand-in for package_functions.py). The deploy runs as `make deploy` runs it, in a subprocess.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import hcl2
import pytest

from devtools import deploy
from teledesk.manifest import load_manifest

ROOT = Path(__file__).resolve().parents[3]
FAKE_CLI = Path(__file__).with_name("fake_cli.py")
PROJECT = "teledesk-prod"
REGION = "europe-west1"
API_BASE = "https://api.telegram.org"
TOKEN = "123456789:AAFakeTokenForTheDeployTests_0123456789"
NEW_TOKEN = "123456789:AANewTokenAfterBotFatherRevoke_987654"
OUTPUTS = {
    "webhook_url": "https://ingest-abc123-ew.a.run.app",
    "console_url": "https://desk.example.org",
    "load_balancer_ip": "34.120.0.7",
    "function_urls": "{}",
    "alerts_go_to": "oncall@example.org",
}
TFVARS = 'domain      = "desk.example.org"\nalert_email = "oncall@example.org"\n'
SECRET_IDS = {
    "TELEGRAM_BOT_TOKEN": "telegram-bot-token",
    "TELEGRAM_WEBHOOK_SECRET": "telegram-webhook-secret",
    "DESK_ADMIN_PASSWORD": "desk-admin-password",
    "DESK_SESSION_SECRET": "desk-session-secret",
}
HCL_OPTIONS = hcl2.SerializationOptions(with_comments=False, explicit_blocks=False, strip_string_quotes=True)

# Calls that create or change something: none may happen on a run that has nothing to do.
CHANGING = (
    ("gcloud", "services enable"),
    ("gcloud", "buckets create"),
    ("gcloud", "buckets update"),
    ("gcloud", "secrets create"),
    ("gcloud", "versions add"),
    ("gcloud", "repositories create"),
    ("gcloud", "builds submit"),
    ("terraform", "apply"),
    ("curl", "setWebhook"),
)


class Project:
    """A throwaway checkout, the recorders on PATH, and the scripted state they answer from."""

    def __init__(self, base: Path) -> None:
        self.repo = base / "teledesk"
        self.bin = base / "bin"
        self.state_path = base / "state.json"
        self.log_path = base / "calls.jsonl"
        self.make_repo()
        self.bin.mkdir()
        for tool in ("gcloud", "terraform", "curl"):
            wrapper = self.bin / tool
            wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKE_CLI}" {tool} "$@"\n', encoding="utf-8")
            wrapper.chmod(0o755)
        self.state_path.write_text(json.dumps({
            "configured_project": PROJECT,
            "apis": ["serviceusage.googleapis.com"],
            "buckets": {},
            "secrets": {},
            "repositories": [],
            "images": [],
            "builds": [],
            "service_accounts": [],
            "grants": [],
            "secret_labels": {},
            "terraform": {"applies": 0},
            "outputs": OUTPUTS,
            "telegram": {"api_base": API_BASE, "token": TOKEN, "webhook": {}},
        }), encoding="utf-8")

    def make_repo(self) -> None:
        (self.repo / "terraform").mkdir(parents=True)
        (self.repo / "frontend").mkdir()
        for name in ("pipeline.yaml", ".gitignore", "Dockerfile", "terraform/variables.tf"):
            shutil.copy(ROOT / name, self.repo / name)
        (self.repo / "frontend/Dockerfile").write_text("FROM nginx:stable\n", encoding="utf-8")
        (self.repo / "terraform/package_functions.py").write_text(
            "# Stand-in: one reproducible zip, and a line in the recorders' log.\n"
            "import json, os, pathlib\n"
            "out = pathlib.Path(__file__).parent / 'build'\n"
            "out.mkdir(exist_ok=True)\n"
            "(out / 'ingest.zip').write_bytes(b'PK the same bytes every time')\n"
            "with open(os.environ['FAKE_CLI_LOG'], 'a') as log:\n"
            "    log.write(json.dumps({'tool': 'package_functions', 'argv': [], 'stdin': ''}) + '\\n')\n",
            encoding="utf-8",
        )
        git = ["git", "-c", "user.name=Ops", "-c", "user.email=ops@example.org"]
        subprocess.run(["git", "init", "-q", "-b", "main"], cwd=self.repo, check=True)
        subprocess.run([*git, "add", "."], cwd=self.repo, check=True)
        subprocess.run([*git, "commit", "-q", "-m", "the desk"], cwd=self.repo, check=True)
        (self.repo / "terraform/terraform.tfvars").write_text(TFVARS, encoding="utf-8")

    @property
    def commit(self) -> str:
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=self.repo, capture_output=True, text=True,
                              check=True).stdout.strip()

    def state(self) -> dict[str, Any]:
        return json.loads(self.state_path.read_text(encoding="utf-8"))

    def update_state(self, **changes: Any) -> None:
        self.state_path.write_text(json.dumps({**self.state(), **changes}), encoding="utf-8")

    def calls(self) -> list[dict[str, Any]]:
        if not self.log_path.exists():
            return []
        return [json.loads(line) for line in self.log_path.read_text(encoding="utf-8").splitlines()]

    def run(self, command: str, **environ: str) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:
        """Run the command; its result and the calls it made."""
        before = len(self.calls())
        keep = {name: value for name, value in os.environ.items()
                if name not in {"TELEGRAM_BOT_TOKEN", "PROJECT", "REGION", "CLOUDSDK_CORE_PROJECT"}}
        env = {**keep, "PATH": f"{self.bin}{os.pathsep}{os.environ['PATH']}", "FAKE_CLI_STATE": str(self.state_path),
               "FAKE_CLI_LOG": str(self.log_path), "PROJECT": PROJECT, **environ}
        done = subprocess.run(
            [sys.executable, "-m", "devtools.deploy", command, "--root", str(self.repo)],
            cwd=ROOT, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120, check=False,
        )
        return done, self.calls()[before:]


def described(call: dict[str, Any]) -> str:
    return f"{call['tool']} {' '.join(call['argv'])} {call['stdin'] if call['tool'] == 'curl' else ''}"


def changing_calls(calls: list[dict[str, Any]]) -> list[str]:
    return [described(c) for c in calls for tool, words in CHANGING if c["tool"] == tool and words in described(c)]


def index_of(calls: list[dict[str, Any]], tool: str, *words: str) -> int:
    """Where the first call of `tool` whose text holds every word is."""
    for at, call in enumerate(calls):
        if call["tool"] == tool and all(word in described(call) for word in words):
            return at
    raise AssertionError(f"no {tool} call with {words} in:\n" + "\n".join(described(c) for c in calls))


def step_outcomes(stdout: str) -> dict[str, list[str]]:
    """Each step's outcome words ("created", "exists", ...), from the lines under its header."""
    outcomes: dict[str, list[str]] = {}
    current = None
    for line in stdout.splitlines():
        header = re.match(r"^==> \[\d/\d\] (.+)$", line)
        if header or line.startswith("==> "):
            current = header.group(1) if header else None
            if current:
                outcomes[current] = []
            continue
        outcome = re.match(r"^    ([a-z][a-z ]*): ", line)
        if current and outcome:
            outcomes[current].append(outcome.group(1))
    return outcomes


def secret_values(state: dict[str, Any], *envs: str) -> list[str]:
    return [value for env in envs for value in state["secrets"].get(SECRET_IDS[env], [])]


def image(name: str, commit: str) -> str:
    return f"{REGION}-docker.pkg.dev/{PROJECT}/teledesk/{name}:{commit[:12]}"


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path)


def test_the_first_run_does_every_step_in_order_and_the_second_changes_nothing(project: Project) -> None:
    first, calls = project.run("deploy", TELEGRAM_BOT_TOKEN=TOKEN)
    assert first.returncode == 0, first.stdout + first.stderr
    headers = [line for line in first.stdout.splitlines() if line.startswith("==> [")]
    assert headers == [f"==> [{n}/8] {name}" for n, name in enumerate(deploy.STEPS, 1)]

    order = [
        index_of(calls, "gcloud", "services enable", "secretmanager.googleapis.com"),
        index_of(calls, "gcloud", "buckets create", f"gs://{PROJECT}-teledesk-tfstate", f"--location={REGION}"),
        index_of(calls, "gcloud", "buckets update", "--versioning"),
        index_of(calls, "gcloud", "secrets create", "telegram-bot-token"),
        index_of(calls, "gcloud", "secrets create", "desk-session-secret"),
        index_of(calls, "gcloud", "repositories create", "teledesk", "--repository-format=docker"),
        index_of(calls, "gcloud", "service-accounts create", "td-image-build"),
        index_of(calls, "gcloud", "buckets create", f"gs://{PROJECT}-teledesk-builds"),
        index_of(calls, "gcloud", "repositories add-iam-policy-binding", "roles/artifactregistry.writer"),
        index_of(calls, "gcloud", "builds submit", f"_IMAGE={image('relay', project.commit)}"),
        index_of(calls, "gcloud", "builds submit", f"_IMAGE={image('console', project.commit)}"),
        index_of(calls, "package_functions"),
        index_of(calls, "terraform", "init", f"-backend-config=bucket={PROJECT}-teledesk-tfstate"),
        index_of(calls, "terraform", "plan", "-detailed-exitcode"),
        index_of(calls, "terraform", "apply"),
        index_of(calls, "terraform", "output -json"),
        index_of(calls, "curl", "getWebhookInfo"),
        index_of(calls, "curl", "setWebhook"),
        index_of(calls, "gcloud", "versions access", "--secret=desk-admin-password"),
    ]
    assert order == sorted(order)

    state = project.state()
    bucket = state["buckets"][f"gs://{PROJECT}-teledesk-tfstate"]
    assert bucket["versioning"]
    assert {"--uniform-bucket-level-access", "--public-access-prevention"} <= set(bucket["flags"])
    assert set(state["secrets"]) == set(SECRET_IDS.values())
    assert state["secrets"]["telegram-bot-token"] == [TOKEN]
    # Each from its own context: the repository for the relay, frontend/ for the console.
    assert [b["_DOCKERFILE"] for b in state["builds"]] == ["Dockerfile", "Dockerfile"]
    # As the desk's own build account, from its own staging bucket, which it may read.
    account = f"td-image-build@{PROJECT}.iam.gserviceaccount.com"
    assert {b["account"] for b in state["builds"]} == {f"projects/{PROJECT}/serviceAccounts/{account}"}
    assert {b["staging"] for b in state["builds"]} == {f"gs://{PROJECT}-teledesk-builds/source"}
    assert {role for _, member, role in state["grants"] if member == f"serviceAccount:{account}"} == {
        "roles/logging.logWriter", "roles/artifactregistry.writer", "roles/storage.objectViewer"}
    variables = state["terraform"]["applied"]["variables"]
    assert variables == {"project_id": PROJECT, "region": REGION, "relay_image": image("relay", project.commit),
                         "console_image": image("console", project.commit)}
    webhook = state["telegram"]["webhook"]
    assert webhook["url"] == OUTPUTS["webhook_url"]
    assert webhook["allowed_updates"] == list(load_manifest(ROOT / "pipeline.yaml").allowed_updates)
    assert webhook["secret_token"] == state["secrets"]["telegram-webhook-secret"][-1]
    assert "https://desk.example.org" in first.stdout and "34.120.0.7" in first.stdout
    assert "A record" in first.stdout

    second, calls = project.run("deploy")  # no token given: its secret exists
    assert second.returncode == 0, second.stdout + second.stderr
    assert changing_calls(calls) == []
    assert "Nothing changed" in second.stdout
    outcomes = step_outcomes(second.stdout)
    assert list(outcomes) == list(deploy.STEPS)
    for name in deploy.STEPS[1:]:
        assert outcomes[name] and set(outcomes[name]) <= {"unchanged", "exists", "nothing to change"}, name
    assert project.state()["terraform"]["applies"] == 1


def test_no_secret_is_printed_or_put_on_a_command_line(project: Project) -> None:
    runs = [project.run("deploy", TELEGRAM_BOT_TOKEN=TOKEN), project.run("deploy")]
    state = project.state()
    hidden = secret_values(state, "TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "DESK_SESSION_SECRET")
    (password,) = secret_values(state, "DESK_ADMIN_PASSWORD")
    assert len(hidden) == 3 and all(len(value) >= 32 for value in hidden[1:])
    for run, (done, calls) in enumerate(runs):
        assert done.returncode == 0, done.stdout + done.stderr
        printed = done.stdout + done.stderr
        assert not [value for value in hidden if value in printed]
        # The password once, on the run that made it; later runs say how to read it.
        assert printed.count(password) == (1 if run == 0 else 0)
        last = done.stdout.rstrip().splitlines()[-1]
        assert last == (f"    password: {password}" if run == 0 else
                        f"    password: gcloud secrets versions access latest --secret=desk-admin-password "
                        f"--project={PROJECT}")
        for call in calls:
            assert not [value for value in [*hidden, password] if value in " ".join(call["argv"])], call["argv"]
    first_calls = runs[0][1]
    # The values went where they belong, on stdin: to Secret Manager, and Telegram's token and the
    # webhook secret in curl's config.
    assert {c["stdin"] for c in first_calls if "secrets create" in described(c)} == {*hidden[:1], *hidden[1:], password}
    set_webhook = first_calls[index_of(first_calls, "curl", "setWebhook")]
    assert f"/bot{TOKEN}/setWebhook" in set_webhook["stdin"] and hidden[1] in set_webhook["stdin"]


def test_rotation_adds_versions_rolls_them_out_and_registers_the_webhook_again(project: Project) -> None:
    assert project.run("deploy", TELEGRAM_BOT_TOKEN=TOKEN)[0].returncode == 0
    before = project.state()
    telegram = before["telegram"]
    project.update_state(telegram={**telegram, "token": NEW_TOKEN})  # BotFather's /revoke gave a new token

    done, calls = project.run("rotate-secrets", TELEGRAM_BOT_TOKEN=NEW_TOKEN)
    assert done.returncode == 0, done.stdout + done.stderr
    after = project.state()
    for env in ("TELEGRAM_WEBHOOK_SECRET", "DESK_SESSION_SECRET", "TELEGRAM_BOT_TOKEN"):
        secret = SECRET_IDS[env]
        assert len(after["secrets"][secret]) == 2 and after["secrets"][secret][1] != before["secrets"][secret][0]
    assert after["secrets"]["telegram-bot-token"][-1] == NEW_TOKEN
    assert after["secrets"]["desk-admin-password"] == before["secrets"]["desk-admin-password"]
    # The apply sees the new version numbers, so every service that reads one gets a new revision.
    assert after["terraform"]["applies"] == 2
    assert after["terraform"]["applied"]["secret_versions"]["telegram-webhook-secret"] == 2
    assert index_of(calls, "gcloud", "versions add") < index_of(calls, "terraform", "apply") < index_of(
        calls, "curl", "setWebhook")
    assert after["telegram"]["webhook"]["secret_token"] == after["secrets"]["telegram-webhook-secret"][-1]
    assert not [c for c in calls if c["tool"] == "gcloud" and "builds submit" in described(c)]
    new_values = [after["secrets"][SECRET_IDS[env]][-1] for env in ("TELEGRAM_WEBHOOK_SECRET", "DESK_SESSION_SECRET")]
    assert not [value for value in [*new_values, NEW_TOKEN] if value in done.stdout + done.stderr]
    assert not [c for c in calls if any(value in " ".join(c["argv"]) for value in [*new_values, NEW_TOKEN])]

    again, calls = project.run("rotate-secrets")  # without a token: the bot token is kept
    assert again.returncode == 0, again.stdout + again.stderr
    final = project.state()
    assert len(final["secrets"]["telegram-bot-token"]) == 2
    assert len(final["secrets"]["telegram-webhook-secret"]) == 3
    assert index_of(calls, "curl", "setWebhook") > index_of(calls, "terraform", "apply")


def test_a_tree_with_uncommitted_changes_is_refused_before_anything_is_touched(project: Project) -> None:
    (project.repo / "Dockerfile").write_text("FROM scratch\n", encoding="utf-8")
    done, calls = project.run("deploy", TELEGRAM_BOT_TOKEN=TOKEN)
    assert done.returncode == 1
    assert "uncommitted changes" in done.stderr and "Dockerfile" in done.stderr
    assert calls == []


def test_without_a_bot_token_the_deploy_stops_at_the_secrets_and_says_what_to_give(project: Project) -> None:
    done, calls = project.run("deploy")
    assert done.returncode == 1
    assert "TELEGRAM_BOT_TOKEN" in done.stderr and "@BotFather" in done.stderr
    assert not [c for c in calls if "secrets create" in described(c)]

    (project.repo / ".env").write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\n", encoding="utf-8")  # git-ignored
    done, _ = project.run("deploy")
    assert done.returncode == 0, done.stdout + done.stderr
    assert project.state()["secrets"]["telegram-bot-token"] == [TOKEN]


def test_rotation_before_a_deploy_says_to_deploy_first(project: Project) -> None:
    done, calls = project.run("rotate-secrets")
    assert done.returncode == 1 and "make deploy" in done.stderr
    assert changing_calls(calls) == []


def test_the_services_read_pinned_secret_versions_that_terraform_looks_up() -> None:
    def parse(name: str) -> dict[str, Any]:
        with (ROOT / "terraform" / name).open(encoding="utf-8") as handle:
            parsed: dict[str, Any] = hcl2.load(handle, serialization_options=HCL_OPTIONS)
            return parsed

    def secret_refs(node: Any) -> list[dict[str, Any]]:
        """Every block naming one of the desk's secrets by `local.secret_ids`."""
        if isinstance(node, list):
            return [ref for item in node for ref in secret_refs(item)]
        if not isinstance(node, dict):
            return []
        own = [node] if str(node.get("secret", "")).startswith("${local.secret_ids[") else []
        return own + [ref for value in node.values() for ref in secret_refs(value)]

    lookup = parse("secrets.tf")["data"][0]["google_secret_manager_secret_version"]["desk"]
    assert lookup["for_each"] == "${local.secret_ids}" and lookup["fetch_secret_data"] is False
    locals_ = parse("secrets.tf")["locals"][0]
    assert "data.google_secret_manager_secret_version.desk" in locals_["secret_versions"]
    for name, key in (("functions.tf", "secret_environment_variables.key"), ("relay.tf", "env.key")):
        refs = secret_refs(parse(name))
        assert refs and all(ref["version"] == f"${{local.secret_versions[{key}]}}" for ref in refs), refs


def test_values_reach_curl_s_config_quoted() -> None:
    config = deploy.curl_config("https://api.telegram.org/bot1:A/setWebhook", {"allowed_updates": '["message"]'})
    assert config == ('url = "https://api.telegram.org/bot1:A/setWebhook"\n'
                      'data-urlencode = "allowed_updates=[\\"message\\"]"\n')
    with pytest.raises(deploy.DeployError):
        deploy.curl_quoted("two\nlines")


def test_settings_come_from_the_tfvars_over_variables_tf_defaults() -> None:
    defaults = deploy.variable_defaults((ROOT / "terraform/variables.tf").read_text(encoding="utf-8"))
    assert {variable: defaults[variable] for variable in deploy.SECRET_VARIABLES.values()} == {
        deploy.SECRET_VARIABLES[env]: secret for env, secret in SECRET_IDS.items()}
    assert defaults["region"] == REGION
    assert deploy.tfvars_strings('region = "us-central1" # here\n# project_id = "x"\nrelay_max_instances = 3\n') == {
        "region": "us-central1"}


def test_a_registration_that_failed_is_made_by_the_next_run(project: Project) -> None:
    project.update_state(telegram={**project.state()["telegram"], "fail_set_webhook": 1})
    failed, _ = project.run("deploy", TELEGRAM_BOT_TOKEN=TOKEN)
    assert failed.returncode == 1 and "Telegram refused setWebhook" in failed.stderr
    assert project.state()["terraform"]["applies"] == 1  # the apply went through; the webhook did not

    again, calls = project.run("deploy")  # nothing else to do, but Telegram was never given the secret
    assert again.returncode == 0, again.stdout + again.stderr
    state = project.state()
    assert state["telegram"]["webhook"]["secret_token"] == state["secrets"]["telegram-webhook-secret"][-1]
    assert state["secret_labels"]["telegram-webhook-secret"] == {deploy.REGISTERED_LABEL: "1"}
    assert [described(c) for c in calls if "setWebhook" in described(c)]
    assert not changing_calls(project.run("deploy")[1])  # and then nothing more to do


def test_register_webhook_registers_the_version_the_webhook_reads(project: Project) -> None:
    assert project.run("deploy", TELEGRAM_BOT_TOKEN=TOKEN)[0].returncode == 0
    secrets = project.state()["secrets"]
    # A version added by hand, not yet applied: the webhook still reads version 1.
    by_hand = [*secrets["telegram-webhook-secret"], "x" * 40]
    project.update_state(secrets={**secrets, "telegram-webhook-secret": by_hand})
    done, calls = project.run("register-webhook")
    assert done.returncode == 0, done.stdout + done.stderr
    assert project.state()["telegram"]["webhook"]["secret_token"] == secrets["telegram-webhook-secret"][0]
    assert [c for c in calls if c["tool"] == "curl" and "setWebhook" in c["stdin"]]
    assert not [c for c in calls if c["tool"] == "terraform" and c["argv"][0] in ("plan", "apply")]


def test_the_relay_layout_builds_no_console_image(project: Project) -> None:
    (project.repo / "terraform/terraform.tfvars").write_text('console_layout = "relay"\n', encoding="utf-8")
    done, _ = project.run("deploy", TELEGRAM_BOT_TOKEN=TOKEN)
    assert done.returncode == 0, done.stdout + done.stderr
    state = project.state()
    assert [b["_IMAGE"] for b in state["builds"]] == [image("relay", project.commit)]
    assert "console_image" not in state["terraform"]["applied"]["variables"]


def test_alerts_that_go_nowhere_are_said_loudly(project: Project) -> None:
    project.update_state(outputs={**OUTPUTS, "alerts_go_to": "NOWHERE: set alert_email or notification_channels"})
    done, _ = project.run("deploy", TELEGRAM_BOT_TOKEN=TOKEN)
    assert done.returncode == 0
    assert "ALERTS GO NOWHERE: set alert_email" in done.stderr
