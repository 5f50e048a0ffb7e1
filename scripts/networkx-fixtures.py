#!/usr/bin/env python3
"""Write the networkx reference values that test/centrality*.test.ts compare against.

Run from the repository root:  python3 scripts/networkx-fixtures.py
Needs networkx (3.6 was used), numpy and scipy; the tests themselves need no python.

Graphs:
  karate      ../shared/data/karate/karate_club.edgelist (undirected, 34 nodes, 78 edges; public domain)
  directed30  a seeded random directed graph of 30 customers (edge list written next to the JSON),
              with dangling customers (no out-arcs), customers without in-arcs, one isolated customer
              and integer weights 1..5 for the weighted variants
  lesmis      ../shared/data/lesmis/lesmis.weighted.edgelist (undirected, weighted; values only, the
              graph itself is read from ../shared/data by the test)
"""
import json
import os
import random
import sys

import networkx as nx

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.normpath(os.path.join(ROOT, '..', 'shared', 'data'))
OUT = os.path.join(ROOT, 'test', 'fixtures', 'centrality')


class FixedSample(random.Random):
    """A random.Random whose sample() returns a given list: makes networkx's sampled betweenness use known sources."""

    def __init__(self, chosen):
        super().__init__(0)
        self.chosen = chosen

    def sample(self, population, k, **_kw):  # noqa: D401
        assert k == len(self.chosen)
        return list(self.chosen)


def as_map(d):
    return {str(k): float(v) for k, v in d.items()}


def unweighted(G):
    H = G.__class__()
    H.add_nodes_from(G.nodes())
    H.add_edges_from(G.edges())
    return H


def metrics(G, weighted, sample_sources):
    U = unweighted(G)
    out = {}
    out['degree'] = as_map(nx.degree_centrality(G))
    if G.is_directed():
        out['in-degree'] = as_map(nx.in_degree_centrality(G))
        out['out-degree'] = as_map(nx.out_degree_centrality(G))
    out['weighted-degree'] = as_map(dict(G.degree(weight='weight')))
    out['pagerank'] = as_map(nx.pagerank(G, weight=None))
    out['betweenness'] = as_map(nx.betweenness_centrality(G))
    out['betweenness-raw'] = as_map(nx.betweenness_centrality(G, normalized=False))
    out['betweenness-sampled'] = as_map(nx.betweenness_centrality(G, k=len(sample_sources), seed=FixedSample(sample_sources)))
    out['betweenness-sampled-raw'] = as_map(
        nx.betweenness_centrality(G, k=len(sample_sources), normalized=False, seed=FixedSample(sample_sources)))
    out['closeness'] = as_map(nx.closeness_centrality(G))
    out['closeness-no-wf'] = as_map(nx.closeness_centrality(G, wf_improved=False))
    out['harmonic'] = as_map(nx.harmonic_centrality(G))
    out['eigenvector'] = as_map(nx.eigenvector_centrality(G))
    hubs, auths = nx.hits(U)
    # check the ARPACK answer against networkx's pure-python power iteration (no degenerate top singular value)
    hp, ap = nx.algorithms.link_analysis.hits_alg._hits_python(U, max_iter=10000, tol=1e-14)
    assert max(abs(hubs[n] - hp[n]) for n in U) < 1e-8, 'hits: degenerate (svds and power iteration disagree)'
    out['hub'] = as_map(hubs)
    out['authority'] = as_map(auths)
    kc = unweighted(G)
    kc.remove_edges_from(nx.selfloop_edges(kc))
    out['kcore'] = as_map(nx.core_number(kc))
    if weighted:
        out['pagerank-weighted'] = as_map(nx.pagerank(G, weight='weight'))
        out['betweenness-weighted'] = as_map(nx.betweenness_centrality(G, weight='weight'))
        out['closeness-weighted'] = as_map(nx.closeness_centrality(G, distance='weight'))
        out['harmonic-weighted'] = as_map(nx.harmonic_centrality(G, distance='weight'))
        out['eigenvector-weighted'] = as_map(nx.eigenvector_centrality(G, weight='weight'))
        hw, aw = nx.hits(G)
        out['hub-weighted'] = as_map(hw)
        out['authority-weighted'] = as_map(aw)
    return out


