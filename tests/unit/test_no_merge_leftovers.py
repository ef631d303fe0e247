"""No file the repository tracks keeps a merge's conflict markers (a README once did)."""

from __future__ import annotations

import re
import subprocess

from teledesk.settings import ROOT

MARKER = re.compile(r"^(<{7}|>{7}) ", re.MULTILINE)


def test_no_tracked_file_holds_conflict_markers():
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    found = []
    for name in filter(None, tracked.decode().split("\0")):
        path = ROOT / name
        if not path.is_file() or path.suffix in (".png", ".jpg", ".svg", ".ico", ".woff2"):
            continue
        text = path.read_bytes().decode("utf-8", errors="ignore")
        found += [f"{name}:{text.count(chr(10), 0, m.start()) + 1}" for m in MARKER.finditer(text)]
    assert found == []
