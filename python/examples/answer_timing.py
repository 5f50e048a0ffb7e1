"""A small study from Python: how much does the timing of a brand's answer matter, at three levels of virality?

Starts its own Ripple server on the demo graph (3,000 customers), takes the best-connected customer, and for
p in 0.03, 0.05, 0.08 compares "no answer" with an answer at steps 0..3 (all variants on the same random streams).
Prints the table and saves a figure: negative reach and money at risk against the answer's step, with 95% CIs.

    python examples/answer_timing.py [--out answer_timing.png] [--url http://host:3000 --graph ID] [--runs 1000]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

import ripple_client  # noqa: E402
from ripple_client import Ripple, VariantSpec  # noqa: E402

STEPS = [0, 1, 2, 3]
VIRALITY = [0.03, 0.05, 0.08]


def study(r: Ripple, graph_id: str, runs: int) -> tuple[str, pd.DataFrame]:
    speaker = r.get_centrality(graph_id, "degree", top=1).top[0].id
    variants: list[VariantSpec] = [{"name": "no answer", "response": None}]
    variants += [
        {"name": f"answer at {t}", "response": {"at_step": t, "effectiveness": 0.6, "public": True}} for t in STEPS
    ]
    frames = []
    for p in VIRALITY:
        compare = r.run_scenario(graph_id, customer=speaker, p=p, runs=runs, seed=1, variants=variants)
        frames.append(compare.to_frame().assign(p=p))
    return speaker, pd.concat(frames, ignore_index=True)


def plot(table: pd.DataFrame, speaker: str, out: Path) -> None:
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), constrained_layout=True)
    panels = [("negative", "negative reach (customers)"), ("at_risk", "money at risk (EUR)")]
    markers = ["o", "s", "^"]
    for ax, (figure, label) in zip(axes, panels):
        for p, marker in zip(VIRALITY, markers):
            rows = table[(table.p == p) & (table.figure == figure)].set_index("variant")
            answered = rows.loc[[f"answer at {t}" for t in STEPS]]
            line = ax.errorbar(STEPS, answered["mean"], yerr=[answered["mean"] - answered["lo"],
                               answered["hi"] - answered["mean"]], marker=marker, capsize=3, label=f"p = {p}")
            base = rows.loc["no answer"]
            ax.axhspan(base["lo"], base["hi"], color=line[0].get_color(), alpha=0.12)
            ax.axhline(base["mean"], color=line[0].get_color(), linestyle="--", linewidth=1)
        ax.set_xticks(STEPS)
        ax.set_xlabel("step at which the brand answers")
        ax.set_ylabel(label)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    axes[0].legend(title="dashed: no answer", fontsize=8, title_fontsize=8)
    fig.suptitle(f"A complaint from {speaker}: answering early is what counts (95% CI, paired runs)")
    fig.savefig(out, dpi=120)
    plt.close(fig)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("answer_timing.png"))
    ap.add_argument("--url", help="a running Ripple server (default: start one with the demo graph)")
    ap.add_argument("--api-key")
    ap.add_argument("--graph", help="graph id on --url (default: the first graph)")
    ap.add_argument("--runs", type=int, default=1000)
    args = ap.parse_args()
    r = Ripple(args.url, args.api_key) if args.url else ripple_client.local(demo=True)
    with r:
        graph_id = args.graph or r.list_graphs().graphs[0].id
        speaker, table = study(r, graph_id, args.runs)
    wide = table.pivot_table(index=["p", "variant"], columns="figure", values="mean", sort=False)
    print(wide[["negative", "positive", "impressions", "at_risk", "net"]].round(2).to_string())
    plot(table, speaker, args.out)
    print(f"figure: {args.out}")


if __name__ == "__main__":
    main()
