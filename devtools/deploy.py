"""`make deploy` and `make rotate-secrets`: the desk on Google Cloud in one command, and its
secrets rotated with every service rolled onto the new ones (docs/deploy.md).

    python -m devtools.deploy deploy           # what `make deploy` runs
    python -m devtools.deploy rotate-secrets   # what `make rotate-secrets` runs
    python -m devtools.deploy register-webhook # what `make register-webhook` runs: setWebhook again

A deploy runs these steps in order; each is idempotent and says what it did ("created",
"exists", "unchanged", "nothing to change"), so a second run changes nothing and says so:

1. source: the git commit to deploy. A tree with uncommitted changes is refused: the images are
   built from `git archive` of the commit and tagged with it, while the function zips and the
   Terraform come from the working tree, so only a clean tree makes the tag name what runs
   (and `make deploy` from an older checkout is the rollback);
2. APIs: the ones this script uses and Terraform needs before it can enable the rest itself;
3. state bucket: `<project>-teledesk-tfstate`, versioned, uniform access, public access prevented;
4. secrets: the bot token (TELEGRAM_BOT_TOKEN from the environment or `.env`, asked for only when
   its secret does not exist yet), and a generated webhook secret, session secret and first
   agent's password;
5. images: the relay and (with the load balancer layout) the console, built by Cloud Build into
   the Artifact Registry repository `teledesk` and tagged with the commit, as a build service
   account of the desk's own (`td-image-build`: it writes logs and that repository's images and
   reads the sources staged in `<project>-teledesk-builds`; Cloud Build's default account may
   lack those rights on a new project); a tag that exists is not built again;
6. functions: one zip per function (terraform/package_functions.py);
7. terraform: `init` on the state bucket, `plan -detailed-exitcode`, `apply` only when the plan
   has changes;
8. webhook: `setWebhook` with the webhook function's URL, the version of the webhook secret the
   webhook reads (Terraform pins it) and the manifest's explicit `allowed_updates`, unless
   `getWebhookInfo` shows that URL and those updates and the secret's label says Telegram was
   given that version (a label, `teledesk-registered-version`, written after each registration:
   a registration that failed is made again by the next run);

and prints the console's URL, the load balancer's address with DNS advice, and the first agent's
login. `rotate-secrets` adds new versions of the webhook and session secrets (and of the bot
token when TELEGRAM_BOT_TOKEN is in the environment), then runs the same deploy: Terraform pins
each secret's version (terraform/secrets.tf), so the apply rolls a new revision of every service
that reads one, and the webhook is registered again with the new secret.

No secret is put on a command line, printed or written to a file: values reach `gcloud` and
`curl` on their standard input (`--data-file=-`, `curl --config -`). The one exception is the
first agent's password, printed at the end of the run that created it (later runs print the
command that reads it).

Inputs: PROJECT (else `project_id` in terraform/terraform.tfvars, else gcloud's configured
project), REGION (else `region` in the tfvars, else the default in terraform/variables.tf), and
the tfvars file itself, which the operator writes from terraform/terraform.tfvars.example.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import secrets
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from teledesk.manifest import load_manifest
from teledesk.open_data import JSONObject
from teledesk.settings import read_env_file

ROOT = Path(__file__).resolve().parent.parent
REPOSITORY = "teledesk"  # the Artifact Registry repository the images go to
STATE_PREFIX = "teledesk"  # where in the state bucket Terraform keeps its state
BUILD_CONFIG = Path(__file__).resolve().parent / "cloudbuild.yaml"
TERRAFORM_DIR = "terraform"
TFVARS = "terraform.tfvars"
FIRST_AGENT = "admin"
BUILD_ACCOUNT = "td-image-build"  # the service account Cloud Build runs the image builds as
REGISTERED_LABEL = "teledesk-registered-version"  # on the webhook secret: the version Telegram was given
RELAY_LAYOUT = "relay"  # console_layout without a console service of its own

# What this script calls before Terraform runs, and what Terraform needs to enable the others
# (terraform/main.tf, local.apis).
BOOTSTRAP_APIS = (
    "serviceusage.googleapis.com",
    "cloudresourcemanager.googleapis.com",
    "iam.googleapis.com",
    "storage.googleapis.com",
    "secretmanager.googleapis.com",
    "artifactregistry.googleapis.com",
    "cloudbuild.googleapis.com",
)

# Files of the operator's own that Terraform or the operator writes into the checkout; they are
# in no image and no function zip, so they do not make the tree dirty.
OPERATOR_FILES = (f"{TERRAFORM_DIR}/{TFVARS}", f"{TERRAFORM_DIR}/.terraform.lock.hcl")

# Each secret the desk reads, by environment variable, with the Terraform variable naming it.
SECRET_VARIABLES = {
    "TELEGRAM_BOT_TOKEN": "telegram_bot_token_secret_id",
    "TELEGRAM_WEBHOOK_SECRET": "telegram_webhook_secret_secret_id",
    "DESK_ADMIN_PASSWORD": "desk_admin_password_secret_id",
    "DESK_SESSION_SECRET": "desk_session_secret_secret_id",
}
BOT_TOKEN = "TELEGRAM_BOT_TOKEN"
WEBHOOK_SECRET = "TELEGRAM_WEBHOOK_SECRET"
ADMIN_PASSWORD = "DESK_ADMIN_PASSWORD"
GENERATED: dict[str, Callable[[], str]] = {
    WEBHOOK_SECRET: lambda: secrets.token_urlsafe(32),  # Telegram takes A-Z a-z 0-9 _ - only
    "DESK_SESSION_SECRET": lambda: secrets.token_hex(32),
    ADMIN_PASSWORD: lambda: secrets.token_urlsafe(18),
}
ROTATED = (WEBHOOK_SECRET, "DESK_SESSION_SECRET")
BOT_TOKEN_PATTERN = re.compile(r"^[0-9]+:[A-Za-z0-9_-]+$")

STEPS = ("source", "APIs", "state bucket", "secrets", "images", "functions", "terraform", "webhook")
COMMANDS = ("deploy", "rotate-secrets", "register-webhook")


@dataclass(frozen=True)
class Image:
    """A container image the deploy builds, and the Terraform variable that takes it."""

    name: str
    dockerfile: str  # from the repository root
    context: str  # the build context, from the repository root

    @property
    def variable(self) -> str:
        return f"{self.name}_image"

    @property
    def dockerfile_in_context(self) -> str:
        return PurePosixPath(self.dockerfile).relative_to(self.context).as_posix()


# The console's Dockerfile builds from its own folder; if it is written to build from the
# repository root instead, make the console's context ".".
IMAGES = (
    Image("relay", "Dockerfile", "."),
    Image("console", "frontend/Dockerfile", "frontend"),
)


class DeployError(Exception):
    """A step cannot go on; the message says why and what to do."""


# --- running the tools ----------------------------------------------------------------------------


def _command_failed(args: Sequence[str], code: int) -> DeployError:
    return DeployError(f"`{shlex.join(args[:3])} ...` failed (exit {code}); its message is above")


def act(args: Sequence[str], *, secret_input: str | None = None, cwd: Path | None = None) -> None:
    """Run a command that changes something, showing it and its output."""
    print(f"    $ {shlex.join(args)}", flush=True)
    code = subprocess.run(list(args), input=secret_input, text=True, cwd=cwd, check=False).returncode
    if code != 0:
        raise _command_failed(args, code)


def read(args: Sequence[str], *, secret_input: str | None = None, cwd: Path | None = None) -> str:
    """Run a command for its standard output (not shown: it may be a secret)."""
    done = subprocess.run(
        list(args), input=secret_input, text=True, cwd=cwd, stdout=subprocess.PIPE, check=False
    )
    if done.returncode != 0:
        raise _command_failed(args, done.returncode)
    return done.stdout


def probe(args: Sequence[str], *, cwd: Path | None = None) -> bool:
    """Whether a command succeeds (a `describe` of something that may not exist), silently."""
    done = subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, check=False)
    return done.returncode == 0


def say(outcome: str, what: str) -> None:
    print(f"    {outcome}: {what}", flush=True)


# --- settings: the tfvars file, variables.tf's defaults, the environment ---------------------------


def tfvars_strings(text: str) -> dict[str, str]:
    """The top-level `name = "string"` assignments of a tfvars file (comments and others ignored)."""
    return dict(re.findall(r'^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"([^"\n]*)"', text, re.M))


def variable_defaults(text: str) -> dict[str, str]:
    """The string defaults of the `variable` blocks of a `terraform fmt`-formatted file."""
    defaults: dict[str, str] = {}
    for name, body in re.findall(r'^variable "([A-Za-z0-9_]+)" \{\n(.*?)^\}', text, re.M | re.S):
        default = re.search(r'^  default\s*=\s*"([^"\n]*)"', body, re.M)
        if default:
            defaults[name] = default.group(1)
    return defaults


@dataclass(frozen=True)
class Config:
    """Everything a deploy acts on, settled before the first step."""

    root: Path
    project: str
    region: str
    secret_ids: Mapping[str, str]  # environment variable => Secret Manager secret id
    telegram_api_base: str
    console_layout: str

    @property
    def terraform_dir(self) -> Path:
        return self.root / TERRAFORM_DIR

    @property
    def state_bucket(self) -> str:
        return f"{self.project}-teledesk-tfstate"

    @property
    def builds_bucket(self) -> str:
        return f"{self.project}-teledesk-builds"

    @property
    def build_account(self) -> str:
        return f"{BUILD_ACCOUNT}@{self.project}.iam.gserviceaccount.com"

    @property
    def images(self) -> tuple[Image, ...]:
        """The images this layout runs: no console service in the relay layout."""
        return tuple(image for image in IMAGES if image.name != "console" or self.console_layout != RELAY_LAYOUT)

    def image(self, image: Image, tag: str) -> str:
        return f"{self.region}-docker.pkg.dev/{self.project}/{REPOSITORY}/{image.name}:{tag}"

    def gcloud(self, *args: str) -> list[str]:
        return ["gcloud", *args, f"--project={self.project}", "--quiet"]


def load_config(root: Path, environ: Mapping[str, str]) -> Config:
    tfvars = root / TERRAFORM_DIR / TFVARS
    if not tfvars.is_file():
        raise DeployError(
            f"no {TERRAFORM_DIR}/{TFVARS}: copy {TERRAFORM_DIR}/{TFVARS}.example to it and set what it asks "
            "(the domain, where alerts go); docs/deploy.md says what each setting does"
        )
    settings = {
        **variable_defaults((root / TERRAFORM_DIR / "variables.tf").read_text(encoding="utf-8")),
        **tfvars_strings(tfvars.read_text(encoding="utf-8")),
    }
    project = environ.get("PROJECT") or settings.get("project_id") or configured_project()
    if not project:
        raise DeployError("no project: set PROJECT, project_id in the tfvars, or `gcloud config set project ...`")
    region = environ.get("REGION") or settings.get("region")
    if not region:
        raise DeployError("no region: set REGION or region in the tfvars")
    return Config(
        root=root,
        project=project,
        region=region,
        secret_ids={env: settings[variable] for env, variable in SECRET_VARIABLES.items()},
        telegram_api_base=settings.get("telegram_api_base", "https://api.telegram.org").rstrip("/"),
        console_layout=settings.get("console_layout", "load_balancer"),
    )


def configured_project() -> str:
    return read(["gcloud", "config", "get-value", "project"]).strip()


# --- 1. source ------------------------------------------------------------------------------------


def clean_commit(root: Path) -> str:
    """The commit at HEAD, if the working tree holds exactly it (operator files aside)."""
    if not probe(["git", "rev-parse", "--is-inside-work-tree"], cwd=root):
        raise DeployError("not a git checkout: the images are tagged with the commit they are built from")
    excluded = [f":(exclude){path}" for path in OPERATOR_FILES]
    changes = read(["git", "status", "--porcelain", "--untracked-files=all", "--", ".", *excluded], cwd=root)
    if changes.strip():
        raise DeployError(
            "the working tree has uncommitted changes (git status). Commit or stash them: the images "
            "are tagged with the commit, and a tag must name exactly what runs\n" + changes.rstrip()
        )
    return read(["git", "rev-parse", "HEAD"], cwd=root).strip()


def short(commit: str) -> str:
    return commit[:12]


# --- 2. APIs --------------------------------------------------------------------------------------


def enable_apis(config: Config) -> bool:
    listed = read(config.gcloud("services", "list", "--enabled", "--format=value(config.name)"))
    missing = [api for api in BOOTSTRAP_APIS if api not in listed.split()]
    if not missing:
        say("unchanged", f"{len(BOOTSTRAP_APIS)} APIs already enabled (Terraform enables the others)")
        return False
    act(config.gcloud("services", "enable", *missing))
    say("enabled", ", ".join(missing))
    return True


# --- 3. state bucket ------------------------------------------------------------------------------


def ensure_state_bucket(config: Config) -> bool:
    bucket = f"gs://{config.state_bucket}"
    if probe(config.gcloud("storage", "buckets", "describe", bucket)):
        say("exists", bucket)
        return False
    act(config.gcloud(
        "storage", "buckets", "create", bucket, f"--location={config.region}",
        "--uniform-bucket-level-access", "--public-access-prevention",
    ))
    act(config.gcloud("storage", "buckets", "update", bucket, "--versioning"))
    say("created", f"{bucket} (versioned: every state Terraform wrote can be restored)")
    return True


# --- 4. secrets -----------------------------------------------------------------------------------


class SecretManager:
    """The desk's secrets in Secret Manager; values travel on stdin only."""

    def __init__(self, config: Config) -> None:
        self.config = config

    def secret_id(self, env: str) -> str:
        return self.config.secret_ids[env]

    def exists(self, env: str) -> bool:
        return probe(self.config.gcloud("secrets", "describe", self.secret_id(env)))

    def create(self, env: str, value: str) -> None:
        act(self.config.gcloud(
            "secrets", "create", self.secret_id(env), "--replication-policy=automatic", "--data-file=-",
        ), secret_input=value)

    def add_version(self, env: str, value: str) -> None:
        act(self.config.gcloud("secrets", "versions", "add", self.secret_id(env), "--data-file=-"), secret_input=value)

    def value(self, env: str, version: str = "latest") -> str:
        return read(self.config.gcloud("secrets", "versions", "access", version, f"--secret={self.secret_id(env)}"))

    def label(self, env: str, name: str) -> str:
        return read(self.config.gcloud("secrets", "describe", self.secret_id(env), f"--format=value(labels.{name})"))

    def set_label(self, env: str, name: str, value: str) -> None:
        act(self.config.gcloud("secrets", "update", self.secret_id(env), f"--update-labels={name}={value}"))


