"""Typed answers of the Ripple API (DESIGN §8), as pydantic models.

JSON names are camelCase (``elapsedMs``); attributes are snake_case (``elapsed_ms``). Fields the server adds
later are kept (``extra="allow"``) so an older client keeps working; ``tests/test_openapi_coverage.py`` fails
when the OpenAPI document has a field these models do not declare.

Every result with rows has ``.to_frame()`` returning a pandas DataFrame with snake_case columns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

CI = tuple[float, float]

__all__ = [
    "Model",
    "TimedStep",
    "OpinionPeak",
    "Times",
    "OpinionTimeToPeak",
    "PeakDifference",
    "LastStep",
    "JudgedDifference",
    "CustomerRow",
    "CustomerPage",
    "NeighbourhoodCustomer",
    "NeighbourhoodTie",
    "Neighbourhood",
    "Estimate",
    "MeanCI",
    "Quantiles",
    "Bin",
    "Distribution",
    "HistogramOutside",
    "Step",
    "Amplifier",
    "RankedCustomer",
    "Compartment",
    "Exceedance",
    "TraceEvent",
    "Trace",
    "Consensus",
    "FinalShares",
    "TimedReach",
    "Horizon",
    "TimeToReach",
    "GraphSource",
    "GraphSummary",
    "GraphList",
    "ImportReport",
    "ImportResult",
    "Degree",
    "CustomerCentrality",
    "Customer",
    "DegreeStats",
    "DegreeSummary",
    "Components",
    "GraphInfo",
    "Health",
    "Ready",
    "SimulationResult",
    "Response",
    "Impact",
    "ScenarioAssumptions",
    "RiskiestAssumptions",
    "TimeToPeak",
    "Money",
    "ValueExposed",
    "ScenarioReport",
    "VariantReport",
    "Difference",
    "MoneyDifference",
    "ScenarioDifference",
    "CompareResult",
    "RiskyMoney",
    "RiskyCustomer",
    "RiskiestResult",
    "Ranked",
    "CentralitySample",
    "CentralityResult",
    "InfluencerSeed",
    "EvaluationInfo",
    "CandidateDifference",
    "ComparisonCandidate",
    "Comparison",
    "ImmStats",
    "CelfStats",
    "InfluencersResult",
    "ValueRow",
    "ValueBaseline",
    "ValueRanking",
    "CustomerValue",
    "JobError",
    "Job",
    "JobList",
    "Accepted",
]


class Model(BaseModel):
    """Base of every answer: camelCase JSON, snake_case attributes, unknown fields kept."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="allow", frozen=True)


def _renamed(data: Any, new: str, *old: str) -> Any:
    """An answer's JSON with a renamed field under both names: ``new`` from the first ``old`` name present when a server
    from before the rename sent only that, and each missing ``old`` name from ``new`` (deprecated aliases: the client
    reads answers of servers before and after the rename alike)."""
    if not isinstance(data, dict):
        return data
    out = dict(data)
    if new not in out:
        for o in old:
            if o in out:
                out[new] = out[o]
                break
    if new in out:
        for o in old:
            out.setdefault(o, out[new])
    return out


# ---------------------------------------------------------------------------------------------- statistics


class Estimate(Model):
    """A Monte Carlo mean with its spread and normal 95% confidence interval."""

    mean: float
    sd: float
    stderr: float
    ci95: CI

    @property
    def lo(self) -> float:
        return self.ci95[0]

    @property
    def hi(self) -> float:
        return self.ci95[1]


class MeanCI(Model):
    """A mean and its 95% confidence interval (a share, a relative change)."""

    mean: float
    ci95: CI


class Quantiles(Model):
    p5: float
    p25: float
    p50: float
    p75: float
    p95: float


class Bin(Model):
    """Histogram bin: ``count`` runs reached from ``from_`` to ``to`` customers (inclusive)."""

    from_: float = Field(alias="from")
    to: float
    count: float


class HistogramOutside(Model):
    """With explicit edges or a fixed width: the runs below the first bin and at/above the last edge."""

    below: int
    above: int


class Distribution(Estimate):
    """The distribution of a count over the runs (reach, negative, positive)."""

    min: float
    max: float
    quantiles: Quantiles
    histogram: list[Bin]
    histogram_outside: HistogramOutside | None = None

    def to_frame(self) -> pd.DataFrame:
        """The histogram: one row per bin, columns ``from``, ``to``, ``count``, ``share``."""
        total = sum(b.count for b in self.histogram) or 1.0
        return _df(
            {
                "from": [b.from_ for b in self.histogram],
                "to": [b.to for b in self.histogram],
                "count": [b.count for b in self.histogram],
                "share": [b.count / total for b in self.histogram],
            }
        )


