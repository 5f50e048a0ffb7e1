"""Request shapes (TypedDicts), snake_case in Python, camelCase on the wire (``at_step`` -> ``atStep``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic.alias_generators import to_camel
from typing_extensions import Required, TypedDict

Probability = Literal["uniform", "weighted-cascade", "trivalency", "attribute", "parallel"]
Experience = Literal["negative", "positive"]


class ResponseSpec(TypedDict, total=False):
    """The brand's answer: at ``at_step`` the complainant turns positive with probability ``effectiveness``."""

    at_step: int
    #: Instead of ``at_step``: a time after the complaint, ISO 8601 (``"PT2H"``); needs a step duration.
    at: str
    effectiveness: float
    public: bool


class HistogramSpec(TypedDict, total=False):
    """How reach histograms are binned (one of): ``{"bins": 20}`` equal-width bins over [min, max];
    ``{"width": 10, "start": 0}`` fixed bins of that width; ``{"edges": [1, 2, 5, 10, 100]}`` explicit edges
    (bin i holds reach ``edges[i]`` .. ``edges[i+1] - 1``)."""

    bins: int
    width: int
    start: int
    edges: list[int]


class CustomerNumber(TypedDict):
    """A per-customer number of a model (threshold, profile, initial opinion): ``{"id": "c1", "value": 0.3}``."""

    id: str
    value: float


class ImpactSpec(TypedDict, total=False):
    churn_if_negative: float
    uplift_if_positive: float
    currency: str


class VariantSpec(TypedDict, total=False):
    """One compare variant: a name and the fields of the base request it overrides (``response: None`` = no answer)."""

    name: Required[str]
    customer: str
    customers: list[str]
    experience: Experience
    max_steps: int
    #: Deprecated: the old name of ``max_steps``.
    horizon: int
    probability: Probability
    p: float
    activity: Literal["per-arc", "gate"]
    negativity_bias: float
    response: ResponseSpec | None
    impact: ImpactSpec
    amplifiers: int
    step_duration: str
    reach_of: list[str]


class TieSpec(TypedDict, total=False):
    source: Required[str]
    target: Required[str]
    weight: float | None
    p: float | None
    channel: str | None


class Neo4jMapping(TypedDict, total=False):
    """Which Neo4j property (label mode) or query column (query mode) is each Ripple attribute; default: its own name."""

    id: str
    label: str
    value: str
    followers: str
    segment: str
    activity: str
    weight: str
    p: str
    channel: str


class CustomerSpec(TypedDict, total=False):
    id: Required[str]
    label: str | None
    followers: float | None
    value: float | None
    segment: str | None
    activity: float | None


def camel(value: Any) -> Any:
    """Dict keys to camelCase, recursively (values kept: ids are data, never renamed)."""
    if isinstance(value, Mapping):
        return {to_camel(str(k)) if "_" in str(k) else str(k): camel(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [camel(v) for v in value]
    return value


def body(**fields: Any) -> dict[str, Any]:
    """A JSON body from keyword arguments: None left out (the server's default applies), keys camelCased."""
    return {k: v for k, v in camel({k: v for k, v in fields.items() if v is not None}).items()}


def query(**fields: Any) -> dict[str, str]:
    """Query parameters: None left out, booleans as true/false, names camelCased (``async_`` -> ``async``)."""
    out: dict[str, str] = {}
    for k, v in fields.items():
        if v is None:
            continue
        name = to_camel(k.rstrip("_")) if "_" in k.rstrip("_") else k.rstrip("_")
        out[name] = ("true" if v else "false") if isinstance(v, bool) else str(v)
    return out