def bot_token(root: Path, environ: Mapping[str, str], *, from_env_file: bool) -> str | None:
    """TELEGRAM_BOT_TOKEN from the environment (or `.env`, which the environment overrides)."""
    known = read_env_file(root / ".env") if from_env_file else {}
    token = environ.get(BOT_TOKEN) or known.get(BOT_TOKEN)
    if token and not BOT_TOKEN_PATTERN.match(token):
        raise DeployError(f"{BOT_TOKEN} does not look like a bot token from @BotFather (digits:letters)")
    return token or None


def ensure_secrets(store: SecretManager, root: Path, environ: Mapping[str, str]) -> set[str]:
    """Create each missing secret; returns the environment variables whose secret was created."""
    created: set[str] = set()
    for env in SECRET_VARIABLES:
        if store.exists(env):
            say("exists", f"{store.secret_id(env)} ({env})")
            continue
        if env == BOT_TOKEN:
            value = bot_token(root, environ, from_env_file=True)
            if value is None:
                raise DeployError(
                    f"the secret {store.secret_id(env)} does not exist yet: give the bot's token from @BotFather "
                    f"as {BOT_TOKEN} in the environment or in .env"
                )
        else:
            value = GENERATED[env]()
        store.create(env, value)
        say("created", f"{store.secret_id(env)} ({env})")
        created.add(env)
    return created