class Step(Model):
    """Mean number of customers newly reached at ``step``, and reached by then."""

    step: int
    new_mean: float
    cumulative_mean: float
    new_ci95: CI | None = None
    #: 95% CI of ``cumulative_mean`` (a scenario's opinion curves).
    cumulative_ci95: CI | None = None


class TimedStep(Step):
    """A scenario's step, with its time (ISO 8601) when a step duration is known."""

    duration: str | None = None


class Amplifier(Model):
    """A customer (not a seed) and a share of runs: in which it was reached (amplifiers, reach_of) or passed it on
    (voice's passers)."""

    id: str
    frequency: float


class RankedCustomer(Amplifier):
    """A scenario's amplifier or passer, with its label when the graph gives one."""

    label: str | None = None


class Compartment(Model):
    """SIR: mean number of customers in each compartment at the end of ``step``."""

    step: int
    susceptible: float
    infected: float
    recovered: float


class Exceedance(Model):
    """P(reach >= ``at_least``) over the runs, with a 95% Wilson interval."""

    at_least: int
    probability: float
    ci95: CI


class TraceEvent(Model):
    """One transmission of a traced run: ``from_`` (None for a seed or a spontaneous change) reached ``to`` at ``time``."""

    from_: str | None = Field(alias="from")
    to: str
    time: float
    state: str


class Trace(Model):
    """One traced run (``trace=True``): who reached whom, when, into which state."""

    run: int
    reach: int
    events: list[TraceEvent]
    truncated: bool

    def to_frame(self) -> pd.DataFrame:
        return _df([e.model_dump(by_alias=True) for e in self.events], columns=["from", "to", "time", "state"])


class Consensus(Model):
    """Opinion models: share of runs that reached consensus, when, and how often "for" won."""

    share: Estimate
    step: Estimate | None
    for_wins: Estimate | None = None


class FinalShares(Model):
    """Opinion models: final share of customers for and against."""

    for_: Estimate = Field(alias="for")
    against: Estimate


class TimedReach(Model):
    """CTIC: mean customers reached by ``time`` (time units; ``duration`` ISO 8601)."""

    time: float
    duration: str
    mean: float


class Horizon(Model):
    units: float
    duration: str


class TimeToReach(Model):
    """CTIC: share of runs that reached ``target`` customers, and the mean time they took."""

    share: Estimate
    value: Estimate | None
    target: int


def _df(data: Any, columns: list[str] | None = None) -> pd.DataFrame:
    """pd.DataFrame(...) with its type (pandas-stubs' overloads leave it Any for dict/list input)."""
    out: pd.DataFrame = pd.DataFrame(data, columns=columns)
    return out


def _estimate_row(name: str, e: Estimate | MeanCI) -> dict[str, Any]:
    return {"figure": name, "mean": e.mean, "lo": e.ci95[0], "hi": e.ci95[1]}


def _optional_row(name: str, e: Estimate | MeanCI | None) -> dict[str, Any]:
    """A figure that may be absent (an opinion that never spreads): its row with empty numbers."""
    return _estimate_row(name, e) if e is not None else {"figure": name, "mean": None, "lo": None, "hi": None}


def _steps_frame(series: Mapping[str, Sequence[Step] | None]) -> pd.DataFrame:
    """Long form: one row per (series, step) with ``new_mean`` and ``cumulative_mean``, and their 95% CIs
    (``new_lo``/``new_hi``, ``cumulative_lo``/``cumulative_hi``) where the server gives them."""
    rows = [
        {
            "series": name,
            "step": s.step,
            "new_mean": s.new_mean,
            "new_lo": s.new_ci95[0] if s.new_ci95 else None,
            "new_hi": s.new_ci95[1] if s.new_ci95 else None,
            "cumulative_mean": s.cumulative_mean,
            "cumulative_lo": s.cumulative_ci95[0] if s.cumulative_ci95 else None,
            "cumulative_hi": s.cumulative_ci95[1] if s.cumulative_ci95 else None,
        }
        for name, steps in series.items()
        if steps is not None
        for s in steps
    ]
    return _df(rows, columns=["series", "step", "new_mean", "new_lo", "new_hi", "cumulative_mean", "cumulative_lo", "cumulative_hi"])


# ---------------------------------------------------------------------------------------------- graphs


