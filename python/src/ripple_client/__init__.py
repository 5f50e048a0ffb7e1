"""Ripple from Python: cascade simulation, influence and brand impact on customer social graphs.

    import ripple_client
    r = ripple_client.local(demo=True)          # or ripple_client.Ripple("http://host:3000", api_key=...)
    g = r.list_graphs().graphs[0]
    report = r.run_scenario(g.id, customer="c0006", response={"at_step": 0, "effectiveness": 0.6, "public": True})
    report.to_frame()                            # figure, mean, lo, hi
"""

from ._client import Ripple
from ._local import LocalRipple, LocalServer, local, server_command
from ._models import *  # noqa: F403
from ._models import __all__ as _models_all
from ._specs import CustomerNumber, CustomerSpec, HistogramSpec, ImpactSpec, Neo4jMapping, ResponseSpec, TieSpec, VariantSpec
from .errors import JobCancelled, JobFailed, RippleError

__version__ = "0.1.0"

__all__ = [
    "Ripple",
    "local",
    "LocalRipple",
    "LocalServer",
    "server_command",
    "RippleError",
    "JobFailed",
    "JobCancelled",
    "HistogramSpec",
    "ResponseSpec",
    "ImpactSpec",
    "VariantSpec",
    "TieSpec",
    "CustomerNumber",
    "CustomerSpec",
    "Neo4jMapping",
    *_models_all,
]