# --- 5. images ------------------------------------------------------------------------------------


def ensure_repository(config: Config) -> bool:
    location = f"--location={config.region}"
    if probe(config.gcloud("artifacts", "repositories", "describe", REPOSITORY, location)):
        say("exists", f"Artifact Registry repository {REPOSITORY} in {config.region}")
        return False
    act(config.gcloud("artifacts", "repositories", "create", REPOSITORY, "--repository-format=docker", location))
    say("created", f"Artifact Registry repository {REPOSITORY} in {config.region}")
    return True


def ensure_build_account(config: Config) -> bool:
    """The account the image builds run as, its staging bucket, and its three rights (granting is
    idempotent: a right it has already is left as it is)."""
    account = config.build_account
    created = False
    if probe(config.gcloud("iam", "service-accounts", "describe", account)):
        say("exists", f"build account {account}")
    else:
        act(config.gcloud("iam", "service-accounts", "create", BUILD_ACCOUNT, "--display-name=teledesk image builds"))
        say("created", f"build account {account}")
        created = True
    bucket = f"gs://{config.builds_bucket}"
    if probe(config.gcloud("storage", "buckets", "describe", bucket)):
        say("exists", f"{bucket} (the build sources)")
    else:
        act(config.gcloud(
            "storage", "buckets", "create", bucket, f"--location={config.region}",
            "--uniform-bucket-level-access", "--public-access-prevention",
        ))
        say("created", f"{bucket} (the build sources)")
        created = True
    member = f"--member=serviceAccount:{account}"
    act(config.gcloud("projects", "add-iam-policy-binding", config.project, member,
                      "--role=roles/logging.logWriter", "--condition=None"))
    act(config.gcloud("artifacts", "repositories", "add-iam-policy-binding", REPOSITORY,
                      f"--location={config.region}", member, "--role=roles/artifactregistry.writer"))
    act(config.gcloud("storage", "buckets", "add-iam-policy-binding", bucket, member,
                      "--role=roles/storage.objectViewer"))
    rights = "log writer on the project, image writer on the repository, reader of the build sources"
    say("granted" if created else "unchanged", rights if created else f"{rights} (granted again: no change)")
    return created