class GraphSource(Model):
    """Where a snapshot graph was read from (``import_graph_from_neo4j``); ``refresh_graph_from_neo4j`` reads it again."""

    #: ``neo4j``.
    type: str
    uri: str | None = None
    database: str | None = None
    node_label: str | None = None
    relationship_type: str | None = None
    nodes_query: str | None = None
    relationships_query: str | None = None
    parameters: dict[str, Any] | None = None
    #: Ripple attribute -> property (label mode) or column (query mode).
    mapping: dict[str, str] | None = None
    directed: bool | None = None
    default_value: float | None = None
    currency: str | None = None
    row_limit: int | None = None
    timeout_seconds: float | None = None
    imported_at: str


class GraphSummary(Model):
    id: str
    name: str
    directed: bool
    version: int
    customers: int
    ties: int
    created_at: str
    updated_at: str
    #: How long one step is (ISO 8601), when the graph says.
    step_duration: str | None = None
    #: The Neo4j source of a snapshot graph, when it is one.
    source: GraphSource | None = None


class GraphList(Model):
    graphs: list[GraphSummary]
    #: Pass as ``cursor`` for the next page; None on the last page.
    next_cursor: str | None = None

    def to_frame(self) -> pd.DataFrame:
        return _df([g.model_dump() for g in self.graphs], columns=list(GraphSummary.model_fields))


class ImportReport(Model):
    format: str
    customers: int
    ties: int
    records: int
    self_loops_dropped: int
    duplicates_merged: int
    warnings: list[str] | None = None


class ImportResult(GraphSummary):
    """A stored graph and what its import did (self-loops dropped, duplicates merged)."""

    report: ImportReport


class Degree(Model):
    in_: int = Field(alias="in")
    out: int
    total: int


class CustomerCentrality(Model):
    metric: str
    score: float
    rank: int
    options: dict[str, Any] | None = None


class Customer(Model):
    graph_id: str
    id: str
    label: str | None = None
    followers: float | None = None
    value: float | None = None
    segment: str | None = None
    activity: float | None = None
    degree: Degree
    centrality: list[CustomerCentrality] | None = None


class CustomerRow(Model):
    """A customer as browsed: ``value`` is the graph's default when ``value_is_default``; ``degree`` counts friends."""

    id: str
    label: str | None
    segment: str | None
    value: float
    value_is_default: bool
    followers: float
    degree: int


class CustomerPage(Model):
    """One page of ``GET /graphs/:id/customers``."""

    graph_id: str
    graph_version: int
    customers: list[CustomerRow]
    total: int
    next_cursor: str | None = None

    def to_frame(self) -> pd.DataFrame:
        return _df([c.model_dump() for c in self.customers], columns=list(CustomerRow.model_fields))


class NeighbourhoodCustomer(CustomerRow):
    depth: int


class NeighbourhoodTie(Model):
    source: str
    target: str


class Neighbourhood(Model):
    """A customer (depth 0), its friends (1) and optionally theirs (2), with the ties among them."""

    graph_id: str
    graph_version: int
    center: str
    customers: list[NeighbourhoodCustomer]
    ties: list[NeighbourhoodTie]
    truncated: bool

    def to_frame(self) -> pd.DataFrame:
        return _df([c.model_dump() for c in self.customers], columns=list(NeighbourhoodCustomer.model_fields))


class DegreeStats(Model):
    min: float
    max: float
    mean: float
    median: float


class DegreeSummary(Model):
    in_: DegreeStats = Field(alias="in")
    out: DegreeStats
    total: DegreeStats


class Components(Model):
    count: int
    largest: int


class GraphInfo(Model):
    id: str
    name: str
    version: int
    customers: int
    ties: int
    arcs: int
    directed: bool
    degree: DegreeSummary
    isolated: int
    components: Components
    density: float


class Health(Model):
    status: str


class Ready(Model):
    status: str
    store: str


# ---------------------------------------------------------------------------------------------- simulations


