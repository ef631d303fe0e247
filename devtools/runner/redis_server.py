"""A local `redis-server` for several relays (`DESK_RELAYS` > 1), as Memorystore is on Google Cloud."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from devtools.runner.emulators import MissingPrerequisite
from devtools.runner.processes import free_port

REDIS_APT = "apt-get install redis-server (`make run` does it when DESK_RELAYS > 1)"


@dataclass
class RedisServer:
    """One redis-server on 127.0.0.1 and a free port, keeping nothing on disk."""

    log_dir: Path
    port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def argv(self) -> list[str]:
        server = shutil.which("redis-server")
        if server is None:
            raise MissingPrerequisite(f"redis-server not found: {REDIS_APT}")
        return [server, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"]


def shown_url(url: str) -> str:
    """A Redis URL as it may be printed: a password in it (Memorystore's AUTH string) masked."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = f"{parts.username}:" if parts.username else ":"
    host = parts.hostname or ""
    netloc = f"{user}***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))
