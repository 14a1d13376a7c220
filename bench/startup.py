"""Start-up time of the `kiosk` command: how long a staff member waits for `kiosk parse`.

Measures, in fresh interpreters: `import kiosk.cli` alone, and `kiosk parse TEXT` end to end
(import, catalogue load, one parse). Target (issue 9): `kiosk parse` pays for the parser only —
no FastAPI, SQLAlchemy, PocketSphinx, Vosk or SciPy.
Usage: .venv/bin/python bench/startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

HEAVY = ("fastapi", "sqlalchemy", "pocketsphinx", "vosk", "scipy", "uvicorn", "server")


def timed(command: list[str], runs: int) -> float:
    """Median wall time in seconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--runs", type=int, default=5)
    runs = args.parse_args().runs
    python = sys.executable
    imported = subprocess.run(
        [python, "-c", "import sys, kiosk.cli, kiosk.commands.parse; print(' '.join(sorted({m.split('.')[0] "
         f"for m in sys.modules}} & {set(HEAVY)!r})))"],
        check=True, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    cli = timed([python, "-c", "import kiosk.cli"], runs)
    parse = timed([python, "-m", "kiosk.cli", "parse", "社保卡在哪儿办"], runs)
    print(f"import kiosk.cli: {cli * 1000:.0f} ms (median of {runs})")
    print(f"kiosk parse (import + catalogue + one parse): {parse * 1000:.0f} ms")
    print(f"heavy modules imported by `kiosk parse`: {', '.join(imported) or 'none'}")
    print(f"startup_import_ms={cli * 1000:.0f} parse_command_ms={parse * 1000:.0f} heavy_modules={len(imported)}")


if __name__ == "__main__":
    main()
