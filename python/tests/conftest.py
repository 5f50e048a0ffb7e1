"""One Ripple server per test session: ``ripple_client.local()`` from this checkout (built by ``npm install``),
or the server at ``RIPPLE_URL`` (with ``RIPPLE_API_KEY``) when that is set."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import ripple_client
from ripple_client import Ripple

CHECKOUT = Path(__file__).resolve().parents[2]
API_KEY = "test-key-5d1f"


@pytest.fixture(scope="session")
def client() -> Iterator[Ripple]:
    url = os.environ.get("RIPPLE_URL")
    if url:
        with Ripple(url, os.environ.get("RIPPLE_API_KEY"), progress=False) as r:
            yield r
        return
    # Two workers: the session also checks that answers do not depend on the worker count.
    with ripple_client.local(checkout=CHECKOUT, workers=2, api_key=API_KEY, progress=False) as r:
        yield r


@pytest.fixture(scope="session")
def openapi(client: Ripple) -> dict[str, Any]:
    doc: dict[str, Any] = httpx.get(f"{client.base_url}/openapi.json", timeout=30).json()
    return doc


@pytest.fixture(scope="session")
def path_graph(client: Ripple) -> Iterator[str]:
    """Directed path a -> b -> c -> d: the expected IC reach from a is 1 + p + p² + p³."""
    g = client.create_graph("path", [{"source": "a", "target": "b"}, {"source": "b", "target": "c"},
                                     {"source": "c", "target": "d"}], directed=True)
    yield g.id
    client.delete_graph(g.id)


@pytest.fixture(scope="session")
def karate(client: Ripple) -> Iterator[str]:
    import networkx as nx

    g = nx.karate_club_graph()
    for v in g.nodes:
        g.nodes[v]["value"] = 10.0 + v
        g.nodes[v]["followers"] = 100 * (v % 3)
    result = client.upload_networkx(g, "karate")
    yield result.id
    client.delete_graph(result.id)