class SimulationResult(Model):
    """Monte Carlo answer of ``simulate`` (DESIGN §4); voice adds negative/positive, SIR adds compartments."""

    graph_id: str
    graph_version: int
    model: str
    runs: int
    seed: int
    elapsed_ms: float
    probability: str | None = None
    seeds: list[str]
    stopped_by: str
    reach: Distribution
    steps: list[Step]
    amplifiers: list[Amplifier]
    arcs_examined: float
    #: Mean customers per compartment after each step; columns depend on the model (SIR: susceptible, infected,
    #: recovered; SEIR adds exposed; opinion models: for/against; hk: against, for, meanOpinion).
    compartments: list[dict[str, float]] | None = None
    #: The 95% interval of each mean of ``compartments``, step by step: ``{"step": 0, "infected": [lo, hi], …}``.
    compartments_ci95: list[dict[str, Any]] | None = None
    negative: Distribution | None = None
    positive: Distribution | None = None
    negative_steps: list[Step] | None = None
    positive_steps: list[Step] | None = None
    #: Voice: who passed it on (share of runs in which each customer reached someone not reached before).
    passers: list[Amplifier] | None = None
    exceedance: list[Exceedance] | None = None
    trace: Trace | None = None
    consensus: Consensus | None = None
    final_shares: FinalShares | None = None
    final_mean_opinion: Estimate | None = None
    time_unit: str | None = None
    horizon: Horizon | None = None
    reach_by_time: list[TimedReach] | None = None
    within_horizon: Distribution | None = None
    exceedance_within_horizon: list[Exceedance] | None = None
    time_to_reach: TimeToReach | None = None
    #: With ``samples=True``: every run's values in run order, ``reach`` and the model's per-run outputs by name.
    samples: dict[str, list[float | None]] | None = None

    def to_frame(self) -> pd.DataFrame:
        """Step curves, long form: ``series`` (reach, negative, positive), ``step``, ``new_mean``, ``cumulative_mean``."""
        return _steps_frame({"reach": self.steps, "negative": self.negative_steps, "positive": self.positive_steps})

    def compartments_frame(self) -> pd.DataFrame:
        """Compartments per step, one column per compartment (empty for models without them)."""
        rows = self.compartments or []
        if not rows:
            return _df([], columns=["step"])
        return _df([dict(r) for r in rows])

    def exceedance_frame(self) -> pd.DataFrame:
        """P(reach >= N) with its interval: columns ``at_least``, ``probability``, ``lo``, ``hi``."""
        return _df(
            [{"at_least": e.at_least, "probability": e.probability, "lo": e.ci95[0], "hi": e.ci95[1]} for e in self.exceedance or []],
            columns=["at_least", "probability", "lo", "hi"],
        )

    def reach_by_time_frame(self) -> pd.DataFrame:
        """CTIC: mean reach by time (``time`` in units, ``duration``, ``mean``)."""
        return _df([r.model_dump() for r in self.reach_by_time or []], columns=["time", "duration", "mean"])

    def amplifiers_frame(self) -> pd.DataFrame:
        return _df([a.model_dump() for a in self.amplifiers], columns=["id", "frequency"])


# ---------------------------------------------------------------------------------------------- scenarios


class Response(Model):
    at_step: int
    effectiveness: float
    public: bool
    #: With a step duration: the time asked for, or the time of ``at_step``.
    at: str | None = None


class Impact(Model):
    churn_if_negative: float
    uplift_if_positive: float
    currency: str


class _Assumptions(Model):
    model: str
    experience: str
    #: Last step simulated.
    max_steps: int
    #: Deprecated: the old name of ``max_steps`` (same value).
    horizon: int
    probability: str
    p: float
    #: How activity acted: ``per-arc`` or ``gate`` (servers before it: per-arc).
    activity: str = "per-arc"
    negativity_bias: float
    response: Response | None
    impact: Impact
    runs: int | None
    precision: float | None
    max_runs: int
    seed: int
    amplifiers: int
    step_duration: str | None
    reach_of: list[str]


class ScenarioAssumptions(_Assumptions):
    """Every input of a scenario report, defaults included."""

    customers: list[str]


class RiskiestAssumptions(_Assumptions):
    """The inputs of a riskiest ranking: the scenario's, and the RR sets that picked the candidates."""

    rr_sets: int | None


class OpinionPeak(Model):
    """The step >= 1 at which one opinion's mean curve newly reaches the most customers."""

    step: int
    new_mean: float
    duration: str | None = None


class Times(Model):
    """A mean and its 95% interval in steps, as times after the customer spoke (ISO 8601), with a step duration."""

    mean: str
    ci95: tuple[str, str]


class TimeToPeak(Estimate):
    mean_curve_peak: int
    negative: OpinionPeak | None
    positive: OpinionPeak | None
    duration: Times | None = None


class OpinionTimeToPeak(Estimate):
    """One opinion's time to peak per run (the step >= 1 at which it newly reaches the most customers), mean and 95% CI
    over the ``runs`` runs in which that opinion reaches someone after step 0."""

    runs: int
    duration: Times | None = None


class LastStep(Model):
    """The horizon step and the customers newly reached in it (non-zero: the spread was cut short)."""

    step: int
    new_mean: float
    share_of_reach: float
    duration: str | None = None


