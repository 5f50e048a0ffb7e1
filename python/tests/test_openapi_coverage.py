"""The client covers the API: this fails when the server's OpenAPI document has an operation, a parameter, a
request field or an answer field that the client does not have (or the client has one the API does not).

- every operationId has a ``Ripple`` method named as its snake_case;
- every path/query parameter and JSON body property is a keyword of that method (``async`` -> ``async_``;
  path ``id`` -> ``graph_id``); nested request objects (``response``, ``impact``, ``variants``, ``ties``…) are
  checked against the TypedDicts the keywords take;
- every property of every JSON answer is a field of the pydantic model the method returns, recursively, and a
  field the model requires is required by the API.
"""

from __future__ import annotations

import copy
import inspect
import keyword
import re
import types
import typing
from collections.abc import Iterator
from typing import Any, Union

from pydantic import BaseModel
from typing_extensions import is_typeddict

import ripple_client as rc
from ripple_client import Ripple

#: Answers by operation and status. A new operation must be added here (with its method and models).
RESPONSES: dict[str, dict[str, list[type[BaseModel]]]] = {
    "getHealth": {"200": [rc.Health]},
    "getReady": {"200": [rc.Ready]},
    "listGraphs": {"200": [rc.GraphList]},
    "createGraph": {"201": [rc.ImportResult]},
    "getGraph": {"200": [rc.GraphSummary]},
    "replaceGraph": {"200": [rc.ImportResult]},
    "deleteGraph": {},
    "updateGraph": {"200": [rc.GraphSummary]},
    "importGraph": {"201": [rc.ImportResult]},
    "replaceGraphImport": {"200": [rc.ImportResult]},
    "getCustomer": {"200": [rc.Customer]},
    "listCustomers": {"200": [rc.CustomerPage]},
    "getNeighbourhood": {"200": [rc.Neighbourhood]},
    "exportGraph": {},  # a file (JSON, CSV, GEXF or GraphML), returned as bytes
    "getGraphInfo": {"200": [rc.GraphInfo]},
    "simulate": {"200": [rc.SimulationResult], "202": [rc.Accepted]},
    "runScenario": {"200": [rc.ScenarioReport, rc.CompareResult], "202": [rc.Accepted]},
    "riskiestCustomers": {"200": [rc.RiskiestResult], "202": [rc.Accepted]},
    "getCentrality": {"200": [rc.CentralityResult], "202": [rc.Accepted]},
    "findInfluencers": {"200": [rc.InfluencersResult], "202": [rc.Accepted]},
    "rankValues": {"200": [rc.ValueRanking], "202": [rc.Accepted]},
    "getCustomerValue": {"200": [rc.CustomerValue], "202": [rc.Accepted]},
    "getJob": {"200": [rc.Job]},
    "cancelJob": {"200": [rc.Job]},
    "listJobs": {"200": [rc.JobList]},
    "listGraphJobs": {"200": [rc.JobList]},
    "getJobEvents": {},  # text/event-stream of jobs (each checked as getJob's answer)
}

PATH_PARAMS = {"id": "graph_id", "jobId": "job_id", "customerId": "customer_id"}
#: Keywords of the client that are not API fields.
CLIENT_ONLY = {"self", "progress", "parameters"}


def snake(name: str) -> str:
    s = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower().replace("-", "_")
    return s + "_" if keyword.iskeyword(s) else s


