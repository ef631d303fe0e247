"""`python3 -m devtools.runner.prerequisites`: what a machine needs before `make run`/`make test`.

Runs on the system Python before the virtual environment exists, so it uses the standard
library only. Each missing piece is named with the command that installs it on Debian.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

GCLOUD_APT = "see https://cloud.google.com/sdk/docs/install#deb, then apt-get install google-cloud-cli"


def _version(argv: list[str]) -> tuple[int, ...] | None:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", out.stdout + out.stderr)
    return tuple(int(g) for g in match.groups() if g) if match else None


def _sdk_root() -> Path | None:
    gcloud = shutil.which("gcloud")
    if gcloud is None:
        return None
    real = Path(gcloud).resolve()
    # .../google-cloud-sdk/bin/gcloud
    return real.parent.parent


def problems() -> list[str]:
    found: list[str] = []
    if sys.version_info < (3, 11):  # noqa: UP036 - runs on the system Python, before the venv
        found.append("Python 3.11 or newer is needed: apt-get install python3 python3-venv")
    node = _version(["node", "--version"]) if shutil.which("node") else None
    if node is None or node < (20,):
        found.append("Node.js 20 or newer is needed: apt-get install nodejs npm (or use NodeSource's Node 20)")
    if shutil.which("npm") is None:
        found.append("npm is needed: apt-get install npm")
    java = _version(["java", "-version"]) if shutil.which("java") else None
    if java is None or java[0] < 17:  # "1.8" is Java 8
        found.append("Java 17 or newer is needed by the emulators: apt-get install openjdk-17-jre-headless")
    root = _sdk_root()
    if root is None:
        found.append(f"The Google Cloud CLI (gcloud) is needed: {GCLOUD_APT}")
    else:
        components = {
            "pubsub-emulator": "google-cloud-cli-pubsub-emulator",
            "cloud-firestore-emulator": "google-cloud-cli-firestore-emulator",
        }
        for folder, package in components.items():
            if not (root / "platform" / folder).is_dir():
                found.append(f"The {folder} is needed: apt-get install {package} "
                             f"(or gcloud components install {folder.replace('cloud-', '')})")
    return found


def notes() -> list[str]:
    """What is not needed to run the desk, but whose absence narrows `make test`."""
    if shutil.which("terraform") is None:
        return ["terraform not found: the tests that run the terraform CLI (fmt, locals) will be skipped; "
                "install it from HashiCorp's apt repository to run them"]
    return []


def main() -> int:
    for note in notes():
        print(f"Note: {note}")
    missing = problems()
    if missing:
        print("teledesk cannot start on this machine yet:", file=sys.stderr)
        for line in missing:
            print(f"  - {line}", file=sys.stderr)
        return 1
    print("Prerequisites: Python, Node.js, npm, Java, gcloud and both emulators are here.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
