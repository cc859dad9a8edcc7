"""A throwaway PostgreSQL cluster for a try-out: ``initdb`` in a temporary folder, a free port.

The same recipe as ``.ci/with-postgres``: the cluster belongs to the ``postgres`` user when run
as root (``initdb`` refuses root), listens on 127.0.0.1 only, and is stopped and removed by
:meth:`TempPostgres.stop`.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

from .procs import free_port

#: Server binaries are looked for in these Debian folders, newest first, then on PATH.
VERSIONS = (17, 16, 15, 14, 13)


def server_bindir() -> Path:
    """The folder of ``initdb`` / ``pg_ctl`` (``ValueError`` naming the package when absent)."""
    for v in VERSIONS:
        d = Path(f"/usr/lib/postgresql/{v}/bin")
        if (d / "initdb").is_file():
            return d
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise ValueError(
        "PostgreSQL server binaries not found: install the Debian package postgresql "
        "/ 未找到 PostgreSQL：请安装 postgresql"
    )


class TempPostgres:
    """A new cluster with one database ``scoring`` owned by the role ``scoring``.

    Parameters
    ----------
    max_connections : int
        The server's ``max_connections``.
    """

    def __init__(self, max_connections: int = 100) -> None:
        self.bindir = server_bindir()
        self.max_connections = int(max_connections)
        self.dir = Path(tempfile.mkdtemp(prefix="scoring-deploy-pg-"))
        self.port = free_port()
        self.password = secrets.token_hex(12)
        self._as: list[str] = []
        if os.geteuid() == 0:
            if shutil.which("runuser") is None or _no_user("postgres"):
                raise ValueError(
                    "running as root but there is no 'postgres' user to own the cluster: "
                    "install the Debian package postgresql"
                )
            self._as = ["runuser", "-u", "postgres", "--"]

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the ``scoring`` database."""
        return f"postgresql+psycopg://scoring:{self.password}@127.0.0.1:{self.port}/scoring"

    def _run(self, *args: str) -> None:
        subprocess.run(
            [*self._as, *args],
            check=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=120,
        )

    def start(self) -> TempPostgres:
        """initdb, start, create the role and the database; returns ``self``."""
        self.dir.chmod(0o700)
        if self._as:
            shutil.chown(self.dir, "postgres")
        data, b = self.dir / "data", self.bindir
        self._run(
            str(b / "initdb"), "-D", str(data), "-U", "postgres", "--auth-local=trust",
            "--auth-host=scram-sha-256", "-E", "UTF8", "--no-instructions",
        )  # fmt: skip
        opts = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} "
            f"-c max_connections={self.max_connections}"
        )
        self._run(
            str(b / "pg_ctl"), "-D", str(data), "-l", str(self.dir / "server.log"),
            "-w", "-t", "60", "-o", opts, "start",
        )  # fmt: skip
        self._run(
            str(b / "psql"), "-h", str(self.dir), "-p", str(self.port), "-U", "postgres",
            "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-Atq",
            "-c", f"CREATE ROLE scoring LOGIN PASSWORD '{self.password}'",
            "-c", "CREATE DATABASE scoring OWNER scoring",
        )  # fmt: skip
        return self

    def stop(self) -> None:
        """Stop the server (immediate) and remove its folder."""
        try:
            self._run(
                str(self.bindir / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "stop"
            )
        except (subprocess.SubprocessError, OSError):
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


def _no_user(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return True
    return False