def inline_refs(doc: dict[str, Any]) -> dict[str, Any]:
    """The document with every ``$ref`` to a component schema replaced by a copy of it (the server names its
    schemas since issue 16; the checks below read fields where they are used). Sibling keywords of a ``$ref``
    (a ``description``) are kept."""
    schemas = doc.get("components", {}).get("schemas", {})

    def walk(node: Any, seen: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [walk(x, seen) for x in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            name = ref.rsplit("/", 1)[1]
            if name in seen:
                return {k: v for k, v in node.items() if k != "$ref"}
            rest = {k: walk(v, seen) for k, v in node.items() if k != "$ref"}
            return {**walk(schemas[name], (*seen, name)), **rest}
        return {k: walk(v, seen) for k, v in node.items()}

    out: dict[str, Any] = walk(doc, ())
    return out


def operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            if isinstance(op, dict) and "responses" in op:
                yield op.get("operationId", f"<{method.upper()} {path} has no operationId>"), method, path, op


def alternatives(schema: Any) -> list[dict[str, Any]]:
    """The object schemas a property can be (through anyOf/oneOf/arrays), nulls left out."""
    if not isinstance(schema, dict):
        return []
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return [o for alt in schema[key] for o in alternatives(alt)]
    if schema.get("type") == "array" or "items" in schema:
        return alternatives(schema.get("items"))
    if "properties" in schema:
        return [schema]
    return []


def inner_types(annotation: Any) -> list[Any]:
    """Classes inside an annotation: Optional[X], list[X], Sequence[X], tuple, unions."""
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType) or origin is not None:
        return [t for arg in typing.get_args(annotation) for t in inner_types(arg)]
    return [annotation]


def is_mapping(annotation: Any) -> bool:
    """dict[...] / Mapping[...], possibly optional or in a list (rows of named columns)."""
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType, list):
        return any(is_mapping(a) for a in typing.get_args(annotation))
    return annotation is dict or origin is dict or (origin is not None and getattr(origin, "__name__", "") == "Mapping")


def models_in(annotation: Any) -> list[type[BaseModel]]:
    return [t for t in inner_types(annotation) if isinstance(t, type) and issubclass(t, BaseModel)]


def typeddicts_in(annotation: Any) -> list[Any]:
    return [t for t in inner_types(annotation) if is_typeddict(t)]


# ---------------------------------------------------------------------------------------------- requests


def check_typeddict(schema: dict[str, Any], td: Any, where: str, problems: list[str]) -> None:
    hints = typing.get_type_hints(td)
    for prop, sub in schema.get("properties", {}).items():
        key = snake(prop).rstrip("_")
        if key not in hints:
            problems.append(f"{where}.{prop}: missing from {td.__name__}")
            continue
        for obj in alternatives(sub):
            for inner in typeddicts_in(hints[key]):
                check_typeddict(obj, inner, f"{where}.{prop}", problems)


def check_request(op_id: str, op: dict[str, Any], problems: list[str]) -> None:
    method = getattr(Ripple, snake(op_id).rstrip("_"), None)
    if method is None:
        problems.append(f"{op_id}: no method Ripple.{snake(op_id)}")
        return
    signature = inspect.signature(method)
    hints = typing.get_type_hints(method)
    wanted: dict[str, list[dict[str, Any]]] = {}
    for param in op.get("parameters", []):
        if param["in"] == "header":
            continue  # `Prefer` (respond-async, wait=N): the client's job handling sets it, not a keyword
        name = PATH_PARAMS.get(param["name"], snake(param["name"])) if param["in"] == "path" else snake(param["name"])
        wanted.setdefault(name, [])
    content = op.get("requestBody", {}).get("content", {})
    for media, spec in content.items():
        for obj in alternatives(spec.get("schema")) or [spec.get("schema", {})]:
            if media != "application/json" and not media.startswith("multipart/"):
                continue
            for prop, sub in obj.get("properties", {}).items():
                wanted.setdefault(snake(prop), []).extend(alternatives(sub))
    for name, subs in wanted.items():
        if name not in signature.parameters:
            problems.append(f"{op_id}: Ripple.{method.__name__} has no keyword {name!r}")
            continue
        for obj in subs:
            for td in typeddicts_in(hints.get(name)):
                check_typeddict(obj, td, f"{op_id}.{name}", problems)
    for name in signature.parameters:
        if name not in wanted and name not in CLIENT_ONLY:
            problems.append(f"{op_id}: Ripple.{method.__name__}({name}=…) is not in the API")


# ---------------------------------------------------------------------------------------------- answers


def check_model(schema: dict[str, Any], model: type[BaseModel], where: str, problems: list[str]) -> None:
    fields = {(f.alias or name): (name, f) for name, f in model.model_fields.items()}
    props: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    for prop, sub in props.items():
        if prop not in fields:
            problems.append(f"{where}.{prop}: missing from {model.__name__}")
            continue
        _, info = fields[prop]
        if info.is_required() and prop not in required:
            problems.append(f"{where}.{prop}: {model.__name__} requires it but the API may leave it out")
        subs = alternatives(sub)
        inner = models_in(info.annotation)
        if subs and not inner:
            # Any (a raw result followed by kind) or a mapping (named columns that differ per model) reads any object.
            if info.annotation is not Any and not is_mapping(info.annotation):
                problems.append(f"{where}.{prop}: {model.__name__} has no model for this object")
            continue
        for m in inner:
            for obj in merged(subs, [m]).values():
                check_model(obj, m, f"{where}.{prop}", problems)
    for alias, (name, _) in fields.items():
        if alias not in props:
            problems.append(f"{where}: {model.__name__}.{name} ({alias}) is not in the API")


