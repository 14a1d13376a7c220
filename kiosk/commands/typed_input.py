"""Lines typed by a person, or piped in by a script, for the text-only commands."""

from __future__ import annotations

import sys
from collections.abc import Iterator

PROMPT_HINT = "Type what a resident would say (Ctrl-D to quit).  输入居民会说的话（Ctrl-D 退出）。"


def typed_lines(interactive: bool) -> Iterator[str]:
    """At a terminal, prompt for each line; otherwise read stdin to its end."""
    if interactive:
        print(PROMPT_HINT)
        while True:
            try:
                yield input("> ")
            except EOFError:
                print()
                return
    else:
        for line in sys.stdin:
            yield line.rstrip("\n")
