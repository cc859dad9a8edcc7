"""The Voila launcher's configuration and fixes, checked without a browser."""

from __future__ import annotations

import argparse
import json

import pytest

from scoring.ui import serve


def test_config_hardens_voila(tmp_path):
    c = serve.voila_config(9999, root_dir=tmp_path)
    assert c.Voila.ip == "127.0.0.1" and c.Voila.port == 9999 and c.Voila.port_retries == 0
    assert c.VoilaConfiguration.show_tracebacks is False
    assert c.VoilaConfiguration.allow_template_override == "NO"
    assert c.VoilaConfiguration.allow_theme_override == "NO"
    assert c.MappingKernelManager.cull_idle_timeout > 0
    assert c.MappingKernelManager.cull_interval > 0
    # nbclient's 4 s left ten pages opening at once without their widgets
    assert c.VoilaExecutor.iopub_timeout >= 30
    headers = c.Voila.tornado_settings["headers"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_app_replaces_the_shutdown_handler_and_sets_the_xsrf_cookie(tmp_path, monkeypatch):
    from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler

    monkeypatch.setenv("JUPYTER_PATH", "")
    app = serve.make_app(serve.voila_config(9998, root_dir=tmp_path))
    assert app.voila_configuration.template == "scoring"
    assert any("scoring" in p for p in app.template_paths)
    app.connection_dir = str(tmp_path)
    app.init_settings()
    handlers = app.init_handlers()
    classes = {pattern: cls for pattern, cls, *_ in handlers}
    shutdown = next(cls for p, cls in classes.items() if "/voila/api/shutdown/" in p)
    assert shutdown is not VoilaShutdownKernelHandler
    assert issubclass(shutdown, VoilaShutdownKernelHandler)
    render = next(cls for p, cls in classes.items() if "/voila/render/" in p)
    assert render.__name__.endswith("WithXsrf")
    assert any("/scoring/api/alive/" in p for p in classes)


def test_template_has_the_reload_banner(tmp_path):
    serve.write_template(tmp_path)
    tdir = tmp_path / "voila" / "templates" / "scoring"
    assert json.loads((tdir / "conf.json").read_text())["base_template"] == "lab"
    index = (tdir / "index.html.j2").read_text(encoding="utf-8")
    assert "scoring/api/alive/" in index and "请刷新页面" in index
    assert "页面未能完整显示" in index and "__GRACE__" not in index
    assert f"< {serve.EMPTY_PAGE_GRACE_MS})" in index


def test_cli_registers_serve_and_rejects_a_bad_port():
    from scoring.ui import cli

    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["serve", "--port", "70000"])
    with pytest.raises(ValueError, match="--port"):
        args.func(args)


def test_dashboard_urls_and_notebooks_are_thin():
    import nbformat

    urls = serve.dashboard_urls(8866)
    assert urls["expert"] == "http://127.0.0.1:8866/voila/render/expert.ipynb"
    for name in serve.DASHBOARDS:
        nb = nbformat.read(serve.dashboards_dir() / f"{name}.ipynb", as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert len(nb.cells) <= 3 and all(not c.get("outputs") for c in code)
        assert f"from scoring.ui.{name} import" in code[0].source


def test_every_log_level_the_command_line_offers_is_one_voila_accepts():
    import argparse
    import logging

    from traitlets.config import Config

    from scoring.ui.cli import register
    from scoring.ui.serve import make_app, voila_config, voila_log_level

    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    serve = parser._subparsers._group_actions[0].choices["serve"]
    choices = next(a.choices for a in serve._actions if a.dest == "log_level")
    for level in choices:
        config: Config = voila_config(0)
        config.Voila.log_level = voila_log_level(level)
        app = make_app(config)  # refused 'WARNING' before
        value = app.log_level
        number = value if isinstance(value, int) else logging.getLevelName(value)
        assert number == getattr(logging, level)


def test_the_kernel_websocket_is_opened_with_nagle_off(tmp_path, monkeypatch):
    """A save's answer is several small frames: with Nagle's algorithm on (jupyter_server's
    default), each waited for the browser's delayed acknowledgement of the one before."""
    import asyncio
    import socket

    from tornado.httpserver import HTTPServer
    from tornado.testing import bind_unused_port
    from tornado.web import Application
    from tornado.websocket import WebSocketHandler, websocket_connect

    from scoring.ui.serve_handlers import build_handlers

    monkeypatch.setenv("JUPYTER_PATH", "")
    app = serve.make_app(serve.voila_config(9996, root_dir=tmp_path))
    app.connection_dir = str(tmp_path)
    app.init_settings()
    channels = next(cls for p, cls, *_ in app.init_handlers() if p.endswith("/channels"))
    assert issubclass(channels, WebSocketHandler) and "open" in vars(channels)

    seen: list[int] = []

    class Probe(WebSocketHandler):
        def open(self, kernel_id: str) -> None:
            seen.append(
                self.ws_connection.stream.socket.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
            )
            self.write_message("hello")

    async def go() -> str:
        sock, port = bind_unused_port()
        bound = build_handlers().kernel_bound(Probe)
        server = HTTPServer(Application([(r"/k/(?P<kernel_id>\w+)", bound)],
                                        kernel_manager={}))  # fmt: skip
        server.add_sockets([sock])
        try:
            ws = await websocket_connect(f"ws://127.0.0.1:{port}/k/abc")
            text = await ws.read_message()
            ws.close()
            return text
        finally:
            server.stop()

    assert asyncio.run(go()) == "hello"
    assert seen and seen[0] != 0
