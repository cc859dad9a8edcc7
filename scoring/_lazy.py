"""Lazy public names for a package: ``from x import Name`` imports the submodule on first use.

Dashboard kernels import ``scoring.ui`` and light parts of ``scoring.store`` at page start-up;
the heavy submodules (SQLAlchemy, pandas) must load only when a name from them is used.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    package: str, exports: Mapping[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Module ``__getattr__`` and ``__dir__`` for ``package``.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    exports : mapping
        Public name -> module that defines it (absolute, or relative such as ``".service"``).
    namespace : dict
        The package's ``globals()``: a name, once loaded, is cached there.

    Returns
    -------
    (__getattr__, __dir__)
    """
    names = sorted(exports)

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return names

    return __getattr__, __dir__
