"""The Ripple client: one method per API operation, named as its operationId in snake_case."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, TypeVar, overload
from urllib.parse import quote

import httpx
import pandas as pd
from pydantic import BaseModel

from . import _convert
from ._jobs import JobFollower, job_events
from ._models import (
    Accepted,
    CentralityResult,
    CompareResult,
    Customer,
    CustomerPage,
    CustomerValue,
    GraphInfo,
    GraphList,
    GraphSummary,
    Health,
    ImportResult,
    InfluencersResult,
    Job,
    JobList,
    Neighbourhood,
    Ready,
    RiskiestResult,
    ScenarioReport,
    SimulationResult,
    ValueRanking,
)
from ._specs import (
    CustomerNumber,
    CustomerSpec,
    Experience,
    HistogramSpec,
    ImpactSpec,
    Neo4jMapping,
    Probability,
    ResponseSpec,
    TieSpec,
    VariantSpec,
    body,
    query,
)
from .errors import RippleError

if TYPE_CHECKING:
    import networkx as nx

M = TypeVar("M", bound=BaseModel)

FileLike = bytes | str | os.PathLike[str] | IO[bytes]
Format = Literal["edgelist", "csv", "json", "gexf", "graphml"]
#: Parallel ties (the same pair on several lines): kept once, or counted into the kept tie's weight.
ParallelTies = Literal["merge", "count"]
#: Above this many ties, upload_networkx / upload_frame send CSV files (streamed import) instead of one JSON body.
JSON_TIES_LIMIT = 200_000


def _listed(items: Sequence[CustomerNumber] | None) -> list[CustomerNumber] | None:
    return None if items is None else list(items)


def _seg(value: str) -> str:
    """One path segment: ids are data (``../x``, ``a/b``, unicode), always percent-encoded."""
    return quote(str(value), safe="")


def _read(file: FileLike) -> bytes | IO[bytes]:
    if isinstance(file, bytes):
        return file
    if isinstance(file, (str, os.PathLike)):
        return Path(file).read_bytes()
    return file


class Ripple:
    """A client of one Ripple server.

    >>> r = Ripple("http://127.0.0.1:3000")
    >>> g = r.list_graphs().graphs[0]
    >>> r.simulate(g.id, model="ic", seeds=["c0006"], p=0.05, runs=2000, seed=7).reach.ci95

    Engine methods (``simulate``, ``run_scenario``, ``get_centrality``, ``find_influencers``, ``rank_values``,
    ``riskiest_customers``, ``get_customer_value``) wait for the answer: when the server makes the work a job (202)
    they follow it with a progress bar (``progress=False`` hides it) and Ctrl-C cancels it on the server.
    """

    def __init__(
        self,
        base_url: str = "http://127.0.0.1:3000",
        api_key: str | None = None,
        *,
        timeout: float = 120.0,
        progress: bool = True,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"accept": "application/json", "user-agent": "ripple-client-python"}
        if api_key is not None:
            headers["authorization"] = f"Bearer {api_key}"
        self.base_url = base_url.rstrip("/")
        self.progress = progress
        self._http = httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout, transport=transport)
        self._jobs = JobFollower(self._http, self.get_job, self.cancel_job, self._events_path)

    # ------------------------------------------------------------------------------------------ plumbing

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Ripple:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Ripple({self.base_url!r})"

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Any request; an error answer raises RippleError with the problem details."""
        response = self._http.request(method, path, **kwargs)
        if response.status_code >= 400:
            try:
                payload: Any = response.json()
            except ValueError:
                payload = None
            raise RippleError.from_problem(response.status_code, payload, response.text[:200] or response.reason_phrase)
        return response

    def _get_model(self, model: type[M], path: str, params: dict[str, str] | None = None) -> M:
        return model.model_validate(self.request("GET", path, params=params).json())

    def _engine(
        self,
        method: str,
        path: str,
        parse: type[M],
        *,
        params: Mapping[str, str | list[str]] | None = None,
        json: dict[str, Any] | None = None,
        progress: bool | None,
        description: str,
    ) -> M:
        response = self.request(method, path, params=params, json=json)
        payload = response.json()
        if response.status_code == 202:
            job = Accepted.model_validate(payload).job
            show = self.progress if progress is None else progress
            payload = self._jobs.wait(job, progress=show, description=description)
        return parse.model_validate(payload)

    def _events_path(self, job_id: str) -> str:
        return f"/jobs/{_seg(job_id)}/events"

    # ------------------------------------------------------------------------------------------ health

    def get_health(self) -> Health:
        return self._get_model(Health, "/health")

    def get_ready(self) -> Ready:
        return self._get_model(Ready, "/ready")

    # ------------------------------------------------------------------------------------------ graphs

    def list_graphs(self, *, limit: int | None = None, cursor: str | None = None) -> GraphList:
        """Stored graphs, oldest first, a page at a time (``next_cursor`` of one page is ``cursor`` of the next)."""
        return self._get_model(GraphList, "/graphs", query(limit=limit, cursor=cursor))

    def get_graph(self, graph_id: str) -> GraphSummary:
        return self._get_model(GraphSummary, f"/graphs/{_seg(graph_id)}")

    def get_graph_info(self, graph_id: str) -> GraphInfo:
        return self._get_model(GraphInfo, f"/graphs/{_seg(graph_id)}/info")

    def get_customer(self, graph_id: str, customer_id: str) -> Customer:
        return self._get_model(Customer, f"/graphs/{_seg(graph_id)}/customers/{_seg(customer_id)}")

    def list_customers(
        self,
        graph_id: str,
        *,
        search: str | None = None,
        segment: str | None = None,
        min_value: float | None = None,
        sort: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> CustomerPage:
        """Browse customers: ``search`` in id/label/segment, ``segment``, ``min_value``; ``sort`` e.g. ``-value``."""
        params = query(search=search, segment=segment, min_value=min_value, sort=sort, limit=limit, cursor=cursor)
        return self._get_model(CustomerPage, f"/graphs/{_seg(graph_id)}/customers", params)

    def get_neighbourhood(self, graph_id: str, customer_id: str, *, depth: int | None = None, limit: int | None = None) -> Neighbourhood:
        """The customer, its friends (and theirs with ``depth=2``) and the ties among them."""
        path = f"/graphs/{_seg(graph_id)}/customers/{_seg(customer_id)}/neighbourhood"
        return self._get_model(Neighbourhood, path, query(depth=depth, limit=limit))

    def export_graph(self, graph_id: str, *, format: str | None = None, table: str | None = None) -> bytes:
        """The whole graph as a file: ``json`` (default), ``csv`` (``table`` ties or customers), ``gexf``, ``graphml``."""
        return self.request("GET", f"/graphs/{_seg(graph_id)}/export", params=query(format=format, table=table)).content

    def create_graph(
        self,
        name: str,
        ties: Sequence[TieSpec],
        *,
        customers: Sequence[CustomerSpec] | None = None,
        directed: bool | None = None,
        default_value: float | None = None,
        currency: str | None = None,
        step_duration: str | None = None,
    ) -> ImportResult:
        """Store a graph sent as Ripple JSON (customers optional: ties may name them); ``step_duration`` e.g. ``"PT2H"``."""
        payload = body(name=name, ties=list(ties), customers=list(customers) if customers is not None else None,
                       directed=directed, default_value=default_value, currency=currency, step_duration=step_duration)
        return ImportResult.model_validate(self.request("POST", "/graphs", json=payload).json())

    def replace_graph(
        self,
        graph_id: str,
        name: str,
        ties: Sequence[TieSpec],
        *,
        customers: Sequence[CustomerSpec] | None = None,
        directed: bool | None = None,
        default_value: float | None = None,
        currency: str | None = None,
        step_duration: str | None = None,
        if_version: int | None = None,
    ) -> ImportResult:
        """Replace a graph (a new version, atomically); ``if_version`` makes it conditional (409 otherwise)."""
        payload = body(name=name, ties=list(ties), customers=list(customers) if customers is not None else None,
                       directed=directed, default_value=default_value, currency=currency, step_duration=step_duration)
        response = self.request("PUT", f"/graphs/{_seg(graph_id)}", json=payload, params=query(if_version=if_version))
        return ImportResult.model_validate(response.json())

    def update_graph(
        self, graph_id: str, *, name: str | None = None, step_duration: str | None | Literal[False] = False,
        if_version: int | None = None,
    ) -> GraphSummary:
        """Change the name or the step duration (``"PT2H"``; ``None`` removes it; left out: unchanged)."""
        payload: dict[str, Any] = body(name=name)
        if step_duration is not False:
            payload["stepDuration"] = step_duration
        response = self.request("PATCH", f"/graphs/{_seg(graph_id)}", json=payload, params=query(if_version=if_version))
        return GraphSummary.model_validate(response.json())

    def delete_graph(self, graph_id: str) -> None:
        self.request("DELETE", f"/graphs/{_seg(graph_id)}")

    def _upload(self, method: str, path: str, ties: FileLike, customers: FileLike | None, params: dict[str, str]) -> ImportResult:
        if customers is None:
            headers = {"content-type": "application/octet-stream"}
            response = self.request(method, path, content=_read(ties), headers=headers, params=params)
        else:
            files = {"ties": ("ties", _read(ties)), "customers": ("customers.csv", _read(customers), "text/csv")}
            response = self.request(method, path, files=files, params=params)
        return ImportResult.model_validate(response.json())

    def import_graph(
        self,
        ties: FileLike,
        *,
        customers: FileLike | None = None,
        format: Format | None = None,
        name: str | None = None,
        directed: bool | None = None,
        parallel_ties: ParallelTies | None = None,
        step_duration: str | None = None,
    ) -> ImportResult:
        """Create a graph from a file (path, bytes or binary stream): edge list, CSV, Ripple JSON, GEXF or GraphML,
        optionally gzip-compressed. With ``customers`` (a CSV ``id,label,followers,value,segment,activity``) both
        go as one multipart upload. ``parallel_ties="count"`` keeps a pair given c times once, with weight c."""
        params = query(format=format, name=name, directed=directed, parallel_ties=parallel_ties, step_duration=step_duration)
        if name is None and isinstance(ties, (str, os.PathLike)):
            params["name"] = Path(ties).name
        return self._upload("POST", "/graphs/import", ties, customers, params)

    def replace_graph_import(
        self,
        graph_id: str,
        ties: FileLike,
        *,
        customers: FileLike | None = None,
        format: Format | None = None,
        name: str | None = None,
        directed: bool | None = None,
        if_version: int | None = None,
        parallel_ties: ParallelTies | None = None,
        step_duration: str | None = None,
    ) -> ImportResult:
        params = query(format=format, name=name, directed=directed, if_version=if_version, parallel_ties=parallel_ties,
                       step_duration=step_duration)
        return self._upload("PUT", f"/graphs/{_seg(graph_id)}/import", ties, customers, params)

    def import_graph_from_neo4j(
        self,
        *,
        name: str | None = None,
        node_label: str | None = None,
        relationship_type: str | None = None,
        nodes_query: str | None = None,
        relationships_query: str | None = None,
        parameters: dict[str, Any] | None = None,
        mapping: Neo4jMapping | None = None,
        directed: bool | None = None,
        default_value: float | None = None,
        currency: str | None = None,
        step_duration: str | None = None,
        row_limit: int | None = None,
        timeout_seconds: float | None = None,
        uri: str | None = None,
        database: str | None = None,
    ) -> ImportResult:
        """Store a snapshot of a Neo4j graph in its own labels: ``node_label`` + ``relationship_type``, or two read-only
        Cypher queries (``nodes_query`` returning ``id``, ``relationships_query`` returning ``source``, ``target``) run
        with ``parameters``; ``mapping`` names the property or column of each attribute (``{"id": "customerId"}``).
        The server reads its own NEO4J_URI unless its configuration allows the ``uri``/``database`` named."""
        payload = self._neo4j_body(name, node_label, relationship_type, nodes_query, relationships_query, parameters, mapping,
                                   directed, default_value, currency, step_duration, row_limit, timeout_seconds, uri, database)
        return ImportResult.model_validate(self.request("POST", "/graphs/from-neo4j", json=payload).json())

    def refresh_graph_from_neo4j(
        self,
        graph_id: str,
        *,
        if_version: int | None = None,
        name: str | None = None,
        node_label: str | None = None,
        relationship_type: str | None = None,
        nodes_query: str | None = None,
        relationships_query: str | None = None,
        parameters: dict[str, Any] | None = None,
        mapping: Neo4jMapping | None = None,
        directed: bool | None = None,
        default_value: float | None = None,
        currency: str | None = None,
        step_duration: str | None = None,
        row_limit: int | None = None,
        timeout_seconds: float | None = None,
        uri: str | None = None,
        database: str | None = None,
    ) -> ImportResult:
        """Read a snapshot graph again from its recorded Neo4j source (no keywords), or from a new one (keywords as
        for ``import_graph_from_neo4j``); a new version, atomically."""
        payload = self._neo4j_body(name, node_label, relationship_type, nodes_query, relationships_query, parameters, mapping,
                                   directed, default_value, currency, step_duration, row_limit, timeout_seconds, uri, database)
        response = self.request("PUT", f"/graphs/{_seg(graph_id)}/from-neo4j", json=payload, params=query(if_version=if_version))
        return ImportResult.model_validate(response.json())

    @staticmethod
    def _neo4j_body(
        name: str | None, node_label: str | None, relationship_type: str | None, nodes_query: str | None,
        relationships_query: str | None, parameters: dict[str, Any] | None, mapping: Neo4jMapping | None,
        directed: bool | None, default_value: float | None, currency: str | None, step_duration: str | None,
        row_limit: int | None, timeout_seconds: float | None, uri: str | None, database: str | None,
    ) -> dict[str, Any]:
        payload = body(name=name, node_label=node_label, relationship_type=relationship_type, nodes_query=nodes_query,
                       relationships_query=relationships_query, directed=directed, default_value=default_value,
                       currency=currency, step_duration=step_duration, row_limit=row_limit,
                       timeout_seconds=timeout_seconds, uri=uri, database=database)
        # Parameter names are the query's own ($customerId): sent as given, never camelCased.
        if parameters is not None:
            payload["parameters"] = dict(parameters)
        if mapping is not None:
            payload["mapping"] = dict(mapping)
        return payload

    def upload_networkx(
        self, graph: nx.Graph[Any], name: str, *, default_value: float | None = None, currency: str | None = None
    ) -> ImportResult:
        """Store a networkx graph (directed if it is): node attributes label/followers/value/segment/activity,
        edge attributes weight/p/channel; ids become strings."""
        ties, customers, directed = _convert.from_networkx(graph)
        return self._store(name, ties, customers, directed, default_value, currency)

    def upload_frame(
        self,
        ties: pd.DataFrame,
        name: str,
        *,
        customers: pd.DataFrame | None = None,
        directed: bool = False,
        source: str = "source",
        target: str = "target",
        default_value: float | None = None,
        currency: str | None = None,
    ) -> ImportResult:
        """Store a graph from a DataFrame of ties (``source``, ``target`` [, weight, p, channel]) and optionally
        one of customers (``id`` [, label, followers, value, segment, activity])."""
        tie_list, customer_list = _convert.from_frames(ties, customers, source=source, target=target)
        return self._store(name, tie_list, customer_list, directed, default_value, currency)

    def _store(
        self,
        name: str,
        ties: list[TieSpec],
        customers: list[CustomerSpec],
        directed: bool,
        default_value: float | None,
        currency: str | None,
    ) -> ImportResult:
        if len(ties) <= JSON_TIES_LIMIT or default_value is not None or currency is not None:
            return self.create_graph(name, ties, customers=customers or None, directed=directed,
                                     default_value=default_value, currency=currency)
        tie_csv, customer_csv = _convert.to_csv(ties, customers)
        return self.import_graph(tie_csv, customers=customer_csv, format="csv", name=name, directed=directed)

    # ------------------------------------------------------------------------------------------ engine

    def simulate(
        self,
        graph_id: str,
        *,
        model: str,
        seeds: Sequence[str],
        runs: int | None = None,
        precision: float | None = None,
        max_runs: int | None = None,
        seed: int | None = None,
        max_steps: int | None = None,
        amplifiers: int | None = None,
        top: int | None = None,  # deprecated: the old name of amplifiers
        bins: int | None = None,
        histogram: HistogramSpec | None = None,
        samples: bool | None = None,
        probability: Probability | None = None,
        p: float | None = None,
        activity: Literal["per-arc", "gate"] | None = None,
        beta: float | None = None,
        gamma: float | None = None,
        experience: Experience | None = None,
        negativity_bias: float | None = None,
        response: ResponseSpec | None = None,
        exceedance: Sequence[int] | None = None,
        trace: bool | None = None,
        lambda_: float | None = None,
        alpha: float | None = None,
        kappa: float | None = None,
        mu: float | None = None,
        nu: float | None = None,
        threshold: float | None = None,
        thresholds: str | None = None,
        customer_thresholds: Sequence[CustomerNumber] | None = None,
        blocked: float | None = None,
        adopter_rate: float | None = None,
        profile: float | None = None,
        customer_profiles: Sequence[CustomerNumber] | None = None,
        for_share: float | None = None,
        q: int | None = None,
        tie: str | None = None,
        epsilon: float | None = None,
        seed_opinion: float | None = None,
        opinion_low: float | None = None,
        opinion_high: float | None = None,
        customer_opinions: Sequence[CustomerNumber] | None = None,
        delay: str | None = None,
        rate: float | None = None,
        shape: float | None = None,
        scale: float | None = None,
        delay_weight: str | None = None,
        time_unit: str | None = None,
        horizon: float | str | None = None,
        time_bins: int | None = None,
        reach_target: int | None = None,
        async_: bool | None = None,
        progress: bool | None = None,
        **parameters: Any,
    ) -> SimulationResult:
        """Monte Carlo cascades from ``seeds`` (DESIGN §3–4): ``model`` ic, lt, sir, voice…; ``runs`` or
        ``precision`` + ``max_runs``. Model parameters the client does not name yet go in ``**parameters``
        (snake_case or camelCase)."""
        payload = body(model=model, seeds=list(seeds), runs=runs, precision=precision, max_runs=max_runs, seed=seed,
                       max_steps=max_steps, amplifiers=amplifiers, top=top, bins=bins, histogram=histogram, samples=samples,
                       probability=probability, p=p, activity=activity, beta=beta, gamma=gamma,
                       experience=experience, negativity_bias=negativity_bias, response=response,
                       exceedance=list(exceedance) if exceedance is not None else None, trace=trace,
                       alpha=alpha, kappa=kappa, mu=mu, nu=nu, threshold=threshold, thresholds=thresholds,
                       customer_thresholds=_listed(customer_thresholds), blocked=blocked, adopter_rate=adopter_rate,
                       profile=profile, customer_profiles=_listed(customer_profiles), for_share=for_share, q=q, tie=tie,
                       epsilon=epsilon, seed_opinion=seed_opinion, opinion_low=opinion_low, opinion_high=opinion_high,
                       customer_opinions=_listed(customer_opinions), delay=delay, rate=rate, shape=shape, scale=scale,
                       delay_weight=delay_weight, time_unit=time_unit, horizon=horizon, time_bins=time_bins,
                       reach_target=reach_target, **parameters)
        if lambda_ is not None:
            payload["lambda"] = lambda_
        return self._engine("POST", f"/graphs/{_seg(graph_id)}/simulations", SimulationResult, json=payload,
                            params=query(async_=async_), progress=progress, description=f"simulate {model}")

    @overload
    def run_scenario(
        self,
        graph_id: str,
        *,
        customer: str | None = None,
        customers: Sequence[str] | None = None,
        experience: Experience | None = None,
        max_steps: int | None = None,
        horizon: int | None = None,  # deprecated: the old name of max_steps
        probability: Probability | None = None,
        p: float | None = None,
        activity: Literal["per-arc", "gate"] | None = None,
        negativity_bias: float | None = None,
        response: ResponseSpec | None = None,
        impact: ImpactSpec | None = None,
        amplifiers: int | None = None,
        step_duration: str | None = None,
        reach_of: Sequence[str] | None = None,
        runs: int | None = None,
        precision: float | None = None,
        max_runs: int | None = None,
        seed: int | None = None,
        variants: None = None,
        async_: bool | None = None,
        progress: bool | None = None,
    ) -> ScenarioReport: ...

    @overload
    def run_scenario(
        self,
        graph_id: str,
        *,
        customer: str | None = None,
        customers: Sequence[str] | None = None,
        experience: Experience | None = None,
        max_steps: int | None = None,
        horizon: int | None = None,  # deprecated: the old name of max_steps
        probability: Probability | None = None,
        p: float | None = None,
        activity: Literal["per-arc", "gate"] | None = None,
        negativity_bias: float | None = None,
        response: ResponseSpec | None = None,
        impact: ImpactSpec | None = None,
        amplifiers: int | None = None,
        step_duration: str | None = None,
        reach_of: Sequence[str] | None = None,
        runs: int | None = None,
        precision: float | None = None,
        max_runs: int | None = None,
        seed: int | None = None,
        variants: Sequence[VariantSpec],
        async_: bool | None = None,
        progress: bool | None = None,
    ) -> CompareResult: ...

    def run_scenario(
        self,
        graph_id: str,
        *,
        customer: str | None = None,
        customers: Sequence[str] | None = None,
        experience: Experience | None = None,
        max_steps: int | None = None,
        horizon: int | None = None,  # deprecated: the old name of max_steps
        probability: Probability | None = None,
        p: float | None = None,
        activity: Literal["per-arc", "gate"] | None = None,
        negativity_bias: float | None = None,
        response: ResponseSpec | None = None,
        impact: ImpactSpec | None = None,
        amplifiers: int | None = None,
        step_duration: str | None = None,
        reach_of: Sequence[str] | None = None,
        runs: int | None = None,
        precision: float | None = None,
        max_runs: int | None = None,
        seed: int | None = None,
        variants: Sequence[VariantSpec] | None = None,
        async_: bool | None = None,
        progress: bool | None = None,
    ) -> ScenarioReport | CompareResult:
        """What if this customer complains (or praises)? With ``variants`` (compare mode) every variant runs on
        the same random streams and the answer has their paired differences."""
        payload = body(customer=customer, customers=list(customers) if customers is not None else None,
                       experience=experience, max_steps=max_steps, horizon=horizon, probability=probability, p=p,
                       activity=activity, negativity_bias=negativity_bias, response=response, impact=impact,
                       amplifiers=amplifiers, step_duration=step_duration,
                       reach_of=list(reach_of) if reach_of is not None else None,
                       runs=runs, precision=precision, max_runs=max_runs, seed=seed,
                       variants=list(variants) if variants is not None else None)
        path = f"/graphs/{_seg(graph_id)}/scenarios"
        params = query(async_=async_)
        if variants is None:
            return self._engine("POST", path, ScenarioReport, json=payload, params=params, progress=progress,
                                description="scenario")
        return self._engine("POST", path, CompareResult, json=payload, params=params, progress=progress,
                            description=f"compare {len(variants)} variants")

    def riskiest_customers(
        self,
        graph_id: str,
        *,
        top: int | None = None,
        candidates: Sequence[str] | None = None,
        rr_sets: int | None = None,
        experience: Literal["negative"] | None = None,
        max_steps: int | None = None,
        horizon: int | None = None,  # deprecated: the old name of max_steps
        probability: Probability | None = None,
        p: float | None = None,
        activity: Literal["per-arc", "gate"] | None = None,
        negativity_bias: float | None = None,
        response: ResponseSpec | None = None,
        impact: ImpactSpec | None = None,
        amplifiers: int | None = None,
        step_duration: str | None = None,
        reach_of: Sequence[str] | None = None,
        runs: int | None = None,
        precision: float | None = None,
        max_runs: int | None = None,
        seed: int | None = None,
        async_: bool | None = None,
        progress: bool | None = None,
    ) -> RiskiestResult:
        """Whose complaint would hurt most: the negative scenario from each candidate (default: the top customers
        by own value + value-weighted reach), ranked by money at risk."""
        payload = body(top=top, candidates=list(candidates) if candidates is not None else None, rr_sets=rr_sets,
                       experience=experience, max_steps=max_steps, horizon=horizon, probability=probability, p=p,
                       activity=activity, negativity_bias=negativity_bias, response=response, impact=impact,
                       amplifiers=amplifiers, step_duration=step_duration,
                       reach_of=list(reach_of) if reach_of is not None else None,
                       runs=runs, precision=precision, max_runs=max_runs, seed=seed)
        return self._engine("POST", f"/graphs/{_seg(graph_id)}/scenarios/riskiest", RiskiestResult, json=payload,
                            params=query(async_=async_), progress=progress, description="riskiest customers")

    def get_centrality(
        self,
        graph_id: str,
        metric: str,
        *,
        top: int | Literal["all"] | None = None,
        weighted: bool | None = None,
        normalized: bool | None = None,
        k: int | None = None,
        seed: int | None = None,
        alpha: float | None = None,
        convergence: Literal["fixed-point", "networkx"] | None = None,
        tolerance: float | None = None,
        max_iterations: int | None = None,
        async_: bool | None = None,
        progress: bool | None = None,
    ) -> CentralityResult:
        """A centrality ranking with networkx's definitions: degree, in-degree, out-degree, weighted-degree,
        pagerank, betweenness (``k`` sampled sources, each score with a ``stderr``), closeness, harmonic, eigenvector,
        katz, hub, authority, kcore, louvain. ``top="all"`` ranks every customer. The power iterations (pagerank,
        eigenvector, katz, hub, authority) run to their fixed point unless ``convergence="networkx"`` (networkx's
        early stop); ``tolerance`` and ``max_iterations`` set the stop rule."""
        params = query(top=top, weighted=weighted, normalized=normalized, k=k, seed=seed, alpha=alpha,
                       convergence=convergence, tolerance=tolerance, max_iterations=max_iterations, async_=async_)
        return self._engine("GET", f"/graphs/{_seg(graph_id)}/centrality/{_seg(metric)}", CentralityResult,
                            params=params, progress=progress, description=metric)

    def find_influencers(
        self,
        graph_id: str,
        k: int,
        *,
        method: Literal["imm", "celf", "degree", "pagerank", "degree-discount"] | None = None,
        model: Literal["ic", "lt"] | None = None,
        probability: Probability | None = None,
        p: float | None = None,
        activity: Literal["per-arc", "gate"] | None = None,
        epsilon: float | None = None,
        ell: float | None = None,
        runs: int | None = None,
        celf_runs: int | None = None,
        gain_samples: int | None = None,
        compare: bool | None = None,
        seed: int | None = None,
        async_: bool | None = None,
        progress: bool | None = None,
    ) -> InfluencersResult:
        """Pick ``k`` seeds (IMM by default) and re-estimate their spread by Monte Carlo."""
        payload = body(k=k, method=method, model=model, probability=probability, p=p, activity=activity, epsilon=epsilon, ell=ell,
                       runs=runs, celf_runs=celf_runs, gain_samples=gain_samples, compare=compare, seed=seed)
        return self._engine("POST", f"/graphs/{_seg(graph_id)}/influencers", InfluencersResult, json=payload,
                            params=query(async_=async_), progress=progress, description=f"influencers k={k}")

    def rank_values(
        self,
        graph_id: str,
        *,
        model: Literal["ic", "lt"] | None = None,
        probability: Probability | None = None,
        p: float | None = None,
        top: int | None = None,
        by: Literal["total", "valueWeightedReach", "incremental", "network"] | None = None,
        activity: Literal["per-arc", "gate"] | None = None,
        baseline: Sequence[str] | None = None,
        baseline_share: float | None = None,
        rr_sets: int | None = None,
        seed: int | None = None,
        async_: bool | None = None,
        progress: bool | None = None,
    ) -> ValueRanking:
        """Customers ranked by own value + value-weighted reach: whose unhappiness costs most. With ``baseline`` (organic
        adopters' ids) or ``baseline_share``, each customer's incremental value too (``by="incremental"`` ranks by it).
        ``by="network"`` is the deprecated name of ``by="valueWeightedReach"``."""
        params: dict[str, str | list[str]] = dict(
            query(model=model, probability=probability, p=p, top=top, by=by, activity=activity,
                  baseline_share=baseline_share, rr_sets=rr_sets, seed=seed, async_=async_)
        )
        if baseline is not None:
            params["baseline"] = list(baseline)  # repeated: baseline=a&baseline=b
        return self._engine("GET", f"/graphs/{_seg(graph_id)}/value", ValueRanking, params=params,
                            progress=progress, description="value ranking")

    def get_customer_value(
        self,
        graph_id: str,
        customer_id: str,
        *,
        model: Literal["ic", "lt"] | None = None,
        probability: Probability | None = None,
        p: float | None = None,
        activity: Literal["per-arc", "gate"] | None = None,
        runs: int | None = None,
        baseline: Sequence[str] | None = None,
        baseline_share: float | None = None,
        rr_sets: int | None = None,
        seed: int | None = None,
        async_: bool | None = None,
        progress: bool | None = None,
    ) -> CustomerValue:
        """One customer's own value + value-weighted reach (Monte Carlo from it alone). With ``baseline`` (organic
        adopters' ids) or ``baseline_share``, its incremental value too, from ``rr_sets`` value-weighted RR sets: the
        same request gives the ranking's figure for this customer."""
        params: dict[str, str | list[str]] = dict(
            query(model=model, probability=probability, p=p, activity=activity, runs=runs,
                  baseline_share=baseline_share, rr_sets=rr_sets, seed=seed, async_=async_)
        )
        if baseline is not None:
            params["baseline"] = list(baseline)  # repeated: baseline=a&baseline=b
        return self._engine("GET", f"/graphs/{_seg(graph_id)}/customers/{_seg(customer_id)}/value", CustomerValue,
                            params=params, progress=progress, description=f"value of {customer_id}")

    # ------------------------------------------------------------------------------------------ jobs

    def get_job(self, job_id: str) -> Job:
        return self._get_model(Job, f"/jobs/{_seg(job_id)}")

    def cancel_job(self, job_id: str) -> Job:
        return Job.model_validate(self.request("DELETE", f"/jobs/{_seg(job_id)}").json())

    def list_jobs(self, *, state: str | None = None, limit: int | None = None, cursor: str | None = None) -> JobList:
        return self._get_model(JobList, "/jobs", query(state=state, limit=limit, cursor=cursor))

    def list_graph_jobs(
        self, graph_id: str, *, state: str | None = None, limit: int | None = None, cursor: str | None = None
    ) -> JobList:
        return self._get_model(JobList, f"/graphs/{_seg(graph_id)}/jobs", query(state=state, limit=limit, cursor=cursor))

    def get_job_events(self, job_id: str) -> Iterator[tuple[str, Job]]:
        """The job's server-sent events as (event, job) pairs: ``state``, ``progress``…, then ``done`` or ``error``."""
        return job_events(self._http, job_id, self._events_path(job_id))

    def wait_for_job(self, job_id: str, *, progress: bool | None = None) -> Any:
        """Follow a job (e.g. one started elsewhere) to its end and return its raw result."""
        job = self.get_job(job_id)
        return self._jobs.wait(job, progress=self.progress if progress is None else progress)
