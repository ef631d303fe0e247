"""CPU-heavy work off the relay's event loop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import gevent
from gevent import monkey

T = TypeVar("T")


def off_the_loop(work: Callable[..., T], *args: Any) -> T:
    """Run CPU-heavy work that releases the GIL (scrypt: ~0.2 s and 32 MiB a check) on a real
    thread when the relay runs on gevent, so every other socket keeps flowing meanwhile."""
    if monkey.is_module_patched("threading"):
        done: T = gevent.get_hub().threadpool.apply(work, args)
        return done
    return work(*args)
