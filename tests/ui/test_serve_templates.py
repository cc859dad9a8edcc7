"""Voila's page templates are compiled once per server (:mod:`scoring.ui.serve_templates`)."""

from __future__ import annotations

import jinja2
import pytest

from scoring.ui import serve
from scoring.ui.serve_templates import SharedBytecodeCache, install


@pytest.fixture
def compiles(monkeypatch):
    """The names Jinja compiles, in order."""
    seen: list[str] = []
    compile_ = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):
        seen.append(name)
        return compile_(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return seen


def _exporter_class():
    from voila.exporter import VoilaExporter

    class Exporter(VoilaExporter):  # a class of its own: the server's stays as it is
        pass

    return Exporter


def test_the_second_page_compiles_no_template(tmp_path, monkeypatch, compiles):
    monkeypatch.setenv("JUPYTER_PATH", "")
    app = serve.make_app(serve.voila_config(9997, root_dir=tmp_path))
    plain, cached = _exporter_class(), _exporter_class()
    cache = install(cached)
    assert install(cached) is cache  # idempotent

    def page(cls):
        return cls(template_paths=app.template_paths, template_name="scoring").template

    first = page(cached)
    compiled_first = list(compiles)
    assert compiled_first == ["index.html.j2"]  # (the templates it extends: when rendered)
    second = page(cached)
    assert compiles == compiled_first  # nothing compiled for the second page
    assert cache.hits >= len(compiled_first) and len(cache) == len(compiled_first)
    reference = page(plain)  # without the cache: compiled again
    assert len(compiles) == 2 * len(compiled_first)

    # the same template, its blocks made from the same code
    assert first.filename == second.filename == reference.filename
    assert first.blocks.keys() == second.blocks.keys() == reference.blocks.keys()


def test_a_changed_template_is_compiled_again(tmp_path, compiles):
    cache = SharedBytecodeCache()
    (tmp_path / "page.j2").write_text("one {{ x }}", encoding="utf-8")

    def render() -> str:
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(tmp_path), bytecode_cache=cache)
        return env.get_template("page.j2").render(x=1)

    assert render() == "one 1" and render() == "one 1"
    assert compiles == ["page.j2"]
    (tmp_path / "page.j2").write_text("two {{ x }}", encoding="utf-8")
    assert render() == "two 1"
    assert compiles == ["page.j2", "page.j2"]


def test_environments_configured_differently_never_share_code(tmp_path, compiles):
    cache = SharedBytecodeCache()
    (tmp_path / "page.j2").write_text("{% do items.append(1) %}{{ items|length }}", "utf-8")
    loader = jinja2.FileSystemLoader(tmp_path)
    sync = jinja2.Environment(loader=loader, bytecode_cache=cache, extensions=["jinja2.ext.do"])
    asynchronous = jinja2.Environment(
        loader=loader, bytecode_cache=cache, extensions=["jinja2.ext.do"], enable_async=True
    )
    assert sync.get_template("page.j2").render(items=[]) == "1"
    import asyncio

    text = asyncio.run(asynchronous.get_template("page.j2").render_async(items=[]))
    assert text == "1"
    assert compiles == ["page.j2", "page.j2"] and len(cache) == 2
