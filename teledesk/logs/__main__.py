"""`python -m teledesk.logs trace <trace id>` and `python -m teledesk.logs find <text or chat id>`.

`trace` prints one message's path through every part, from the local logs, one line per entry
(time, part, severity, message), in time order; `find` prints the trace ids of the messages whose
lines hold a text or carry a chat or message id, each with where and when it began.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from teledesk.logs.reading import find, path_of
from teledesk.settings import ROOT

DEFAULT_DIR = ROOT / ".teledesk" / "logs"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m teledesk.logs", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    trace = commands.add_parser("trace", help="one message's path through every part, by its trace id")
    trace.add_argument("trace_id", help="the trace id, as `find` prints it")
    search = commands.add_parser("find", help="the trace ids of the messages a text, chat id or message id names")
    search.add_argument("text")
    for command in (trace, search):
        command.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="the log directory (default: %(default)s)")
    args = parser.parse_args(argv)
    if not args.dir.is_dir():
        print(f"no log directory {args.dir}", file=sys.stderr)
        return 2
    lines = ([entry.line() for entry in path_of(args.dir, args.trace_id)] if args.command == "trace"
             else [found.line() for found in find(args.dir, args.text)])
    if not lines:
        print(f"nothing in {args.dir} for {getattr(args, 'trace_id', None) or args.text!r}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