class Money(Model):
    currency: str
    at_risk: Estimate
    earned: Estimate
    net: Estimate


class ValueExposed(Estimate):
    graph_value: float
    share: MeanCI


class _ReportBody(Model):
    model: str
    runs: int
    seed: int
    elapsed_ms: float
    probability: str
    seeds: list[str]
    customers: list[str]
    experience: str
    stopped_by: str
    reach: Distribution
    negative: Distribution
    positive: Distribution
    steps: list[TimedStep]
    negative_steps: list[TimedStep]
    positive_steps: list[TimedStep]
    amplifiers: list[RankedCustomer]
    #: Who passed it on: the share of runs in which each customer reached someone not reached before.
    passers: list[RankedCustomer]
    arcs_examined: float
    impressions: Estimate
    time_to_peak: TimeToPeak
    #: Each opinion's time to peak per run, over the runs in which it spreads; None when it never does.
    negative_time_to_peak: OpinionTimeToPeak | None
    positive_time_to_peak: OpinionTimeToPeak | None
    money: Money
    value_exposed: ValueExposed
    #: The graph gives no customer values: money is per customer, not in a currency.
    values_are_defaults: bool
    #: Still spreading at the horizon (see ``last_step``).
    truncated_by_horizon: bool
    last_step: LastStep
    #: Plain sentences with rounded figures and their 95% ranges.
    summary: str
    #: How long one step is (ISO 8601); None: time in steps.
    step_duration: str | None
    #: How often each customer of the request's ``reach_of`` was reached.
    reach_of: list[Amplifier]
    assumptions: ScenarioAssumptions

    def figures(self) -> list[dict[str, Any]]:
        return [
            _estimate_row("reach", self.reach),
            _estimate_row("negative", self.negative),
            _estimate_row("positive", self.positive),
            _estimate_row("impressions", self.impressions),
            _estimate_row("time_to_peak", self.time_to_peak),
            _optional_row("negative_time_to_peak", self.negative_time_to_peak),
            _optional_row("positive_time_to_peak", self.positive_time_to_peak),
            _estimate_row("value_exposed", self.value_exposed),
            _estimate_row("at_risk", self.money.at_risk),
            _estimate_row("earned", self.money.earned),
            _estimate_row("net", self.money.net),
        ]

    def to_frame(self) -> pd.DataFrame:
        """One row per figure (reach, negative, positive, impressions, time_to_peak, negative_time_to_peak,
        positive_time_to_peak, value_exposed, at_risk, earned, net) with ``mean``, ``lo``, ``hi`` (95% CI; empty for an
        opinion's time to peak when that opinion never spreads)."""
        return _df(self.figures(), columns=["figure", "mean", "lo", "hi"])

    def steps_frame(self) -> pd.DataFrame:
        """Per-step curves, long form (series reach, negative, positive)."""
        return _steps_frame({"reach": self.steps, "negative": self.negative_steps, "positive": self.positive_steps})

    def passers_frame(self) -> pd.DataFrame:
        """Who passed it on: ``id``, ``label``, ``passed_on`` (share of runs in which the customer reached someone not
        reached before) and ``reached`` (share of runs in which it was reached, when it is among the amplifiers)."""
        reached = {a.id: a.frequency for a in self.amplifiers}
        rows = [{"id": p.id, "label": p.label, "passed_on": p.frequency, "reached": reached.get(p.id)} for p in self.passers]
        return _df(rows, columns=["id", "label", "passed_on", "reached"])


class ScenarioReport(_ReportBody):
    """What one complaint (or praise) does: reach, impressions, time to peak and money, each with a 95% CI."""

    graph_id: str
    graph_version: int


class VariantReport(_ReportBody):
    name: str


class Difference(Estimate):
    """A paired difference ``to - from`` and the relative change (null when the base mean is 0)."""

    relative: MeanCI | None


class PeakDifference(Difference):
    """A paired difference of one opinion's time to peak, over the ``runs`` runs in which it spreads in both variants."""

    runs: int


class JudgedDifference(Difference):
    """A difference with its reading: ``improvement``, ``worsening`` or ``no clear difference``."""

    change: str


class MoneyDifference(Model):
    at_risk: JudgedDifference
    earned: JudgedDifference
    net: JudgedDifference