def partitions(G, extra=None):
    """Some partitions with networkx's modularity (for checking our modularity; Louvain's own partition differs)."""
    res = []
    parts = {'louvain-nx-seed1': nx.community.louvain_communities(G, seed=1),
             'singletons': [{n} for n in G.nodes()],
             'one': [set(G.nodes())]}
    if extra:
        parts.update(extra)
    for name, comms in parts.items():
        entry = {'name': name, 'communities': [sorted(str(n) for n in c) for c in comms],
                 'modularity': nx.community.modularity(G, comms, weight=None)}
        if nx.is_weighted(G):
            entry['modularityWeighted'] = nx.community.modularity(G, comms, weight='weight')
        res.append(entry)
    return res


def dump(name, G, weighted, sample_sources, extra_parts=None, include_edges=True):
    doc = {
        'generator': f'scripts/networkx-fixtures.py with networkx {nx.__version__}',
        'directed': G.is_directed(),
        'nodes': [str(n) for n in G.nodes()],
        'sampleSources': [str(s) for s in sample_sources],
        'metrics': metrics(G, weighted, sample_sources),
        'partitions': partitions(G, extra_parts),
    }
    if include_edges:
        doc['edges'] = [[str(u), str(v)] + ([d['weight']] if 'weight' in d else []) for u, v, d in G.edges(data=True)]
    with open(os.path.join(OUT, f'{name}.json'), 'w') as f:
        json.dump(doc, f, indent=1)
        f.write('\n')
    print(f'wrote {name}.json: {G.number_of_nodes()} nodes, {G.number_of_edges()} edges')


def directed30():
    rng = random.Random(20240607)
    G = nx.DiGraph()
    n = 30
    G.add_nodes_from(f'd{i}' for i in range(n))
    # a directed cycle over 0..23 keeps most of the graph strongly connected (eigenvector/HITS well defined)
    for i in range(24):
        G.add_edge(f'd{i}', f'd{(i + 1) % 24}', weight=rng.randint(1, 5))
    for _ in range(40):
        u, v = rng.sample(range(24), 2)
        G.add_edge(f'd{u}', f'd{v}', weight=rng.randint(1, 5))
    # dangling customers 24..26 (in-arcs only), sources 27..28 (out-arcs only), 29 isolated
    for t in (24, 25, 26):
        for u in rng.sample(range(24), 2):
            G.add_edge(f'd{u}', f'd{t}', weight=rng.randint(1, 5))
    for s in (27, 28):
        for v in rng.sample(range(24), 3):
            G.add_edge(f'd{s}', f'd{v}', weight=rng.randint(1, 5))
    return G


def main():
    os.makedirs(OUT, exist_ok=True)
    karate_path = os.path.join(DATA, 'karate', 'karate_club.edgelist')
    K = nx.read_edgelist(karate_path, nodetype=str)
    with open(karate_path) as f, open(os.path.join(OUT, 'karate.edgelist'), 'w') as g:
        g.write('# Zachary karate club (public domain; as shipped by networkx / graphology-generators)\n')
        g.write(f.read())
    factions = {}
    with open(os.path.join(DATA, 'karate', 'karate_club_factions.tsv')) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2 and parts[0].isdigit():
                factions.setdefault(parts[1], set()).add(parts[0])
            elif len(parts) == 3 and parts[0].isdigit():
                factions.setdefault(parts[1] + parts[2], set()).add(parts[0])
    extra = {'factions': list(factions.values())} if sum(len(c) for c in factions.values()) == 34 else None
    dump('karate', K, False, ['0', '5', '16', '33', '20'], extra)

    D = directed30()
    with open(os.path.join(OUT, 'directed30.edgelist'), 'w') as g:
        g.write('# seeded random directed graph (scripts/networkx-fixtures.py): source target weight; d29 is isolated\n')
        for u, v, d in D.edges(data=True):
            g.write(f'{u} {v} {d["weight"]}\n')
    dump('directed30', D, True, ['d0', 'd3', 'd24', 'd27', 'd12', 'd29'])

    lesmis_path = os.path.join(DATA, 'lesmis', 'lesmis.weighted.edgelist')
    L = nx.read_edgelist(lesmis_path, nodetype=str, data=(('weight', float),))
    dump('lesmis', L, True, ['0', '11', '48', '55'], include_edges=False)
    return 0


if __name__ == '__main__':
    sys.exit(main())