def best_model(schema: dict[str, Any], models: list[type[BaseModel]]) -> type[BaseModel]:
    """For an answer that is one of several shapes: the model with most of its required fields."""
    required = set(schema.get("required", []))

    def score(m: type[BaseModel]) -> int:
        return len(required & {(f.alias or n) for n, f in m.model_fields.items()})

    return max(models, key=score)


def merged(shapes: list[dict[str, Any]], models: list[type[BaseModel]]) -> dict[type[BaseModel], dict[str, Any]]:
    """The union alternatives grouped by the client model that reads them, each group as one object schema: its
    properties the union of theirs, required what all of them require (a per-model SimulationResult variant need not
    carry another model's fields, but the client model must know every field any variant carries)."""
    groups: dict[type[BaseModel], list[dict[str, Any]]] = {}
    for shape in shapes:
        groups.setdefault(best_model(shape, models), []).append(shape)
    out: dict[type[BaseModel], dict[str, Any]] = {}
    for model, group in groups.items():
        props: dict[str, Any] = {}
        for g in group:
            for k, v in g.get("properties", {}).items():
                props.setdefault(k, v)
        required = set.intersection(*(set(g.get("required", [])) for g in group))
        out[model] = {"type": "object", "properties": props, "required": sorted(required)}
    return out


def check_answers(op_id: str, op: dict[str, Any], problems: list[str]) -> None:
    if op_id not in RESPONSES:
        problems.append(f"{op_id}: not in RESPONSES (which model does Ripple.{snake(op_id)} return?)")
        return
    table = RESPONSES[op_id]
    for status, response in op["responses"].items():
        if not status.startswith("2"):
            continue
        schema = response.get("content", {}).get("application/json", {}).get("schema")
        shapes = alternatives(schema)
        if not shapes:
            continue
        if status not in table:
            if not table:  # declared as a file the client returns as bytes (exportGraph)
                continue
            problems.append(f"{op_id} {status}: the API answers a JSON object the client does not read")
            continue
        for model, shape in merged(shapes, table[status]).items():
            check_model(shape, model, f"{op_id} {status}", problems)


def coverage_problems(doc: dict[str, Any]) -> list[str]:
    doc = inline_refs(doc)
    problems: list[str] = []
    for op_id, _method, _path, op in operations(doc):
        check_request(op_id, op, problems)
        check_answers(op_id, op, problems)
    seen = {op_id for op_id, *_ in operations(doc)}
    for op_id in RESPONSES:
        if op_id not in seen:
            problems.append(f"{op_id}: in the client's table but not in the API")
    return problems


# ---------------------------------------------------------------------------------------------- tests


def test_the_client_covers_every_operation_and_field(openapi: dict[str, Any]) -> None:
    problems = coverage_problems(openapi)
    assert problems == [], "the client lags the OpenAPI document:\n" + "\n".join(problems)


def test_the_check_fails_on_what_the_client_lacks(openapi: dict[str, Any]) -> None:
    doc = inline_refs(copy.deepcopy(openapi))
    sim = doc["paths"]["/graphs/{id}/simulations"]["post"]
    # The answer is a union of per-model results: spoil the first alternative's reach.
    answer = alternatives(sim["responses"]["200"]["content"]["application/json"]["schema"])[0]
    answer["properties"]["reach"]["properties"]["mode"] = {"type": "number"}
    body = sim["requestBody"]["content"]["application/json"]["schema"]
    alternatives(body)[0]["properties"]["temperature"] = {"type": "number"}
    doc["paths"]["/graphs/{id}/snapshot"] = {"get": {"operationId": "snapshotGraph", "responses": {"200": {}}}}
    problems = coverage_problems(doc)
    assert "simulate 200.reach.mode: missing from Distribution" in problems
    assert "simulate: Ripple.simulate has no keyword 'temperature'" in problems
    assert "snapshotGraph: no method Ripple.snapshot_graph" in problems
