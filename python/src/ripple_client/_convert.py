"""networkx graphs and pandas DataFrames to Ripple's graph shape (DESIGN §1).

Customer attributes read: ``label``, ``followers``, ``value``, ``segment``, ``activity``; tie attributes:
``weight``, ``p``, ``channel``. Ids become strings (``str(node)``); missing values (None, NaN) are left out so
the server's defaults apply. Other attributes are ignored.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from ._specs import CustomerSpec, TieSpec

if TYPE_CHECKING:
    import networkx as nx

CUSTOMER_FIELDS = ("label", "followers", "value", "segment", "activity")
TIE_FIELDS = ("weight", "p", "channel")


def _clean(v: Any) -> Any:
    """None for missing (None, NaN, pd.NA); numpy scalars to Python numbers."""
    if v is None:
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass  # lists and other non-scalars
    if hasattr(v, "item") and callable(v.item):
        return v.item()
    return v


def _fields(attrs: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in names:
        if name in attrs:
            v = _clean(attrs[name])
            if v is not None:
                out[name] = str(v) if name in ("label", "segment", "channel") else float(v)
    return out


def from_networkx(graph: nx.Graph[Any]) -> tuple[list[TieSpec], list[CustomerSpec], bool]:
    """(ties, customers, directed) of a networkx graph; isolated nodes are kept as customers."""
    customers: list[CustomerSpec] = []
    for node, attrs in graph.nodes(data=True):
        c: CustomerSpec = {"id": str(node)}
        c.update(_fields(attrs, CUSTOMER_FIELDS))  # type: ignore[typeddict-item]
        customers.append(c)
    ties: list[TieSpec] = []
    for u, v, attrs in graph.edges(data=True):
        t: TieSpec = {"source": str(u), "target": str(v)}
        t.update(_fields(attrs, TIE_FIELDS))  # type: ignore[typeddict-item]
        ties.append(t)
    return ties, customers, bool(graph.is_directed())


def from_frames(
    ties: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    source: str = "source",
    target: str = "target",
    id_column: str = "id",
) -> tuple[list[TieSpec], list[CustomerSpec]]:
    """Ties from a DataFrame with ``source``/``target`` columns (and optionally weight, p, channel);
    customers from one with an ``id`` column (and optionally label, followers, value, segment, activity)."""
    for col in (source, target):
        if col not in ties.columns:
            raise ValueError(f"ties DataFrame has no {col!r} column (columns: {list(ties.columns)})")
    tie_cols = [c for c in TIE_FIELDS if c in ties.columns]
    tie_list: list[TieSpec] = []
    for row in ties[[source, target, *tie_cols]].itertuples(index=False, name=None):
        t: TieSpec = {"source": str(row[0]), "target": str(row[1])}
        t.update(_fields(dict(zip(tie_cols, row[2:])), tie_cols))  # type: ignore[typeddict-item]
        tie_list.append(t)
    customer_list: list[CustomerSpec] = []
    if customers is not None:
        if id_column not in customers.columns:
            raise ValueError(f"customers DataFrame has no {id_column!r} column (columns: {list(customers.columns)})")
        cols = [c for c in CUSTOMER_FIELDS if c in customers.columns]
        for row in customers[[id_column, *cols]].itertuples(index=False, name=None):
            c: CustomerSpec = {"id": str(row[0])}
            c.update(_fields(dict(zip(cols, row[1:])), cols))  # type: ignore[typeddict-item]
            customer_list.append(c)
    return tie_list, customer_list


def to_csv(ties: list[TieSpec], customers: list[CustomerSpec]) -> tuple[bytes, bytes | None]:
    """The two CSV files of a multipart import (for graphs too big for one JSON body)."""
    t = io.StringIO()
    pd.DataFrame(ties, columns=["source", "target", *TIE_FIELDS]).to_csv(t, index=False)
    if not customers:
        return t.getvalue().encode(), None
    c = io.StringIO()
    pd.DataFrame(customers, columns=["id", *CUSTOMER_FIELDS]).to_csv(c, index=False)
    return t.getvalue().encode(), c.getvalue().encode()
