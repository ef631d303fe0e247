"""The local workflows server (devtools/runner/workflows_emulator_app.py, on the PyPI workflows-emulator) for the
manifest's workflows, as Cloud Workflows and Eventarc are on Google Cloud (docs/lifecycle.md).

It runs from a venv of its own, `.venv-workflows` (`make install`: the emulator pins a Starlette
that functions-framework cannot share). A push subscription on each workflow's trigger topic
posts to its `/triggers/<workflow>`, as an Eventarc trigger would start an execution.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from devtools.runner.emulators import MissingPrerequisite
from devtools.runner.processes import free_port
from teledesk.manifest import Workflow
from teledesk.settings import ROOT

PYTHON = ROOT / ".venv-workflows" / "bin" / "python"
SERVER = ROOT / "devtools" / "runner" / "workflows_emulator_app.py"


@dataclass
class WorkflowsServer:
    """The server for `sources` (a workflow's name → its YAML) on 127.0.0.1 and a free port."""

    sources: dict[str, Path]
    project_id: str
    port: int = field(default_factory=free_port)

    @classmethod
    def of(cls, workflows: tuple[Workflow, ...], project_id: str) -> WorkflowsServer:
        """The server for the manifest's workflows."""
        return cls({workflow.name: workflow.source_path for workflow in workflows}, project_id)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def health_url(self) -> str:
        return f"{self.url}/healthz"

    def trigger_url(self, workflow: str, topic: str) -> str:
        """Where a push subscription on `topic` starts an execution of `workflow`."""
        return f"{self.url}/triggers/{workflow}?topic={topic}"

    def argv(self) -> list[str]:
        if not PYTHON.exists():
            raise MissingPrerequisite(f"no {PYTHON.parent.parent.name}: `make install` makes it "
                                      "(workflows/emulator-requirements.txt)")
        argv = [str(PYTHON), "-P", str(SERVER), "--project", self.project_id, "--port", str(self.port)]
        for name, source in self.sources.items():
            argv += ["--workflow", f"{name}={source}"]
        return argv
