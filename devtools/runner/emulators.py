"""The official Pub/Sub and Firestore emulators, started from the Google Cloud CLI."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from devtools.runner.processes import Child, free_port, http_ok


class MissingPrerequisite(RuntimeError):
    pass


@dataclass
class Emulators:
    """Both emulators on 127.0.0.1; `environment` is what clients need to find them."""

    log_dir: Path
    pubsub_port: int = field(default_factory=free_port)
    firestore_port: int = field(default_factory=free_port)
    children: list[Child] = field(default_factory=list)

    @property
    def environment(self) -> dict[str, str]:
        return {
            "PUBSUB_EMULATOR_HOST": f"127.0.0.1:{self.pubsub_port}",
            "FIRESTORE_EMULATOR_HOST": f"127.0.0.1:{self.firestore_port}",
        }

    def start(self, project_id: str) -> Emulators:
        gcloud = shutil.which("gcloud")
        if gcloud is None:
            raise MissingPrerequisite("gcloud not found: install the Google Cloud CLI and its emulators")
        env = {**os.environ, "CLOUDSDK_CORE_DISABLE_PROMPTS": "1"}
        (self.log_dir / "pubsub-data").mkdir(parents=True, exist_ok=True)
        # Each child is recorded as soon as it exists, so a failure or Ctrl-C after it stops it.
        pubsub = Child(
            "pubsub-emulator",
            [gcloud, "beta", "emulators", "pubsub", "start", f"--host-port=127.0.0.1:{self.pubsub_port}",
             f"--project={project_id}", f"--data-dir={self.log_dir / 'pubsub-data'}"],
            env, self.log_dir,
        )
        self.children.append(pubsub)
        try:
            firestore = Child(
                "firestore-emulator",
                [gcloud, "emulators", "firestore", "start", f"--host-port=127.0.0.1:{self.firestore_port}"],
                env, self.log_dir,
            )
            self.children.append(firestore)
            pubsub.wait_until(lambda: http_ok(f"http://127.0.0.1:{self.pubsub_port}/"), timeout=90)
            firestore.wait_until(lambda: http_ok(f"http://127.0.0.1:{self.firestore_port}/"), timeout=90)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for child in reversed(self.children):
            child.stop()
        self.children.clear()
