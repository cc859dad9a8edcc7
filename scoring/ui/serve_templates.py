"""Compile Voila's page templates once per server, not once per page.

Voila renders each page with a new :class:`voila.exporter.VoilaExporter`, which builds a new Jinja
environment, so the page templates (``index.html.j2`` and the ``base``/``lab`` templates it
extends) are parsed and compiled to Python code again for every page opened. In a profile of the
60-expert load test that compilation was about a quarter of a worker's CPU time, spent on the
event loop that also relays every expert's saves.

Jinja's own answer is a bytecode cache: an environment with one skips compilation for a template
whose source it has compiled before. :func:`install` gives every ``VoilaExporter`` environment
one shared, in-memory :class:`SharedBytecodeCache`. A template whose source changes (its checksum)
is compiled again; environments configured differently (async or not, other extensions) never
share compiled code.
"""

from __future__ import annotations

import threading
from types import CodeType
from typing import Any

import jinja2
from jinja2.bccache import Bucket

#: Attribute of the exporter class that holds the installed cache (installed once per process).
_INSTALLED = "_scoring_bytecode_cache"


class SharedBytecodeCache(jinja2.BytecodeCache):
    """Compiled template code kept in memory and shared by every environment of one configuration.

    The code objects themselves are kept (not marshalled bytes): they are immutable, and loading
    one is free. ``hits`` and ``misses`` count the lookups.
    """

    def __init__(self) -> None:
        self._codes: dict[str, tuple[str, CodeType]] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_bucket(self, environment: jinja2.Environment, name: str, filename: str | None,
                   source: str) -> Bucket:  # fmt: skip
        """The bucket of ``name`` in ``environment``'s configuration (its key names it)."""
        key = f"{_configuration_key(environment)}:{self.get_cache_key(name, filename)}"
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        """Put the stored code in ``bucket`` if it was compiled from the same source."""
        with self._lock:
            stored = self._codes.get(bucket.key)
            if stored is not None and stored[0] == bucket.checksum:
                bucket.code = stored[1]
                self.hits += 1
            else:
                self.misses += 1

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Keep ``bucket``'s freshly compiled code."""
        if bucket.code is not None:
            with self._lock:
                self._codes[bucket.key] = (bucket.checksum, bucket.code)

    def clear(self) -> None:
        """Forget every compiled template."""
        with self._lock:
            self._codes.clear()

    def __len__(self) -> int:
        return len(self._codes)


def _configuration_key(environment: jinja2.Environment) -> str:
    """What the compiled code of a template depends on besides its source."""
    extensions = ",".join(sorted(environment.extensions))
    return (
        f"async={environment.is_async};ext={extensions};"
        f"{environment.block_start_string}{environment.variable_start_string}"
        f"{environment.comment_start_string}{environment.line_statement_prefix}"
    )


def install(exporter_class: Any = None) -> SharedBytecodeCache:
    """Give every environment ``exporter_class`` (default :class:`voila.exporter.VoilaExporter`)
    creates the process's shared bytecode cache; idempotent.

    Returns
    -------
    SharedBytecodeCache
        The cache (its ``hits`` and ``misses`` show that it works).
    """
    if exporter_class is None:
        from voila.exporter import VoilaExporter as exporter_class
    cache = exporter_class.__dict__.get(_INSTALLED)
    if cache is not None:
        return cache
    cache = SharedBytecodeCache()
    create = exporter_class._create_environment

    def _create_environment(self: Any) -> jinja2.Environment:
        environment = create(self)
        environment.bytecode_cache = cache
        return environment

    _create_environment.__doc__ = create.__doc__
    exporter_class._create_environment = _create_environment
    setattr(exporter_class, _INSTALLED, cache)
    return cache
