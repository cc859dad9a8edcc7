"""What travels between an expert kernel and the store process: JSON, with a few tagged kinds.

Plain JSON values pass as they are. Tagged as ``{"__kind__": ...}``:

* ``actor``: an actor's handle (``handle``) and what the page shows (``login, role, name``); the
  store process keeps the :class:`~scoring.store.accounts.Actor` itself.
* ``frame``: a table (a pandas DataFrame on the store side) as ``columns, index, rows``; read as a
  :class:`Frame` (``.index``, ``.loc[key]``, ``.at[key, col]``, ``col in frame``, records).
* ``dataclass``: ``cls`` (``module:Name``) and ``fields``; rebuilt as that class when its module
  is in :data:`LIGHT_MODULES` (light to import), else as a :class:`Record` of the same fields.
* ``criteria``: a frozen criteria set (its specification, parsed again by the page).
* ``error``: an exception as ``type`` and ``message``, raised again as the same store error.

No pandas here: the store side's values are recognised by their methods.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import math
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any

#: The backend calls an expert page makes, the only ones the store process answers.
EXPERT_CALLS = frozenset(
    {
        "login",
        "logout",
        "expert_panels",
        "panel_criteria",
        "conflicts_declared",
        "conflict_choices",
        "declare_conflicts",
        "candidates",
        "evidences",
        "sheet",
        "save_draft",
        "confirm",
        "my_progress",
        "request_correction",
        "my_requests",
        "timer",
        "expert_id",
    }
)
#: Modules whose dataclasses the page rebuilds as themselves (they import no pandas).
LIGHT_MODULES = frozenset(
    {"scoring.ui.backend", "scoring.store.timers", "scoring.evaluation.suggestions"}
)
KIND = "__kind__"


@dataclasses.dataclass(frozen=True)
class RemoteActor:
    """The page's view of a logged-in account: a handle into the store process, and names."""

    handle: int
    login: str
    role: str
    name: str


class Record:
    """A dataclass of the store side the page reads by attribute only (e.g. an evidence card)."""

    def __init__(self, cls: str, fields: Mapping[str, Any]) -> None:
        self._cls = cls
        self.__dict__.update(fields)

    def __repr__(self) -> str:
        return f"Record({self._cls})"


class Row(Mapping):
    """One row of a :class:`Frame`: a mapping of column to value; ``.index`` lists the columns."""

    def __init__(self, columns: list[str], values: list[Any]) -> None:
        self._data = dict(zip(columns, values, strict=True))
        self.index = list(columns)

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


class _Loc:
    def __init__(self, frame: Frame) -> None:
        self._frame = frame

    def __getitem__(self, key: Any) -> Row:
        return self._frame.row(key)


class _At:
    def __init__(self, frame: Frame) -> None:
        self._frame = frame

    def __getitem__(self, key: tuple[Any, str]) -> Any:
        return self._frame.row(key[0])[key[1]]


class Frame:
    """A read-only table as the page needs it, without pandas.

    Parameters
    ----------
    columns : list of str
    index : list
        Row labels (unique).
    rows : list of list
        Values, one list per row in ``columns`` order (missing values are ``None``).
    """

    def __init__(self, columns: list[str], index: list[Any], rows: list[list[Any]]) -> None:
        if len(index) != len(rows):
            raise ValueError("a frame needs one label per row")
        self.columns = list(columns)
        self.index = list(index)
        self._rows = [list(r) for r in rows]
        self._pos = {k: i for i, k in enumerate(self.index)}
        self.loc = _Loc(self)
        self.at = _At(self)

    def __contains__(self, column: object) -> bool:
        return column in self.columns

    def __len__(self) -> int:
        return len(self._rows)

    def row(self, key: Any) -> Row:
        """The row labelled ``key`` (``KeyError`` when there is none)."""
        return Row(self.columns, self._rows[self._pos[key]])

    def records(self) -> list[dict[str, Any]]:
        """The rows as dicts, in order."""
        return [dict(zip(self.columns, r, strict=True)) for r in self._rows]


def records(table: Any) -> list[dict[str, Any]]:
    """Rows of a pandas DataFrame or a :class:`Frame` as dicts, missing values as ``None``."""
    if isinstance(table, Frame):
        return table.records()
    return table.astype(object).where(table.notna(), None).to_dict("records")


# -- encoding ------------------------------------------------------------------------------------
def _is_frame(value: Any) -> bool:
    return all(hasattr(value, a) for a in ("columns", "index", "itertuples", "to_dict"))


