"""The Python peers of `npm run bench:peers` (bench/peers.ts drives it): networkx, NDlib, CyNetDiff and igraph on
the graphs Ripple runs, with the same parameters, in a scratch virtual environment (.venvs/peers; never a
dependency of Ripple).

argv[1] is a JSON file:
  {"graphs": {"NAME": {"file": "edges.txt", "n": 4039}},   # "u v" lines, 0-based Ripple indices, u < v, undirected
   "tasks": [{"id": "...", "peer": "igraph", "graph": "NAME", "kind": "pagerank", "params": {...}, "reps": 3}]}
kinds: ic / lt (params: seeds, p (ic), runs, seed) -> mean, sd and ms per run of the reach (seeds included);
pagerank (alpha, tol), betweenness, closeness -> scores in Ripple's index order and the median ms of `reps` calls;
spread (seeds, p, runs, seed; CyNetDiff) -> the Monte Carlo reach of a given seed set.
Prints one JSON list (one document per task, in order) on stdout; progress on stderr.

What is timed is the call a user of each library makes on a graph already in its own structure (building the
structure is not timed, as Ripple's compile is not): networkx/igraph/CyNetDiff one call; NDlib per run a reset and
the iterations until nobody is infected any more (its model built and configured once, untimed, which favours NDlib).
"""

import array
import json
import statistics
import sys
import time
import warnings

warnings.filterwarnings("ignore")


def log(msg):
    print("peers: " + msg, file=sys.stderr, flush=True)


def read_edges(path):
    edges = []
    with open(path) as f:
        for line in f:
            a, b = line.split()
            edges.append((int(a), int(b)))
    return edges


class Graphs:
    """Each peer's own structure of each graph, built once (not timed)."""

    def __init__(self, spec):
        self.spec = spec
        self.cache = {}

    def edges(self, name):
        key = ("edges", name)
        if key not in self.cache:
            self.cache[key] = read_edges(self.spec[name]["file"])
        return self.cache[key]

    def nx(self, name):
        key = ("nx", name)
        if key not in self.cache:
            import networkx as nx

            g = nx.Graph()
            g.add_nodes_from(range(self.spec[name]["n"]))
            g.add_edges_from(self.edges(name))
            self.cache[key] = g
        return self.cache[key]

    def igraph(self, name):
        key = ("igraph", name)
        if key not in self.cache:
            import igraph as ig

            self.cache[key] = ig.Graph(n=self.spec[name]["n"], edges=self.edges(name), directed=False)
        return self.cache[key]

    def csr(self, name):
        """Both directions of every tie, out-neighbours in ascending order (CyNetDiff's starts/edges)."""
        key = ("csr", name)
        if key not in self.cache:
            n = self.spec[name]["n"]
            adj = [[] for _ in range(n)]
            for a, b in self.edges(name):
                adj[a].append(b)
                adj[b].append(a)
            starts = array.array("I")
            targets = array.array("I")
            for u in range(n):
                starts.append(len(targets))
                targets.extend(sorted(adj[u]))
            self.cache[key] = (starts, targets)
        return self.cache[key]


def timed(f, reps):
    times = []
    out = None
    for _ in range(reps):
        t0 = time.perf_counter()
        out = f()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), out


def mc_stats(values, total_ms):
    n = len(values)
    mean = sum(values) / n
    sd = (sum((x - mean) ** 2 for x in values) / max(1, n - 1)) ** 0.5
    return {"mean": mean, "sd": sd, "runs": n, "msPerRun": total_ms / n}


def cynetdiff_mc(graphs, task, lt=False):
    from cynetdiff.models import IndependentCascadeModel, LinearThresholdModel

    starts, targets = graphs.csr(task["graph"])
    p = task["params"]
    if lt:
        model = LinearThresholdModel(starts, targets, rng=p["seed"])  # influence 1/in-degree = weighted cascade
    elif p.get("weightedCascade"):
        # p(u -> v) = 1 / deg(v): Ripple's weighted cascade on an unweighted undirected graph
        n = len(starts)
        deg = [(starts[u + 1] if u + 1 < n else len(targets)) - starts[u] for u in range(n)]
        probs = array.array("f", (1.0 / deg[v] for v in targets))
        model = IndependentCascadeModel(starts, targets, activation_probs=probs, rng=p["seed"])
    else:
        model = IndependentCascadeModel(starts, targets, activation_prob=p["p"], rng=p["seed"])
    model.set_seeds(p["seeds"])
    values = []
    # a short untimed warm-up, as Ripple gets one
    for _ in range(min(10, p["runs"])):
        model.reset_model()
        model.advance_until_completion()
    t0 = time.perf_counter()
    for _ in range(p["runs"]):
        model.reset_model()
        model.advance_until_completion()
        values.append(model.get_num_activated_nodes())
    return mc_stats(values, (time.perf_counter() - t0) * 1000)


