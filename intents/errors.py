"""Errors the understanding core raises, each with a message staff can act on."""

from __future__ import annotations


class CatalogueError(Exception):
    """A catalogue file could not be used; `problems` lists every reason at once.

    Staff fix catalogues by hand, so we report all problems in one go (file, entry,
    field) instead of stopping at the first.
    """

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        count = len(problems)
        head = f"{source}: {count} problem{'s' if count != 1 else ''} in the catalogue"
        super().__init__(head + "\n" + "\n".join(f"  - {p}" for p in problems))