class ScenarioDifference(Model):
    from_: str = Field(alias="from")
    to: str
    reach: Difference
    negative: JudgedDifference
    positive: Difference
    impressions: Difference
    time_to_peak: Difference
    #: Each opinion's time to peak, paired over the runs in which it spreads in both variants; None if there are none.
    negative_time_to_peak: PeakDifference | None
    positive_time_to_peak: PeakDifference | None
    value_exposed: Difference
    money: MoneyDifference

    def rows(self) -> list[dict[str, Any]]:
        figures: list[tuple[str, Difference | None]] = [
            ("reach", self.reach),
            ("negative", self.negative),
            ("positive", self.positive),
            ("impressions", self.impressions),
            ("time_to_peak", self.time_to_peak),
            ("negative_time_to_peak", self.negative_time_to_peak),
            ("positive_time_to_peak", self.positive_time_to_peak),
            ("value_exposed", self.value_exposed),
            ("at_risk", self.money.at_risk),
            ("earned", self.money.earned),
            ("net", self.money.net),
        ]
        return [
            {
                "from": self.from_,
                "to": self.to,
                "figure": name,
                "mean": d.mean if d is not None else None,
                "lo": d.ci95[0] if d is not None else None,
                "hi": d.ci95[1] if d is not None else None,
                "relative": d.relative.mean if d is not None and d.relative else None,
                "relative_lo": d.relative.ci95[0] if d is not None and d.relative else None,
                "relative_hi": d.relative.ci95[1] if d is not None and d.relative else None,
            }
            for name, d in figures
        ]


class CompareResult(Model):
    """Compare mode: several variants on the same random streams, and their paired differences."""

    graph_id: str
    graph_version: int
    runs: int
    seed: int
    variants: list[VariantReport]
    differences: list[ScenarioDifference]
    #: Each variant against the first, in plain sentences.
    summary: str
    elapsed_ms: float

    def variant(self, name: str) -> VariantReport:
        for v in self.variants:
            if v.name == name:
                return v
        raise KeyError(f"no variant {name!r} (have {[v.name for v in self.variants]})")

    def to_frame(self) -> pd.DataFrame:
        """Long form: ``variant``, ``figure``, ``mean``, ``lo``, ``hi``."""
        rows = [{"variant": v.name, **f} for v in self.variants for f in v.figures()]
        return _df(rows, columns=["variant", "figure", "mean", "lo", "hi"])

    def differences_frame(self) -> pd.DataFrame:
        """Paired differences, long form: ``from``, ``to``, ``figure``, ``mean``, ``lo``, ``hi``, ``relative``…"""
        cols = ["from", "to", "figure", "mean", "lo", "hi", "relative", "relative_lo", "relative_hi"]
        return _df([r for d in self.differences for r in d.rows()], columns=cols)

    def steps_frame(self) -> pd.DataFrame:
        """Per-step curves of every variant: ``variant``, ``series``, ``step``, ``new_mean``, ``cumulative_mean``."""
        frames = [v.steps_frame().assign(variant=v.name) for v in self.variants]
        df = pd.concat(frames, ignore_index=True)
        out: pd.DataFrame = df[["variant", "series", "step", "new_mean", "cumulative_mean"]]
        return out


class RiskyMoney(Model):
    at_risk: MeanCI
    earned: MeanCI
    net: MeanCI


class RiskyCustomer(Model):
    rank: int
    id: str
    own_value: float
    #: The value-weighted reach (expected value of the others its voice reaches) that, with its own value, picked the
    #: candidate, with its 95% CI (None for given candidates).
    value_weighted_reach: MeanCI | None
    #: Deprecated: the old names of ``value_weighted_reach`` (its mean, and the same object).
    network_value: float | None
    network: MeanCI | None
    reach: MeanCI
    negative: MeanCI
    impressions: MeanCI
    money: RiskyMoney

    @model_validator(mode="before")
    @classmethod
    def _both_names(cls, data: Any) -> Any:
        out = _renamed(data, "valueWeightedReach", "network")
        if isinstance(out, dict) and "networkValue" not in out:
            reach = out.get("valueWeightedReach")
            out["networkValue"] = reach.get("mean") if isinstance(reach, dict) else None
        return out


class RiskiestResult(Model):
    """Whose complaint would hurt most: candidates ranked by money at risk."""

    graph_id: str
    graph_version: int
    candidates: str
    currency: str
    runs: int
    seed: int
    #: The candidates, most money at risk first.
    top: list[RiskyCustomer]
    #: Deprecated: the old name of ``top`` (the same list).
    ranked: list[RiskyCustomer]
    assumptions: RiskiestAssumptions
    elapsed_ms: float

    def to_frame(self) -> pd.DataFrame:
        rows = [
            {
                "rank": r.rank,
                "id": r.id,
                "own_value": r.own_value,
                "value_weighted_reach": r.value_weighted_reach.mean if r.value_weighted_reach else None,
                "network_value": r.network_value,
                "at_risk": r.money.at_risk.mean,
                "at_risk_lo": r.money.at_risk.ci95[0],
                "at_risk_hi": r.money.at_risk.ci95[1],
                "negative": r.negative.mean,
                "impressions": r.impressions.mean,
                "reach": r.reach.mean,
            }
            for r in self.top
        ]
        return _df(rows)


