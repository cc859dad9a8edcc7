"""The generated files of ``deploy/``: ``python -m scoring.deploy.files`` rewrites them.

They show the production layout of the settings in :mod:`.haproxy` and :mod:`.pgbouncer`: three
workers on three machines (``10.0.0.11-13``, documentation addresses: replace them), TLS at the
proxy, PgBouncer on the database machine. A test keeps them equal to what the code renders.
"""

from __future__ import annotations

from pathlib import Path

from .haproxy import Backend, haproxy_config
from .pgbouncer import Upstream, pgbouncer_ini

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
#: The example's workers: one per machine, each reached through its port 8866.
EXAMPLE_WORKERS = [Backend(f"w{i}", f"10.0.0.{10 + i}", 8866) for i in (1, 2, 3)]
EXAMPLE_DB = "postgresql+psycopg://scoring:CHANGE-ME@127.0.0.1:5432/scoring"


def expected_files() -> dict[str, str]:
    """``{path under deploy/: text}``."""
    return {
        "haproxy/haproxy.cfg": haproxy_config(
            EXAMPLE_WORKERS,
            bind="0.0.0.0:443",
            stats_bind="127.0.0.1:8404",
            cert="/etc/haproxy/certs/scoring.pem",
        ),
        "pgbouncer/pgbouncer.ini": pgbouncer_ini(Upstream.from_url(EXAMPLE_DB), listen="0.0.0.0"),
    }


def main() -> int:
    """Write :func:`expected_files` under ``deploy/``."""
    for rel, text in expected_files().items():
        path = DEPLOY / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
