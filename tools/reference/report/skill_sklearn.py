"""Reference numbers for Fissure's skill scores, from scikit-learn on the same labels.

Input: crates/report/tests/fixtures/skill_input.csv, written by
`cargo run -p fissure-report --example skill_fixture -- crates/report/tests/fixtures/skill_input.csv`
(bundled real data: weekly S&P 500 2-year run-up percentile, the 12-month label "a 20% fall of the
S&P 500 or the NASDAQ peaks within 12 months", the real-time calibrated probability and base rate).

Output: crates/report/tests/fixtures/skill_sklearn.json with
- `auroc`: sklearn.metrics.roc_auc_score(label, score);
- `weighted`: three moving-block bootstrap weight vectors (numpy, 52-week blocks, seeds 1-3) and
  roc_auc_score(..., sample_weight=w) for each (Fissure's weighted AUROC must equal it);
- `band`: the 5th/95th percentiles of 2000 moving-block bootstrap AUROCs (numpy RNG; Fissure's
  band, with its own RNG, must agree within Monte Carlo error);
- `brier_skill`: 1 - brier_score_loss(label, probability) / brier_score_loss(label, base_rate)
  on the weeks where both are defined;
- `roc`: sklearn.metrics.roc_curve(label, score, drop_intermediate=False) points.

Run (virtualenv git-ignored, pinned): python3 -m venv tools/reference/.venv-report &&
tools/reference/.venv-report/bin/pip install scikit-learn==1.5.2 numpy==2.1.3 &&
tools/reference/.venv-report/bin/python tools/reference/report/skill_sklearn.py
"""

import csv
import json
import pathlib

import numpy as np
import sklearn
from sklearn.metrics import brier_score_loss, roc_auc_score, roc_curve

ROOT = pathlib.Path(__file__).resolve().parents[3]
FIX = ROOT / "crates/report/tests/fixtures"


def block_weights(n_weeks, block, rng):
    """Moving-block bootstrap multiplicities: ceil(n/L) blocks with uniform starts."""
    w = np.zeros(n_weeks)
    l = min(max(block, 1), n_weeks)
    for _ in range(-(-n_weeks // l)):
        s = rng.integers(0, n_weeks - l + 1)
        w[s : s + l] += 1.0
    return w


def main():
    rows = list(csv.DictReader(open(FIX / "skill_input.csv")))
    week = np.array([int(r["week"]) for r in rows])
    score = np.array([float(r["score"]) for r in rows])
    label = np.array([int(r["label"]) for r in rows])
    # bootstrap over the calendar weeks of the scored span (as Fissure: weights by week index)
    n_weeks = int(week.max()) + 1
    out = {
        "source": "scikit-learn %s, numpy %s; input skill_input.csv" % (sklearn.__version__, np.__version__),
        "n": int(len(rows)),
        "positives": int(label.sum()),
        "n_weeks": n_weeks,
        "auroc": float(roc_auc_score(label, score)),
    }
    weighted = []
    for seed in (1, 2, 3):
        w = block_weights(n_weeks, 52, np.random.default_rng(seed))[week]
        keep = w > 0
        weighted.append(
            {
                "seed": seed,
                "weights": w.tolist(),
                "auroc": float(roc_auc_score(label[keep], score[keep], sample_weight=w[keep])),
            }
        )
    out["weighted"] = weighted
    rng = np.random.default_rng(20150401)
    reps = []
    for _ in range(2000):
        w = block_weights(n_weeks, 52, rng)[week]
        keep = w > 0
        y = label[keep]
        if y.min() == y.max():
            continue
        reps.append(roc_auc_score(y, score[keep], sample_weight=w[keep]))
    out["band"] = {"lo": float(np.percentile(reps, 5)), "hi": float(np.percentile(reps, 95)), "reps": len(reps)}
    prob = [r["probability"] for r in rows]
    base = [r["base_rate"] for r in rows]
    ok = [i for i in range(len(rows)) if prob[i] != "" and base[i] != ""]
    p = np.array([float(prob[i]) for i in ok])
    b = np.array([float(base[i]) for i in ok])
    y = label[ok]
    out["brier_skill"] = float(1.0 - brier_score_loss(y, p) / brier_score_loss(y, b))
    out["brier_weeks"] = len(ok)
    fpr, tpr, _ = roc_curve(label, score, drop_intermediate=False)
    out["roc"] = [[float(a), float(c)] for a, c in zip(fpr, tpr)]
    (FIX / "skill_sklearn.json").write_text(json.dumps(out, indent=1) + "\n")
    print("auroc %.6f band [%.4f, %.4f] brier skill %.4f (%d weeks, %d positive)"
          % (out["auroc"], out["band"]["lo"], out["band"]["hi"], out["brier_skill"], out["n"], out["positives"]))


if __name__ == "__main__":
    main()