# ---------------------------------------------------------------------------------------------- influence


class Ranked(Model):
    id: str
    score: float
    rank: int
    #: Sampled betweenness: the standard error of the score.
    stderr: float | None = None


class CentralitySample(Model):
    k: int
    seed: int


class CentralityResult(Model):
    graph_id: str
    graph_version: int
    version: int
    metric: str
    customers: int
    top: list[Ranked]
    iterations: int | None = None
    converged: bool | None = None
    residual: float | None = None
    tolerance: float | None = None
    convergence: str | None = None
    sample: CentralitySample | None = None
    modularity: float | None = None
    communities: int | None = None
    options: dict[str, Any]
    engine: str | None = None
    cached: bool
    elapsed_ms: float

    def to_frame(self) -> pd.DataFrame:
        """``id``, ``score``, ``rank``, best first."""
        return _df([r.model_dump() for r in self.top], columns=["id", "score", "rank"])


class InfluencerSeed(Model):
    id: str
    gain: float
    gain_ci95: tuple[float, float]
    score: float | None = None


class EvaluationInfo(Model):
    rr_sets: int = Field(alias="rrSets")


class CandidateDifference(Model):
    mean: float
    ci95: tuple[float, float]


class ComparisonCandidate(Model):
    method: str
    estimate: float
    ci95: tuple[float, float]
    difference_to_winner: CandidateDifference


class Comparison(Model):
    rr_sets: int = Field(alias="rrSets")
    winner: str
    candidates: list[ComparisonCandidate]


class ImmStats(Model):
    epsilon: float
    ell: float
    ell_adjusted: float
    theta: float
    sampling_rr_sets: float = Field(alias="samplingRRSets")
    lower_bound: float
    capped: bool
    selection_estimate: float


class CelfStats(Model):
    runs: float
    evaluations: float
    selection_estimate: float


class InfluencersResult(Model):
    """k seeds, their marginal gains, and the spread re-estimated by Monte Carlo on the chosen set."""

    graph_id: str
    graph_version: int
    method: str
    model: str
    probability: str
    p: float
    #: How activity acted in the RR sets, CELF's worlds and the spread's runs: ``per-arc`` or ``gate``.
    activity: str = "per-arc"
    k: int
    seed: int
    picked_by: str
    seeds: list[InfluencerSeed]
    spread: Distribution
    runs: int
    estimated_spread: float
    estimated_spread_ci95: tuple[float, float]
    evaluation: EvaluationInfo
    comparison: Comparison | None = None
    elapsed_ms: float
    selection_ms: float
    imm: ImmStats | None = None
    celf: CelfStats | None = None
    warnings: list[str] | None = None

    def to_frame(self) -> pd.DataFrame:
        """One row per seed in pick order: ``order``, ``id``, ``gain``, ``cumulative_gain``, ``score``."""
        rows = []
        total = 0.0
        for i, s in enumerate(self.seeds, start=1):
            total += s.gain
            rows.append({"order": i, "id": s.id, "gain": s.gain, "cumulative_gain": total, "score": s.score})
        return _df(rows, columns=["order", "id", "gain", "cumulative_gain", "score"])


class ValueRow(Model):
    rank: int
    id: str
    own_value: float
    #: The value-weighted reach of its voice with its 95% CI: the expected value of the other customers it reaches,
    #: whether or not they would have been reached anyway.
    value_weighted_reach: MeanCI
    #: Deprecated: the old names of ``value_weighted_reach`` (its mean, its interval, the same object).
    network_value: float
    network_ci95: CI
    network: MeanCI
    total_value: float
    #: own_value + value_weighted_reach, with its 95% CI.
    total: MeanCI
    #: With a baseline: the expected value reached with this customer minus without (Domingos & Richardson's reading).
    incremental: MeanCI | None = None

    @model_validator(mode="before")
    @classmethod
    def _both_names(cls, data: Any) -> Any:
        out = _renamed(data, "valueWeightedReach", "network")
        if isinstance(out, dict) and isinstance(out.get("valueWeightedReach"), dict):
            reach = out["valueWeightedReach"]
            out.setdefault("networkValue", reach.get("mean"))
            out.setdefault("networkCi95", reach.get("ci95"))
        return out


