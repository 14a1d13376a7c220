"""Writing cached model and grammar files so that no kiosk process ever reads half of one.

Several kiosk processes (a second `kiosk run`, `kiosk transcribe`) may share a data directory
and build the same grammar at once: each writes a temporary file beside the target and
renames it into place, which is atomic on one file system.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """Have `write` fill a temporary file, then put it at `path` in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(handle)
    try:
        write(Path(temporary))
        os.chmod(temporary, 0o644)  # other kiosk processes (and staff) may read the data dir
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def write_text_atomically(path: Path, text: str) -> None:
    """`text` (UTF-8) at `path`, never seen half-written."""
    write_atomically(path, lambda p: p.write_text(text, encoding="utf-8"))