def build_image(config: Config, image: Image, commit: str) -> bool:
    """Build one image with Cloud Build from the commit's files, unless its tag exists."""
    name = config.image(image, short(commit))
    if probe(config.gcloud("artifacts", "docker", "images", "describe", name)):
        say("exists", name)
        return False
    if not probe(["git", "cat-file", "-e", f"{commit}:{image.dockerfile}"], cwd=config.root):
        raise DeployError(f"{image.dockerfile} is not in commit {short(commit)}: the {image.name} image needs it")
    tree = commit if image.context == "." else f"{commit}:{image.context}"
    with tempfile.TemporaryDirectory(prefix="teledesk-build-") as scratch:
        archive = Path(scratch) / f"{image.name}.tgz"
        read(["git", "archive", "--format=tar.gz", f"--output={archive}", tree], cwd=config.root)
        act(config.gcloud(
            "builds", "submit", str(archive), f"--config={BUILD_CONFIG}",
            f"--substitutions=_IMAGE={name},_DOCKERFILE={image.dockerfile_in_context}",
            f"--service-account=projects/{config.project}/serviceAccounts/{config.build_account}",
            f"--gcs-source-staging-dir=gs://{config.builds_bucket}/source",
        ))
    say("built", name)
    return True


# --- 6. functions ---------------------------------------------------------------------------------