class ValueBaseline(Model):
    """The organic adopters incremental values are measured against: ids named, and a share adopting on their own."""

    customers: int
    share: float


class ValueRanking(Model):
    """Customers ranked by own + network value (Domingos & Richardson 2001), from reverse-reachable sets."""

    graph_id: str
    graph_version: int
    model: str
    probability: str
    p: float
    activity: str
    by: str
    seed: int
    rr_sets: int
    graph_value: float
    baseline: ValueBaseline | None = None
    top: list[ValueRow]
    elapsed_ms: float

    def to_frame(self) -> pd.DataFrame:
        rows = [
            {
                "rank": r.rank,
                "id": r.id,
                "own_value": r.own_value,
                # network_*: the deprecated names of value_weighted_reach*, kept for this release
                "network_value": r.network_value,
                "network_lo": r.network_ci95[0],
                "network_hi": r.network_ci95[1],
                "total_value": r.total_value,
                "incremental": r.incremental.mean if r.incremental else None,
                "value_weighted_reach": r.value_weighted_reach.mean,
                "value_weighted_reach_lo": r.value_weighted_reach.ci95[0],
                "value_weighted_reach_hi": r.value_weighted_reach.ci95[1],
            }
            for r in self.top
        ]
        cols = [
            "rank", "id", "own_value", "network_value", "network_lo", "network_hi", "total_value", "incremental",
            "value_weighted_reach", "value_weighted_reach_lo", "value_weighted_reach_hi",
        ]
        return _df(rows, columns=cols)


class CustomerValue(Model):
    graph_id: str
    graph_version: int
    id: str
    model: str
    probability: str
    p: float
    activity: str
    runs: int
    seed: int
    own_value: float
    #: The value-weighted reach of its voice: expected value of the other customers reached, with its 95% CI.
    value_weighted_reach: Estimate
    #: Deprecated: the old name of ``value_weighted_reach`` (the same estimate).
    network: Estimate
    #: own_value + value_weighted_reach.
    total: Estimate
    #: Deprecated: older names of ``value_weighted_reach`` and ``total`` (the same estimates).
    network_value: Estimate
    total_value: Estimate
    #: With ``baseline`` / ``baseline_share``: the organic adopters, the incremental value (with minus without, 95% CI;
    #: the ranking's figure for the same request) and the RR sets behind it.
    baseline: ValueBaseline | None = None
    incremental: MeanCI | None = None
    rr_sets: int | None = None
    reach: Distribution
    elapsed_ms: float

    @model_validator(mode="before")
    @classmethod
    def _both_names(cls, data: Any) -> Any:
        return _renamed(data, "valueWeightedReach", "network", "networkValue")

    def to_frame(self) -> pd.DataFrame:
        """One row per figure: own_value, network_value (the deprecated name of value_weighted_reach, kept for this
        release), total_value, reach, value_weighted_reach and, with a baseline, incremental_value — as the CSV table."""
        rows = [
            {"figure": "own_value", "mean": self.own_value, "lo": self.own_value, "hi": self.own_value},
            _estimate_row("network_value", self.value_weighted_reach),
            _estimate_row("total_value", self.total),
            _estimate_row("reach", self.reach),
            _estimate_row("value_weighted_reach", self.value_weighted_reach),
        ]
        if self.incremental is not None:
            rows.append(_estimate_row("incremental_value", self.incremental))
        return _df(rows)


# ---------------------------------------------------------------------------------------------- jobs


class JobError(Model):
    status: int
    code: str
    detail: str


class Job(Model):
    """Long work: state, progress 0..1, ETA, and the result once succeeded (same body as the sync answer)."""

    id: str
    kind: str
    graph_id: str | None = None
    state: str
    progress: float
    eta_ms: float | None
    created_at: str
    started_at: str | None
    finished_at: str | None
    queue_position: int | None = None
    info: dict[str, Any] | None = None
    result: Any = None
    error: JobError | None = None

    @property
    def done(self) -> bool:
        return self.state in ("succeeded", "failed", "cancelled")


class JobList(Model):
    jobs: list[Job]
    #: Pass as ``cursor`` for the next page; None on the last page.
    next_cursor: str | None = None

    def to_frame(self) -> pd.DataFrame:
        cols = ["id", "kind", "graph_id", "state", "progress", "eta_ms", "created_at", "started_at", "finished_at"]
        return _df([{c: getattr(j, c) for c in cols} for j in self.jobs], columns=cols)


class Accepted(Model):
    """A 202: the work became a job."""

    job: Job
    work: float
    budget: float