def ndlib_ic(graphs, task):
    import ndlib.models.ModelConfig as mc
    import ndlib.models.epidemics as ep

    g = graphs.nx(task["graph"])
    p = task["params"]
    model = ep.IndependentCascadesModel(g, seed=p["seed"])
    cfg = mc.Configuration()
    for e in g.edges():
        cfg.add_edge_configuration("threshold", e, p["p"])
    cfg.add_model_initial_configuration("Infected", list(p["seeds"]))
    model.set_initial_status(cfg)
    values = []
    total = 0.0
    for _ in range(p["runs"]):
        t0 = time.perf_counter()
        model.reset(list(p["seeds"]))
        while True:
            it = model.iteration()
            if it["iteration"] > 0 and it["node_count"].get(1, 0) == 0:
                break
        total += (time.perf_counter() - t0) * 1000
        counts = it["node_count"]
        values.append(counts.get(1, 0) + counts.get(2, 0))
    return mc_stats(values, total)


def centrality(graphs, task):
    peer, kind, name, reps = task["peer"], task["kind"], task["graph"], task.get("reps", 1)
    prm = task.get("params", {})
    n = graphs.spec[name]["n"]
    if peer == "networkx":
        import networkx as nx

        g = graphs.nx(name)
        if kind == "pagerank":
            f = lambda: nx.pagerank(g, alpha=prm.get("alpha", 0.85), tol=prm["tol"], max_iter=100000)
        elif kind == "betweenness":
            f = lambda: nx.betweenness_centrality(g)
        elif kind == "closeness":
            f = lambda: nx.closeness_centrality(g)
        ms, d = timed(f, reps)
        return {"ms": ms, "scores": [d[i] for i in range(n)], "version": nx.__version__}
    if peer == "igraph":
        import igraph as ig

        g = graphs.igraph(name)
        if kind == "pagerank":
            ms, s = timed(lambda: g.pagerank(damping=prm.get("alpha", 0.85), directed=False), reps)
        elif kind == "betweenness":
            ms, raw = timed(lambda: g.betweenness(directed=False), reps)
            # networkx's normalisation of undirected betweenness: 2 / ((n-1)(n-2))
            scale = 2.0 / ((n - 1) * (n - 2)) if n > 2 else 1.0
            s = [x * scale for x in raw]
        elif kind == "closeness":
            ms, raw = timed(lambda: g.closeness(normalized=True), reps)
            # igraph: (r-1) / sum of distances to the r-1 others it reaches; networkx (wf_improved): times (r-1)/(n-1)
            sizes = g.connected_components().sizes()
            member = g.connected_components().membership
            s = [(0.0 if raw[v] != raw[v] else raw[v] * (sizes[member[v]] - 1) / (n - 1)) for v in range(n)]
        return {"ms": ms, "scores": list(s), "version": ig.__version__}
    raise ValueError("no %s for %s" % (kind, peer))


def run_task(graphs, task):
    peer, kind = task["peer"], task["kind"]
    if peer == "cynetdiff" and kind in ("ic", "lt", "spread"):
        out = cynetdiff_mc(graphs, task, lt=kind == "lt")
    elif peer == "ndlib" and kind == "ic":
        out = ndlib_ic(graphs, task)
    else:
        return centrality(graphs, task)
    if peer == "cynetdiff":
        import importlib.metadata as md

        out["version"] = md.version("cynetdiff")
    else:
        import importlib.metadata as md

        out["version"] = md.version("ndlib")
    return out


def main():
    spec = json.load(open(sys.argv[1]))
    graphs = Graphs(spec["graphs"])
    results = []
    for task in spec["tasks"]:
        t0 = time.perf_counter()
        try:
            r = run_task(graphs, task)
        except Exception as e:  # reported as the task's error, the other tasks still run
            r = {"error": "%s: %s" % (type(e).__name__, e)}
        r["id"] = task["id"]
        results.append(r)
        log("%s %s on %s: %s (%.1f s)" % (task["peer"], task["kind"], task["graph"], "error " + r["error"] if "error" in r else "done", time.perf_counter() - t0))
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
