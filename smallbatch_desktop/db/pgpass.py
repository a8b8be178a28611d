"""The shared PostgreSQL password, kept the PostgreSQL way: in the password file libpq
reads (``~/.pgpass``; ``%APPDATA%\\postgresql\\pgpass.conf`` on Windows; or wherever
``PGPASSFILE`` points), readable by this user only (mode 0600), never in the app's own
settings and never in a log.

``keep_password(url)`` takes the password out of a connection URL, writes it to that
file on the line for the URL's host, port, database and user (replacing an older one)
and returns the URL without it; the driver (libpq) then finds it there by itself when
it connects.  Settings > Shared database and the start-up migration of a URL saved with
its password by an older version use it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from smallbatch_desktop.domain.errors import ValidationError

DEFAULT_PORT = 5432


def password_file() -> Path:
    """Where libpq looks for passwords on this machine."""
    if os.environ.get("PGPASSFILE"):
        return Path(os.environ["PGPASSFILE"]).expanduser()
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", Path.home())) / "postgresql" / "pgpass.conf"
    return Path.home() / ".pgpass"


def _escape(field: str) -> str:
    return field.replace("\\", "\\\\").replace(":", "\\:")


def _fields(line: str) -> list[str]:
    """A password-file line split on unescaped colons, escapes undone."""
    out, cur, esc = [], [], False
    for ch in line:
        if esc:
            cur.append(ch)
            esc = False
        elif ch == "\\":
            esc = True
        elif ch == ":":
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return out


def _key(url: object) -> tuple[str, str, str, str]:
    u = url  # a sqlalchemy URL
    host = getattr(u, "host", None) or "localhost"
    port = str(getattr(u, "port", None) or DEFAULT_PORT)
    return (host, port, getattr(u, "database", None) or "*", getattr(u, "username", None) or "*")


def keep_password(url_text: str, password: str | None = None) -> str:
    """Store the password of ``url_text`` (or ``password``, given apart) in the password
    file and return the URL without it.  A URL without a password (and none given) is
    returned as it is; an SQLite path is never touched."""
    from sqlalchemy.engine import make_url

    text = url_text.strip()
    if "://" not in text or not text.startswith("postgresql"):
        return text
    url = make_url(text)
    secret = password if password else url.password
    if not secret:
        return text
    if not url.username:
        raise ValidationError(
            "shared database: give the user name in the URL (user@server) with a password",
            field="shared database",
        )
    write_line(_key(url), str(secret))
    return url._replace(password=None).render_as_string(hide_password=False)


def write_line(key: tuple[str, str, str, str], password: str) -> Path:
    """Put ``host:port:database:user:password`` in the password file (mode 0600),
    replacing the line for the same host, port, database and user."""
    path = password_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = []
    if path.exists():
        for line in path.read_text("utf-8").splitlines():
            comment = not line.strip() or line.lstrip().startswith("#")
            if not comment and tuple(_fields(line)[:4]) == key:
                continue  # the old password for the same connection
            lines.append(line)
    lines.append(":".join(_escape(f) for f in (*key, password)))
    part = path.with_name(path.name + ".part")
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    if sys.platform != "win32":
        os.chmod(part, 0o600)  # libpq ignores a file others can read
    os.replace(part, path)
    return path


def stored_password(url_text: str) -> str | None:
    """The password the file holds for this URL's host, port, database and user, as
    libpq would pick it (the first matching line; ``*`` matches anything)."""
    from sqlalchemy.engine import make_url

    path = password_file()
    if not path.exists():
        return None
    want = _key(make_url(url_text))
    for line in path.read_text("utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = _fields(line)
        if len(fields) >= 5 and all(f in ("*", w) for f, w in zip(fields[:4], want, strict=True)):
            return fields[4]
    return None