def zip_digests(build_dir: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(build_dir.glob("*.zip"))}


def package_functions(config: Config) -> bool:
    build_dir = config.terraform_dir / "build"
    before = zip_digests(build_dir)
    act([sys.executable, str(config.terraform_dir / "package_functions.py")], cwd=config.root)
    after = zip_digests(build_dir)
    changed = sorted(name for name, digest in after.items() if before.get(name) != digest)
    if not changed:
        say("unchanged", f"{len(after)} function zips, byte for byte")
        return False
    say("packaged", ", ".join(changed))
    return True


# --- 7. terraform ---------------------------------------------------------------------------------


def terraform_init(config: Config) -> None:
    act([
        "terraform", "init", "-input=false",
        f"-backend-config=bucket={config.state_bucket}", f"-backend-config=prefix={STATE_PREFIX}",
    ], cwd=config.terraform_dir)


def terraform_apply(config: Config, images: Mapping[str, str]) -> bool:
    """init, plan, and apply only a plan with changes; whether it applied."""
    cwd = config.terraform_dir
    terraform_init(config)
    variables = {"project_id": config.project, "region": config.region, **images}
    with tempfile.TemporaryDirectory(prefix="teledesk-plan-") as scratch:
        plan = Path(scratch) / "teledesk.tfplan"
        args = [
            "terraform", "plan", "-input=false", "-detailed-exitcode", f"-out={plan}",
            *(f"-var={name}={value}" for name, value in variables.items()),
        ]
        print(f"    $ {shlex.join(args)}", flush=True)
        code = subprocess.run(args, cwd=cwd, check=False).returncode
        if code == 0:
            say("nothing to change", "the infrastructure matches the configuration")
            return False
        if code != 2:
            raise _command_failed(args, code)
        act(["terraform", "apply", "-input=false", str(plan)], cwd=cwd)
    say("applied", "the plan above")
    return True


