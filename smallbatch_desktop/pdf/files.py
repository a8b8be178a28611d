"""Writing a finished PDF to disk (standard library only: the command line imports it
without the document stack)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def write_whole(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` all or nothing: into a file beside it, then renamed
    over it, so a full disk or a cancel never leaves half a PDF under the name."""
    part = target.with_name(f".{target.name}.part")
    try:
        part.write_bytes(data)
        os.replace(part, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            part.unlink()
