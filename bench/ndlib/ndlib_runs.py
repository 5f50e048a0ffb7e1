"""NDlib side of Ripple's cross-check and benchmark (bench/ndlib-compare.ts drives it).

Reads a JSON list of jobs from the file named by argv[1] (one Python start-up for all of them), each
  {"edges": "path/to/edgelist", "directed": false, "model": "sis", "params": {...}, "seeds": ["0", "5"],
   "runs": 200, "iterations": 30, "sample_every": 1, "seed": 7}
and prints one JSON list, one document per job: per status, the mean and sd over runs of NDlib's node_count after each
sampled iteration, plus the wall time per run (model construction + iterations: what an NDlib user pays) and the
process CPU time per run (the steadier figure on a shared machine).

Each run builds a fresh NDlib model (NDlib keeps state in the model object) with seed = job seed + run.
Ripple's model ids map to NDlib classes and parameter names; where NDlib's code reads a parameter the other
way round (Profile: adopts when a uniform draw is >= profile, i.e. with probability 1 - profile) the caller
passes NDlib's value and says so in the report. Never a runtime dependency of Ripple: it runs in a scratch
virtual environment (.venvs/ndlib).
"""

import json
import random
import sys
import time
import warnings

import networkx as nx
import numpy as np
import ndlib.models.ModelConfig as mc
import ndlib.models.epidemics as ep
import ndlib.models.opinions as op

warnings.filterwarnings("ignore")

CLASSES = {
    "ic": (ep.IndependentCascadesModel, {"Susceptible": 0, "Infected": 1, "Removed": 2}),
    "si": (ep.SIModel, {"Susceptible": 0, "Infected": 1}),
    "sis": (ep.SISModel, {"Susceptible": 0, "Infected": 1}),
    "sir": (ep.SIRModel, {"Susceptible": 0, "Infected": 1, "Removed": 2}),
    "seir": (ep.SEIRModel, {"Susceptible": 0, "Exposed": 2, "Infected": 1, "Removed": 3}),
    "seis": (ep.SEISModel, {"Susceptible": 0, "Exposed": 2, "Infected": 1}),
    "swir": (ep.SWIRModel, {"Susceptible": 0, "Infected": 1, "Weakened": 2, "Removed": 3}),
    "threshold": (ep.ThresholdModel, {"Susceptible": 0, "Infected": 1}),
    "kertesz": (ep.KerteszThresholdModel, {"Susceptible": 0, "Infected": 1, "Blocked": -1}),
    "profile": (ep.ProfileModel, {"Susceptible": 0, "Infected": 1, "Blocked": -1}),
    "profile-threshold": (ep.ProfileThresholdModel, {"Susceptible": 0, "Infected": 1, "Blocked": -1}),
    "voter": (op.VoterModel, {"Susceptible": 0, "Infected": 1}),
    "qvoter": (op.QVoterModel, {"Susceptible": 0, "Infected": 1}),
    "majority": (op.MajorityRuleModel, {"Susceptible": 0, "Infected": 1}),
    "sznajd": (op.SznajdModel, {"Susceptible": 0, "Infected": 1}),
    "hk": (op.HKModel, {}),
}

NODE_PARAMS = {"threshold", "profile"}
EDGE_PARAMS = {"edge_threshold"}


def read_graph(path, directed):
    g = nx.DiGraph() if directed else nx.Graph()
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split()
            if parts[0] != parts[1]:
                g.add_edge(parts[0], parts[1])
    return g


def one_run(g, job, r):
    cls, _ = CLASSES[job["model"]]
    try:
        model = cls(g, seed=job["seed"] + r)
    except TypeError:  # HKModel (6.0.x) takes no seed, and draws its opinions from `random`
        np.random.seed(job["seed"] + r)
        random.seed(job["seed"] + r)
        model = cls(g)
    cfg = mc.Configuration()
    for k, v in job["params"].items():
        if k in NODE_PARAMS:
            for n in g.nodes():
                cfg.add_node_configuration(k, n, v)
        elif k in EDGE_PARAMS:
            for e in g.edges():
                cfg.add_edge_configuration("threshold", e, v)
        else:
            cfg.add_model_parameter(k, v)
    cfg.add_model_initial_configuration("Infected", list(job["seeds"]))
    if job.get("blocked_nodes"):
        cfg.add_model_initial_configuration("Blocked", list(job["blocked_nodes"]))
    model.set_initial_status(cfg)
    its = model.iteration_bunch(job["iterations"] + 1, node_status=job["model"] == "hk")
    return its


def run_job(job):
    g = read_graph(job["edges"], job.get("directed", False))
    _, statuses = CLASSES[job["model"]]
    every = job.get("sample_every", 1)
    samples = list(range(0, job["iterations"] + 1, every))
    values = {s: [[] for _ in samples] for s in statuses}
    hk_mean = [[] for _ in samples]
    times = []
    cpu = []
    for r in range(job["runs"]):
        t0 = time.perf_counter()
        c0 = time.process_time()
        its = one_run(g, job, r)
        cpu.append((time.process_time() - c0) * 1000)
        times.append((time.perf_counter() - t0) * 1000)
        if job["model"] == "hk":
            status = {}
            for i, it in enumerate(its):
                status.update(it["status"])
                if i % every == 0 and i // every < len(samples):
                    hk_mean[i // every].append(sum(status.values()) / len(status))
            continue
        for j, i in enumerate(samples):
            counts = its[i]["node_count"]
            for s, code in statuses.items():
                values[s][j].append(counts.get(code, 0))

    def stats(xs):
        n = len(xs)
        m = sum(xs) / n
        v = sum((x - m) ** 2 for x in xs) / max(1, n - 1)
        return m, v ** 0.5

    out = {"samples": samples, "runs": job["runs"], "msPerRun": sum(times) / len(times), "cpuMsPerRun": sum(cpu) / len(cpu), "curves": {}}
    if job["model"] == "hk":
        out["curves"]["meanOpinion"] = [dict(zip(("mean", "sd"), stats(x))) for x in hk_mean]
    else:
        for s in statuses:
            out["curves"][s] = [dict(zip(("mean", "sd"), stats(x))) for x in values[s]]
    return out


def main():
    jobs = json.load(open(sys.argv[1]))
    results = []
    for job in jobs:
        results.append(run_job(job))
        print("ndlib: %s on %s done (%.1f ms/run)" % (job["model"], job["edges"].split("/")[-1], results[-1]["msPerRun"]), file=sys.stderr, flush=True)
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