def terraform_outputs(config: Config) -> JSONObject:
    outputs = json.loads(read(["terraform", "output", "-json"], cwd=config.terraform_dir))
    return {name: output.get("value") for name, output in outputs.items()}


# --- 8. webhook -----------------------------------------------------------------------------------


def curl_quoted(value: str) -> str:
    """A value for a curl config file: double-quoted, backslash and quote escaped."""
    if "\n" in value or "\r" in value:
        raise DeployError("a value for curl spans lines")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def curl_config(url: str, form: Mapping[str, str]) -> str:
    """What `curl --config -` reads: the URL and the form fields, so none is on a command line."""
    lines = [f"url = {curl_quoted(url)}"]
    lines += [f"data-urlencode = {curl_quoted(f'{key}={value}')}" for key, value in form.items()]
    return "\n".join(lines) + "\n"


class Telegram:
    """The Bot API through `curl`, the token in curl's config on stdin."""

    def __init__(self, api_base: str, token: str) -> None:
        self.api_base = api_base
        self.token = token

    def call(self, method: str, form: Mapping[str, str] | None = None) -> JSONObject:
        config = curl_config(f"{self.api_base}/bot{self.token}/{method}", form or {})
        args = ["curl", "--silent", "--show-error", "--max-time", "30", "--config", "-"]
        print(f"    $ {shlex.join(args)}   # {method}", flush=True)
        try:
            answer = json.loads(read(args, secret_input=config))
        except json.JSONDecodeError as exc:
            raise DeployError(f"Telegram's answer to {method} is not JSON") from exc
        if not answer.get("ok"):
            raise DeployError(f"Telegram refused {method}: {answer.get('description', 'no reason given')}")
        result = answer.get("result")
        return result if isinstance(result, dict) else {"result": result}


def register_webhook(config: Config, store: SecretManager, outputs: JSONObject, *, force: bool = False) -> bool:
    """setWebhook unless Telegram has the URL and allowed_updates already and was given the version
    of the webhook secret the webhook reads (the secret's label says which it was given)."""
    url = outputs.get("webhook_url")
    version = outputs.get("webhook_secret_version")
    if not url or not version:
        raise DeployError("terraform has no webhook_url or webhook_secret_version output: apply first")
    allowed = list(load_manifest(config.root / "pipeline.yaml").allowed_updates)
    telegram = Telegram(config.telegram_api_base, store.value(BOT_TOKEN))
    info = telegram.call("getWebhookInfo")
    given = store.label(WEBHOOK_SECRET, REGISTERED_LABEL).strip()
    same_hook = info.get("url") == url and sorted(info.get("allowed_updates") or []) == sorted(allowed)
    if same_hook and given == str(version) and not force:
        say("unchanged", f"Telegram sends {', '.join(allowed)} to {url} with secret version {version}")
        return False
    telegram.call("setWebhook", {
        "url": url,
        "secret_token": store.value(WEBHOOK_SECRET, str(version)),
        "allowed_updates": json.dumps(allowed),
    })
    store.set_label(WEBHOOK_SECRET, REGISTERED_LABEL, str(version))
    say("registered", f"{url} with secret version {version} (Telegram had {given or 'none'}) and {allowed}")
    return True


# --- the end: where the desk is, and the first agent ----------------------------------------------


