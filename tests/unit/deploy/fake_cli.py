"""Stand-ins for `gcloud`, `terraform` and `curl` that the deploy tests put first on PATH.

    python fake_cli.py gcloud|terraform|curl ARGS...

Each call appends `{"tool", "argv", "stdin"}` to the JSON-lines log at $FAKE_CLI_LOG and answers
from the JSON state at $FAKE_CLI_STATE, which it updates as the real services would change:
which APIs are on, the buckets, the secrets and their versions, the Artifact Registry
repositories and images, what Terraform last applied (a plan has changes when the variables or the
secrets' latest version numbers differ from it), and the webhook Telegram knows. A call it does
not know fails, so the deploy cannot do anything the tests did not foresee.
"""

from __future__ import annotations

import json
import os
import sys
import tarfile
from pathlib import Path
from typing import Any

State = dict[str, Any]

NOT_FOUND = 1
UNEXPECTED = 3


class Exit(Exception):
    def __init__(self, code: int, message: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def option(args: list[str], name: str) -> str:
    prefix = f"--{name}="
    return next(arg.removeprefix(prefix) for arg in args if arg.startswith(prefix))


def gcloud(args: list[str], stdin: str, state: State) -> str:
    args = [arg for arg in args if arg != "--quiet" and not arg.startswith("--project=")]
    words = [arg for arg in args if not arg.startswith("--")]
    match words:
        case ["config", "get-value", "project"]:
            return state["configured_project"] + "\n"
        case ["services", "list"]:
            return "".join(f"{api}\n" for api in state["apis"])
        case ["services", "enable", *apis]:
            state["apis"] += [api for api in apis if api not in state["apis"]]
        case ["storage", "buckets", "describe", url]:
            if url not in state["buckets"]:
                raise Exit(NOT_FOUND, f"ERROR: {url} not found: 404.")
        case ["storage", "buckets", "create", url]:
            state["buckets"][url] = {"flags": [arg for arg in args if arg.startswith("--")], "versioning": False}
        case ["storage", "buckets", "update", url] if "--versioning" in args:
            state["buckets"][url]["versioning"] = True
        case ["secrets", "describe", name]:
            if name not in state["secrets"]:
                raise Exit(NOT_FOUND, f"ERROR: NOT_FOUND: Secret [{name}] not found.")
            label = next((a.removeprefix("--format=value(labels.")[:-1] for a in args
                          if a.startswith("--format=value(labels.")), None)
            if label is not None:
                return state["secret_labels"].get(name, {}).get(label, "") + "\n"
        case ["secrets", "update", name]:
            key, value = option(args, "update-labels").split("=", 1)
            state["secret_labels"].setdefault(name, {})[key] = value
        case ["secrets", "create", name] if "--data-file=-" in args:
            if name in state["secrets"]:
                raise Exit(1, "ERROR: ALREADY_EXISTS")
            state["secrets"][name] = [stdin]
        case ["secrets", "versions", "add", name] if "--data-file=-" in args:
            state["secrets"][name].append(stdin)
        case ["secrets", "versions", "access", version]:
            values = state["secrets"][option(args, "secret")]
            return values[-1] if version == "latest" else values[int(version) - 1]
        case ["iam", "service-accounts", "describe", email]:
            if email not in state["service_accounts"]:
                raise Exit(NOT_FOUND, "ERROR: NOT_FOUND: service account")
        case ["iam", "service-accounts", "create", name]:
            state["service_accounts"].append(f"{name}@{state['configured_project']}.iam.gserviceaccount.com")
        case [*_, "add-iam-policy-binding", resource]:
            grant = [resource, option(args, "member"), option(args, "role")]
            if grant not in state["grants"]:
                state["grants"].append(grant)
        case ["artifacts", "repositories", "describe", name]:
            if [name, option(args, "location")] not in state["repositories"]:
                raise Exit(NOT_FOUND, "ERROR: NOT_FOUND")
        case ["artifacts", "repositories", "create", name] if "--repository-format=docker" in args:
            state["repositories"].append([name, option(args, "location")])
        case ["artifacts", "docker", "images", "describe", image]:
            if image not in state["images"]:
                raise Exit(NOT_FOUND, "ERROR: NOT_FOUND: image not found")
        case ["builds", "submit", archive]:
            substitutions = dict(pair.split("=", 1) for pair in option(args, "substitutions").split(","))
            with tarfile.open(archive) as source:  # the build context: it must hold the Dockerfile
                if substitutions["_DOCKERFILE"] not in source.getnames():
                    raise Exit(1, f"ERROR: no {substitutions['_DOCKERFILE']} in the uploaded context")
            state["builds"].append({"config": option(args, "config"), "account": option(args, "service-account"),
                                    "staging": option(args, "gcs-source-staging-dir"), **substitutions})
            state["images"].append(substitutions["_IMAGE"])
        case _:
            raise Exit(UNEXPECTED, f"fake gcloud: unexpected call {args}")
    return ""


def desired_configuration(args: list[str], state: State) -> State:
    """What a plan would make: the -var values and each secret's latest version number."""
    variables = dict(arg.removeprefix("-var=").split("=", 1) for arg in args if arg.startswith("-var="))
    versions = {name: len(values) for name, values in state["secrets"].items()}
    return {"variables": variables, "secret_versions": versions}


def terraform(args: list[str], state: State) -> tuple[str, int]:
    tf = state["terraform"]
    match args[0]:
        case "init":
            tf["backend"] = [arg for arg in args if arg.startswith("-backend-config=")]
            return "Terraform has been successfully initialized!\n", 0
        case "plan" if "-detailed-exitcode" in args and tf.get("backend"):
            desired = desired_configuration(args, state)
            if desired == tf.get("applied"):
                return "No changes. Your infrastructure matches the configuration.\n", 0
            Path(next(arg.removeprefix("-out=") for arg in args if arg.startswith("-out="))).write_text(
                json.dumps(desired), encoding="utf-8"
            )
            return "Plan: 1 to add, 0 to change, 0 to destroy.\n", 2
        case "apply" if len(args) == 3 and args[1] == "-input=false":
            tf["applied"] = json.loads(Path(args[2]).read_text(encoding="utf-8"))
            tf["applies"] += 1
            return "Apply complete!\n", 0
        case "output" if args[1:] == ["-json"]:
            applied = tf.get("applied")
            outputs = {**state["outputs"], "webhook_secret_version": str(
                applied["secret_versions"]["telegram-webhook-secret"])} if applied else {}
            return json.dumps({k: {"value": v, "type": "string", "sensitive": False} for k, v in outputs.items()}), 0
    raise Exit(UNEXPECTED, f"fake terraform: unexpected call {args}")


def curl_options(config: str) -> list[tuple[str, str]]:
    """The `name = "value"` lines of a curl config file, unescaped."""
    found = []
    for line in config.splitlines():
        name, _, quoted = line.partition(" = ")
        found.append((name, json.loads(quoted)))  # the escapes curl reads are JSON's too
    return found


def curl(args: list[str], stdin: str, state: State) -> str:
    if args[-2:] != ["--config", "-"]:
        raise Exit(UNEXPECTED, f"fake curl: the config must come on stdin, not {args}")
    options = curl_options(stdin)
    url = next(value for name, value in options if name == "url")
    form = dict(value.split("=", 1) for name, value in options if name == "data-urlencode")
    base, _, rest = url.partition("/bot")
    token, _, method = rest.partition("/")
    if base != state["telegram"]["api_base"] or token != state["telegram"]["token"]:
        return json.dumps({"ok": False, "error_code": 401, "description": "Unauthorized"})
    webhook = state["telegram"]["webhook"]
    if method == "getWebhookInfo":
        info = {"url": webhook.get("url", ""), "has_custom_certificate": False, "pending_update_count": 0}
        if "allowed_updates" in webhook:
            info["allowed_updates"] = webhook["allowed_updates"]
        return json.dumps({"ok": True, "result": info})
    if method == "setWebhook" and state["telegram"].get("fail_set_webhook"):
        state["telegram"]["fail_set_webhook"] -= 1
        return json.dumps({"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 5"})
    if method == "setWebhook":
        state["telegram"]["webhook"] = {
            "url": form["url"],
            "secret_token": form["secret_token"],
            "allowed_updates": json.loads(form["allowed_updates"]),
        }
        return json.dumps({"ok": True, "result": True, "description": "Webhook was set"})
    raise Exit(UNEXPECTED, f"fake curl: unexpected method {method}")


def main() -> int:
    tool, args = sys.argv[1], sys.argv[2:]
    stdin = "" if sys.stdin is None or sys.stdin.isatty() else sys.stdin.read()
    state_path = Path(os.environ["FAKE_CLI_STATE"])
    state = json.loads(state_path.read_text(encoding="utf-8"))
    with open(os.environ["FAKE_CLI_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps({"tool": tool, "argv": args, "stdin": stdin}) + "\n")
    try:
        if tool == "gcloud":
            out, code = gcloud(args, stdin, state), 0
        elif tool == "terraform":
            out, code = terraform(args, state)
        else:
            out, code = curl(args, stdin, state), 0
    except Exit as stop:
        print(stop.message, file=sys.stderr)
        return stop.code
    state_path.write_text(json.dumps(state, indent=1), encoding="utf-8")
    sys.stdout.write(out)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
