"""The deployment's configuration: HAProxy accepts it, the files in deploy/ are the generated ones,
the connection count decides PgBouncer, and the running proxy (``scoring deploy --workers 2``)
pins a browser with its cookie, compresses, sets the security headers and checks both workers.
(Runs before test_failover.py, which kills a worker of the same deployment.)
"""

from __future__ import annotations

import gzip
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from scoring.deploy.capacity import connection_budget
from scoring.deploy.haproxy import COOKIE, SECURITY_HEADERS, haproxy_config, local_backends
from scoring.deploy.pgbouncer import Upstream, client_url, pgbouncer_ini

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def test_generated_config_is_valid_for_haproxy(tmp_path, haproxy_bin):
    haproxy = haproxy_bin
    for kwargs in ({"foreground": True}, {"cert": tmp_path / "site.pem", "bind": "0.0.0.0:443"}):
        cfg = tmp_path / "haproxy.cfg"
        cfg.write_text(haproxy_config(local_backends([9001, 9002, 9003]), **kwargs))
        if "cert" in kwargs:  # a self-signed certificate so that HAProxy can load the bind line
            key = tmp_path / "key.pem"
            subprocess.run(
                ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=scoring",
                 "-keyout", str(key), "-out", str(tmp_path / "crt.pem"), "-days", "1"],
                check=True, capture_output=True,
            )  # fmt: skip
            (tmp_path / "site.pem").write_text((tmp_path / "crt.pem").read_text() + key.read_text())
        text = cfg.read_text()
        out = subprocess.run([haproxy, "-c", "-f", str(cfg)], capture_output=True, text=True)
        assert out.returncode == 0, out.stdout + out.stderr
        for needle in (
            "option redispatch",
            "timeout tunnel",
            "compression algo gzip",
            f"cookie {COOKIE}",
        ):
            assert needle in text
    assert "Strict-Transport-Security" in text and "redirect scheme https" in text


def test_deploy_files_are_the_generated_ones():
    from scoring.deploy.files import expected_files

    for rel, text in expected_files().items():
        assert (DEPLOY / rel).read_text(encoding="utf-8") == text, (
            f"deploy/{rel} is stale: python -m scoring.deploy.files"
        )


def test_connection_count_decides_pgbouncer():
    small, large = connection_budget(2, 10), connection_budget(3, 40)
    assert (small.held, small.needs_pooler) == (20, False)
    assert (large.held, large.needs_pooler) == (120, True)
    assert large.worst == 3 * 40 * 15 and "PgBouncer" in large.explain()
    with pytest.raises(ValueError):
        connection_budget(0)


def test_pgbouncer_ini_is_transaction_mode_and_keeps_the_database():
    up = Upstream.from_url("postgresql+psycopg://scoring:p%40ss@db.example:5433/scoring")
    assert (up.host, up.port, up.password) == ("db.example", 5433, "p@ss")
    ini = pgbouncer_ini(up, port=6432)
    assert (
        "pool_mode = transaction" in ini
        and "scoring = host=db.example port=5433 dbname=scoring" in ini
    )
    assert (
        client_url(up, "127.0.0.1", 6432)
        == "postgresql+psycopg://scoring:p%40ss@127.0.0.1:6432/scoring"
    )
    with pytest.raises(ValueError):
        Upstream.from_url("sqlite:///x.sqlite")


@pytest.mark.postgres
def test_proxy_pins_compresses_and_sets_headers(deployment):
    state, _info = deployment
    req = urllib.request.Request(
        state["url"] + "/voila/render/expert.ipynb", headers={"Accept-Encoding": "gzip"}
    )
    with urllib.request.urlopen(req, timeout=120) as r:
        headers, body = r.headers, r.read()
    assert headers["Content-Encoding"] == "gzip"
    assert "评审" in gzip.decompress(body).decode() or "voila" in gzip.decompress(body).decode()
    cookies = headers.get_all("Set-Cookie")
    pinned = [c for c in cookies if c.startswith(COOKIE + "=")]
    assert pinned and pinned[0].split(";")[0].split("=")[1] in state["workers"], cookies
    for name, value in SECURITY_HEADERS.items():
        assert headers[name] == value, name
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]  # the worker's own
    assert headers["Server"] is None
    # each worker UP once its first health check ran (HAProxy spreads the first checks over the
    # check interval: a worker not checked yet shows "UP 1/3" with check status "INI")
    deadline = time.monotonic() + 20
    while True:
        with urllib.request.urlopen(state["stats"] + "/;csv", timeout=10) as r:
            rows = [line.split(",") for line in r.read().decode().splitlines()]
        workers = [row for row in rows if row[0] == "workers" and row[1] in state["workers"]]
        if all(row[36] != "INI" for row in workers) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    status = {row[1]: (row[17], row[36]) for row in workers}
    assert status == {"w1": ("UP", "L7OK"), "w2": ("UP", "L7OK")}, status