def encode(value: Any, actor_tag: Any = None) -> Any:
    """A JSON-able form of ``value``; ``actor_tag(actor)`` gives an actor's tagged form."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if type(value).__name__ in ("NAType", "NaTType"):  # pandas' missing values
        return None
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, datetime):
        return {KIND: "datetime", "iso": value.isoformat()}
    if isinstance(value, date):
        return {KIND: "date", "iso": value.isoformat()}
    if isinstance(value, bytes):
        return {KIND: "bytes", "hex": value.hex()}
    if isinstance(value, RemoteActor):
        return {KIND: "actor", "handle": value.handle}
    if actor_tag is not None and type(value).__name__ == "Actor" and hasattr(value, "seal"):
        return actor_tag(value)
    if isinstance(value, Mapping):
        return {str(k): encode(v, actor_tag) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [encode(v, actor_tag) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cls = type(value)
        fields = {
            f.name: encode(getattr(value, f.name), actor_tag) for f in dataclasses.fields(value)
        }
        return {KIND: "dataclass", "cls": f"{cls.__module__}:{cls.__qualname__}", "fields": fields}
    if _is_frame(value):
        columns = [str(c) for c in value.columns]
        rows = [[encode(v, actor_tag) for v in row] for row in value.itertuples(index=False)]
        index = [encode(k, actor_tag) for k in value.index]
        return {KIND: "frame", "columns": columns, "index": index, "rows": rows}
    if hasattr(value, "item") and callable(value.item):  # a NumPy scalar
        return encode(value.item(), actor_tag)
    if isinstance(value, Record):
        return {k: encode(v, actor_tag) for k, v in vars(value).items() if k != "_cls"}
    raise TypeError(f"cannot send a {type(value).__name__} to the page")


def decode(value: Any, actor_of: Any = None) -> Any:
    """The value :func:`encode` encoded; ``actor_of(handle)`` gives the actor of a handle."""
    if isinstance(value, list):
        return [decode(v, actor_of) for v in value]
    if not isinstance(value, dict):
        return value
    kind = value.get(KIND)
    if kind is None:
        return {k: decode(v, actor_of) for k, v in value.items()}
    if kind == "actor":
        if actor_of is not None:
            return actor_of(int(value["handle"]))
        return RemoteActor(int(value["handle"]), value["login"], value["role"], value["name"])
    if kind == "frame":
        rows = [[decode(v, actor_of) for v in r] for r in value["rows"]]
        return Frame(value["columns"], decode(value["index"], actor_of), rows)
    if kind == "dataclass":
        fields = {k: decode(v, actor_of) for k, v in value["fields"].items()}
        module, _, name = str(value["cls"]).partition(":")
        if module in LIGHT_MODULES:
            return getattr(importlib.import_module(module), name)(**fields)
        return Record(value["cls"], fields)
    if kind == "criteria":
        from scoring.engine.criteria import parse_criteria

        return parse_criteria(value["spec"], source=value.get("source") or "panel")
    if kind == "datetime":
        return datetime.fromisoformat(value["iso"])
    if kind == "date":
        return date.fromisoformat(value["iso"])
    if kind == "bytes":
        return bytes.fromhex(value["hex"])
    if kind == "error":
        raise rebuild_error(value)
    raise ValueError(f"unknown kind {kind!r} from the store process")


def dumps(value: Any) -> bytes:
    """``value`` (already encoded) as UTF-8 JSON."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def loads(data: bytes) -> Any:
    """The JSON value of ``data``."""
    return json.loads(data.decode("utf-8"))


# -- errors --------------------------------------------------------------------------------------
#: Exceptions the page handles by kind (a refusal, a rule, bad input), sent by name.
_ERRORS = {
    "AccessDenied": ("scoring.store.errors", "AccessDenied"),
    "RuleViolation": ("scoring.store.errors", "RuleViolation"),
    "NotFound": ("scoring.store.errors", "NotFound"),
    "StoreError": ("scoring.store.errors", "StoreError"),
    "InputError": ("scoring.errors", "InputError"),
    "PermissionError": ("builtins", "PermissionError"),
    "LookupError": ("builtins", "LookupError"),
    "KeyError": ("builtins", "KeyError"),
    "ValueError": ("builtins", "ValueError"),
}


def encode_error(exc: BaseException, ref: str = "") -> dict[str, Any]:
    """The tagged form of ``exc``: its nearest known kind and its message (an unknown one is
    ``internal``, with the reference under which the store process logged it)."""
    one = exc.args[0] if len(exc.args) == 1 and isinstance(exc.args[0], str) else None
    message = str(exc) if one is None else one  # a KeyError's str() quotes its argument
    for cls in type(exc).__mro__:
        if cls.__name__ in _ERRORS and _ERRORS[cls.__name__][0] in (cls.__module__, "builtins"):
            return {KIND: "error", "type": cls.__name__, "message": message}
    return {KIND: "error", "type": "internal", "message": ref}


class StoreProcessError(RuntimeError):
    """The store process failed unexpectedly (logged there under ``ref``)."""

    def __init__(self, ref: str) -> None:
        super().__init__(f"store process error [ref {ref}]")
        self.ref = ref


def rebuild_error(tagged: Mapping[str, Any]) -> BaseException:
    """The exception :func:`encode_error` described."""
    kind, message = str(tagged.get("type")), str(tagged.get("message") or "")
    if kind not in _ERRORS:
        return StoreProcessError(message)
    module, name = _ERRORS[kind]
    cls = getattr(importlib.import_module(module), name)
    if name == "InputError":
        return ValueError(message)  # InputError needs its problems; the page shows the text
    return cls(message)
