"""Reading the data files of ``data/`` (criteria sets, form layouts): YAML, errors naming the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import InputError, Problem


def read_yaml(path: Path, what: str) -> Any:
    """The content of the YAML file ``path``.

    Parameters
    ----------
    path : Path
    what : str
        What the file is (``"criteria"``, ``"layout"``), named in the message.

    Raises
    ------
    InputError
        The file cannot be read or is not valid YAML; the problem names the file.
    """
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(
            [Problem(f"cannot read {what} file: {exc.strerror}")], file=str(path)
        ) from exc
    except yaml.YAMLError as exc:
        raise InputError([Problem(f"not valid YAML: {exc}")], file=str(path)) from exc
