"""Where things live: the user's data folder, and the resources shipped with the app.

Data (the database, logs, exports) lives in the platform's user data folder
(platformdirs), outside the app, so an upgrade never touches a maker's database except
through migrations.  ``SMALLBATCH_DB`` overrides the database, ``SMALLBATCH_DATA_DIR``
the whole folder.  Resources are found next to the package when installed, in the
source tree when run from a checkout, and in the bundle when frozen by PyInstaller.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path

from smallbatch_desktop import APP_ID, ORG_NAME


def data_dir() -> Path:
    override = os.environ.get("SMALLBATCH_DATA_DIR")
    if override:
        path = Path(override).expanduser()
    else:
        from platformdirs import user_data_dir

        path = Path(user_data_dir(APP_ID, ORG_NAME))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_database() -> str:
    """``SMALLBATCH_DB`` (path or URL) or ``<data dir>/smallbatch.sqlite``."""
    env = os.environ.get("SMALLBATCH_DB")
    if env:
        return env
    return str(data_dir() / "smallbatch.sqlite")


def log_dir() -> Path:
    path = data_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


@cache
def resources_dir() -> Path:
    """The ``resources/`` folder: bundle, installed package, or source checkout."""
    candidates = []
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        candidates.append(Path(frozen_root) / "resources")
    here = Path(__file__).resolve().parent
    candidates.append(here / "resources")  # wheel: force-included into the package
    candidates.append(here.parent / "resources")  # source checkout / editable install
    for c in candidates:
        if c.is_dir():
            return c
    raise FileNotFoundError(
        "resources folder not found; looked in " + ", ".join(str(c) for c in candidates)
    )


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