def print_access(store: SecretManager, outputs: JSONObject, *, new_password: bool) -> None:
    """The console's URL, the load balancer's address with DNS advice, where alerts go, and the
    first agent's login (its password only on the run that made it: the one secret printed)."""
    console = str(outputs.get("console_url"))
    address = outputs.get("load_balancer_ip")
    print("\n==> The desk")
    say("console", console)
    if address:
        host = console.removeprefix("https://").split("/")[0]
        say("load balancer", str(address))
        print(
            f"    DNS: give {host} an A record pointing at {address}. Google's managed certificate is issued\n"
            "    once that record resolves (up to about 60 minutes); until then https:// fails. Watch it with\n"
            "    `gcloud compute ssl-certificates list` (PROVISIONING, then ACTIVE)."
        )
    alerts = str(outputs.get("alerts_go_to") or "")
    if alerts.startswith("NOWHERE"):
        print(f"\n    ALERTS GO NOWHERE: {alerts.removeprefix('NOWHERE').lstrip(': ')}\n", file=sys.stderr, flush=True)
    else:
        say("alerts go to", alerts)
    say("first agent", FIRST_AGENT)
    if new_password:
        print(f"    password: {store.value(ADMIN_PASSWORD)}", flush=True)
    else:
        print(f"    password: gcloud secrets versions access latest --secret={store.secret_id(ADMIN_PASSWORD)} "
              f"--project={store.config.project}", flush=True)


# --- the two commands -----------------------------------------------------------------------------


def begin(number: int) -> None:
    print(f"\n==> [{number}/{len(STEPS)}] {STEPS[number - 1]}", flush=True)


def deploy(config: Config, commit: str, environ: Mapping[str, str]) -> tuple[list[str], JSONObject, bool]:
    """Steps 2 to 8 (step 1 settled the commit): the steps that changed something, Terraform's
    outputs, and whether the first agent's password was made by this run."""
    store = SecretManager(config)
    outcomes: dict[str, bool] = {}
    begin(2)
    outcomes["APIs"] = enable_apis(config)
    begin(3)
    outcomes["state bucket"] = ensure_state_bucket(config)
    begin(4)
    created = ensure_secrets(store, config.root, environ)
    outcomes["secrets"] = bool(created)
    begin(5)
    built = [ensure_repository(config), ensure_build_account(config),
             *(build_image(config, image, commit) for image in config.images)]
    outcomes["images"] = any(built)
    begin(6)
    outcomes["functions"] = package_functions(config)
    begin(7)
    images = {image.variable: config.image(image, short(commit)) for image in config.images}
    outcomes["terraform"] = terraform_apply(config, images)
    outputs = terraform_outputs(config)
    begin(8)
    outcomes["webhook"] = register_webhook(config, store, outputs)
    return [name for name in STEPS if outcomes.get(name)], outputs, ADMIN_PASSWORD in created


def add_secret_versions(config: Config, environ: Mapping[str, str]) -> None:
    """New versions of the rotated secrets, and of the bot token when TELEGRAM_BOT_TOKEN is given."""
    store = SecretManager(config)
    token = bot_token(config.root, environ, from_env_file=False)
    rotated = [*ROTATED, *([BOT_TOKEN] if token else [])]
    print("\n==> new secret versions", flush=True)
    missing = [store.secret_id(env) for env in rotated if not store.exists(env)]
    if missing:
        raise DeployError(f"{', '.join(missing)} do not exist yet: run `make deploy` first")
    for env in rotated:
        store.add_version(env, token if env == BOT_TOKEN and token else GENERATED[env]())
        say("added", f"a version of {store.secret_id(env)} ({env})")
    if not token:
        say("kept", f"the bot token (after /revoke in @BotFather, give the new one as {BOT_TOKEN})")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("command", choices=COMMANDS)
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to deploy (this one)")
    args = parser.parse_args(argv)
    environ = os.environ
    rotating = args.command == "rotate-secrets"
    try:
        config = load_config(args.root.resolve(), environ)
        if args.command == "register-webhook":
            print("\n==> webhook", flush=True)
            terraform_init(config)
            register_webhook(config, SecretManager(config), terraform_outputs(config), force=True)
            return 0
        begin(1)
        commit = clean_commit(config.root)
        say("commit", f"{short(commit)} (clean); project {config.project}, region {config.region}")
        if rotating:
            add_secret_versions(config, environ)
        changed, outputs, new_password = deploy(config, commit, environ)
        print(f"\nChanged: {', '.join(changed)}." if changed else
              "\nNothing changed: every step found what it would make already there.")
        print_access(SecretManager(config), outputs, new_password=new_password)
    except DeployError as exc:
        print(f"\nmake {args.command}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
