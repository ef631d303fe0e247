"""The local runner's Redis: what it prints of a Redis URL never carries the password."""

from __future__ import annotations

import pytest

from devtools.runner.redis_server import RedisServer, shown_url


@pytest.mark.parametrize(("url", "shown"), [
    ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
    ("redis://:s3cret-auth@10.0.0.3:6378/0", "redis://:***@10.0.0.3:6378/0"),
    ("rediss://default:s3cret-auth@10.0.0.3:6378/0", "rediss://default:***@10.0.0.3:6378/0"),
])
def test_a_password_in_a_redis_url_is_masked(url: str, shown: str):
    assert shown_url(url) == shown


def test_the_local_redis_keeps_nothing_on_disk_and_listens_on_loopback(tmp_path, monkeypatch):
    monkeypatch.setattr("shutil.which", lambda name: f"/usr/bin/{name}")
    server = RedisServer(tmp_path, port=6390)
    assert server.url == "redis://127.0.0.1:6390/0"
    assert server.argv() == ["/usr/bin/redis-server", "--bind", "127.0.0.1", "--port", "6390", "--save", "",
                             "--appendonly", "no"]
