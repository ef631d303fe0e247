"""What ships is only what runs: a function's zip and the relay image's build context hold none of
the dev tools (devtools/: the Telegram stand-in, the local runner), and what they install is exactly
what uv.lock pins."""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path, PurePosixPath

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEV_TOOLS = "devtools"
NEVER_IN_THE_IMAGE = (DEV_TOOLS, "tests", "bench", "terraform", ".env", ".venv", ".git", "frontend/node_modules")
DEV_ONLY_PACKAGES = {"pytest", "playwright", "ruff", "mypy", "gcp-storage-emulator"}


def dev_tool_files() -> set[str]:
    """Each dev tool's file as it is named below devtools/ (e.g. `standin/bot_api.py`)."""
    base = ROOT / DEV_TOOLS
    return {
        path.relative_to(base).as_posix()
        for path in base.rglob("*.py")
        if "__pycache__" not in path.parts and path.name != "__init__.py"
    }


@pytest.fixture(scope="module")
def zips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    spec = importlib.util.spec_from_file_location("package_functions", ROOT / "terraform" / "package_functions.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = script
    spec.loader.exec_module(script)
    built: dict[str, Path] = script.build_all(tmp_path_factory.mktemp("zips"), ROOT)
    return built


def test_no_function_zip_holds_a_dev_tool(zips: dict[str, Path]) -> None:
    tools = dev_tool_files()
    assert {"standin/bot_api.py", "runner/desk.py"} <= tools
    for name, path in zips.items():
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
        leaked = [n for n in names if n.startswith(f"{DEV_TOOLS}/") or any(n.endswith(f"/{t}") for t in tools)]
        assert not leaked, f"{name}.zip ships dev tools: {leaked}"
        assert "teledesk/manifest.py" in names


def locked_versions() -> dict[str, str]:
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    return {package["name"]: package["version"] for package in lock["package"] if "version" in package}


def test_a_function_zip_installs_exactly_what_the_lock_pins(zips: dict[str, Path]) -> None:
    with zipfile.ZipFile(next(iter(zips.values()))) as archive:
        text = archive.read("requirements.txt").decode()
    pinned = dict(re.findall(r"^([a-z0-9][a-z0-9._-]*)==([^\s;\\]+)", text, flags=re.MULTILINE | re.IGNORECASE))
    requirement_lines = [line for line in text.splitlines() if line and not line.startswith((" ", "#"))]
    assert len(pinned) == len(requirement_lines), "every requirement is pinned with =="
    assert text.count("--hash=sha256:") >= len(pinned), "every requirement carries its hashes"
    locked = locked_versions()
    assert {name: locked[name] for name in pinned} == pinned
    assert {"functions-framework", "google-cloud-pubsub", "python-telegram-bot"} <= set(pinned)
    assert not DEV_ONLY_PACKAGES & set(pinned)


# --- the relay image's build context -----------------------------------------------------------------------------


def dockerignore_patterns(root: Path) -> list[tuple[bool, re.Pattern[str]]]:
    """(re-included?, pattern) per line of .dockerignore, as Docker reads them (paths cleaned, `**` any depth)."""
    patterns = []
    for raw in (root / ".dockerignore").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        cleaned = os.path.normpath(line.removeprefix("!")).lstrip("/")
        regex = "".join(
            "(?:.*/)?" if token == "**/" else ".*" if token == "**" else "[^/]*" if token == "*"
            else "[^/]" if token == "?" else re.escape(token)
            for token in re.findall(r"\*\*/|\*\*|\*|\?|[^*?]+", cleaned)
        )
        patterns.append((negated, re.compile(regex)))
    return patterns


def excluded(path: str, patterns: list[tuple[bool, re.Pattern[str]]]) -> bool:
    """Docker's rule: the last pattern matching the path or one of its parent directories decides."""
    parts = PurePosixPath(path).parts
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    decided = False
    for negated, pattern in patterns:
        if any(pattern.fullmatch(candidate) for candidate in candidates):
            decided = not negated
    return decided


def build_context(root: Path) -> set[str]:
    """Every file Docker would send for `docker build .` from root."""
    patterns = dockerignore_patterns(root)
    reincluded = [pattern.pattern for negated, pattern in patterns if negated]
    context = set()
    for directory, subdirectories, files in os.walk(root):
        relative = Path(directory).relative_to(root).as_posix()
        prefix = "" if relative == "." else f"{relative}/"
        # A directory nothing re-includes is not walked (.venv, node_modules: thousands of files).
        subdirectories[:] = [
            d for d in subdirectories
            if not excluded(prefix + d, patterns) or any(p.startswith(re.escape(prefix + d)) for p in reincluded)
        ]
        context.update(prefix + name for name in files if not excluded(prefix + name, patterns))
    return context


def copied_sources(dockerfile: Path) -> list[str]:
    """The build-context paths the Dockerfile's COPY lines take (not those from another stage)."""
    sources = []
    for line in dockerfile.read_text(encoding="utf-8").splitlines():
        words = shlex.split(line) if line.startswith("COPY ") else []
        if words and not any(w.startswith("--from") for w in words):
            sources += [w.rstrip("/") for w in words[1:-1]]
    return sources


def test_the_image_build_context_holds_what_the_dockerfile_copies_and_no_dev_tool() -> None:
    context = build_context(ROOT)
    shipped = [p for p in context if any(p == n or p.startswith(f"{n}/") for n in NEVER_IN_THE_IMAGE)]
    assert not shipped, f"the image's build context holds {sorted(shipped)[:10]}"
    sources = copied_sources(ROOT / "Dockerfile")
    assert {"teledesk", "realtime", "uv.lock", "pipeline.yaml"} <= set(sources)
    for source in sources:
        assert any(p == source or p.startswith(f"{source}/") for p in context), f"COPY {source} would find nothing"
    assert "teledesk/manifest.py" in context and "realtime/wsgi.py" in context


def test_the_dockerignore_reading_follows_docker(tmp_path: Path) -> None:
    (tmp_path / ".dockerignore").write_text("*\n!keep/\nkeep/**/secret*\n**/__pycache__\n", encoding="utf-8")
    for name in ("top.txt", "keep/a.py", "keep/deep/secret.key", "keep/__pycache__/a.pyc", "drop/b.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert build_context(tmp_path) == {"keep/a.py"}


def test_the_lock_matches_pyproject(tmp_path: Path) -> None:
    uv = Path(sys.executable).parent / "uv"
    check = [str(uv), "lock", "--check", "--offline", "--quiet"]
    assert subprocess.run(check, cwd=ROOT, capture_output=True, check=False).returncode == 0, "run `make lock`"
    # A dependency added to pyproject.toml and not locked is caught.
    for name in ("pyproject.toml", "uv.lock"):
        (tmp_path / name).write_bytes((ROOT / name).read_bytes())
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"requests>=2.31",', '"requests>=2.31",\n  "six>=1.16",'))
    assert subprocess.run(check, cwd=tmp_path, capture_output=True, check=False).returncode != 0
