#!/usr/bin/python3
"""Peer fixtures for the tree tests (packages/ml/test/*tree*, *forest*, *gbt*, *xgboost*).

Run with Debian's python (xgboost 1.7, scikit-learn 1.2):  /usr/bin/python3 packages/ml/test/peers/gen_trees.py

Writes into packages/ml/test/fixtures/:
  xgb_models.json  three small XGBoost models saved with Booster.save_model('m.json') (regression,
                   binary:logistic, multi:softprob), each with the rows it was scored on and XGBoost's
                   own predictions (inplace_predict, output space), for the JSON interop tests;
  trees_peers.json r2 / AUC of XGBoost (hist) and scikit-learn forests on datasets that the TypeScript
                   tests regenerate bit for bit from the same integer hash (`hash_uniform` below);
  tree_params_peers.json  scikit-learn DecisionTreeRegressor predictions with min_weight_fraction_leaf (Spark's
                   minWeightFractionPerNode) on weighted integer-valued data (`make_weighted` below).
With `--only params` only tree_params_peers.json is written.
"""
import json
import os
import sys
import tempfile

import numpy as np
import sklearn
import xgboost as xgb
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.metrics import r2_score, roc_auc_score

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
M32 = 0xFFFFFFFF


def fmix32(h):
    h = h & M32
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & M32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & M32
    h ^= h >> 16
    return h


def hash_uniform(seed, i, j):
    """Uniform in [0, 1) from (seed, row, column); the TS tests use the same integer recipe."""
    return fmix32(fmix32(seed * 0x9E3779B9 + i) ^ (j * 0x85EBCA6B)) / 4294967296.0


def make_data(seed, n, p, task, missing=0.0):
    """x_ij = 2u - 1 (some NaN when `missing` > 0); the target mixes a few nonlinear terms + noise."""
    x = np.array([[2 * hash_uniform(seed, i, j) - 1 for j in range(p)] for i in range(n)])
    noise = np.array([hash_uniform(seed + 1, i, 0) + hash_uniform(seed + 1, i, 1) - 1 for i in range(n)])
    f = 2 * x[:, 0] + np.where(x[:, 1] > 0, 1.5, -0.5) + x[:, 2] * x[:, 3] * 3 + np.abs(x[:, 4]) * 2
    if missing > 0:
        mask = np.array([[hash_uniform(seed + 2, i, j) < missing for j in range(p)] for i in range(n)])
        mask[:, 0] = False
        x = np.where(mask, np.nan, x)
    if task == "regression":
        return x, 10 + 3 * f + 2 * noise
    if task == "binary":
        return x, (f + 1.5 * noise > 1.0).astype(np.float64)
    cls = np.digitize(f + noise, [0.5, 2.0])
    return x, cls.astype(np.float64)


def nan_to_none(a):
    return [[None if np.isnan(v) else float(v) for v in row] for row in a]


def xgb_model(name, objective, x, y, extra):
    params = dict(objective=objective, tree_method="hist", max_depth=3, eta=0.3, base_score=0.5, seed=0, nthread=1)
    params.update(extra)
    d = xgb.DMatrix(x, label=y, missing=np.nan)
    b = xgb.train(params, d, num_boost_round=params.pop("rounds", 6) if "rounds" in params else 6)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "m.json")
        b.save_model(path)
        model = json.load(open(path))
    test = x[:40]
    pred = b.predict(xgb.DMatrix(test, missing=np.nan))
    margin = b.predict(xgb.DMatrix(test, missing=np.nan), output_margin=True)
    return {"name": name, "objective": objective, "model": model, "x": nan_to_none(test),
            "pred": np.asarray(pred, dtype=np.float64).ravel().tolist(),
            "margin": np.asarray(margin, dtype=np.float64).ravel().tolist()}


def split(n):
    test = np.array([fmix32(i + 42 * 0x9E3779B9) % 5 == 0 for i in range(n)])
    return ~test, test


def make_weighted(seed, n, p):
    """Integer features 0..19 (so 256 histogram bins hold every value: binned splits are exact splits),
    a continuous target and weights 1..3; the TS test (tree-params.test.ts) regenerates it."""
    x = np.array([[float(int(hash_uniform(seed, i, j) * 20)) for j in range(p)] for i in range(n)])
    noise = np.array([hash_uniform(seed + 1, i, 0) for i in range(n)])
    y = x[:, 0] + 0.3 * x[:, 1] * x[:, 2] + 5 * noise
    w = np.array([1.0 + int(hash_uniform(seed + 2, i, 0) * 3) for i in range(n)])
    return x, y, w


def params_fixtures():
    from sklearn.tree import DecisionTreeRegressor

    x, y, w = make_weighted(41, 300, 3)
    cases = []
    for frac in (0.0, 0.1, 0.25):
        t = DecisionTreeRegressor(max_depth=4, min_weight_fraction_leaf=frac, random_state=0)
        t.fit(x, y, sample_weight=w)
        cases.append({"fraction": frac, "max_depth": 4, "leaves": int(t.get_n_leaves()),
                      "pred": t.predict(x).tolist()})
    json.dump({"sklearn": sklearn.__version__, "seed": 41, "n": 300, "p": 3, "cases": cases},
              open(os.path.join(OUT, "tree_params_peers.json"), "w"))


def main():
    os.makedirs(OUT, exist_ok=True)
    params_fixtures()
    if "--only" in sys.argv and sys.argv[sys.argv.index("--only") + 1] == "params":
        return
    models = []
    x, y = make_data(11, 300, 5, "regression", missing=0.1)
    models.append(xgb_model("reg", "reg:squarederror", x, y, {}))
    x, y = make_data(12, 300, 5, "binary", missing=0.1)
    models.append(xgb_model("binary", "binary:logistic", x, y, {"lambda": 2.0, "alpha": 0.5, "gamma": 0.2}))
    x, y = make_data(13, 300, 5, "multi")
    models.append(xgb_model("multi", "multi:softprob", x, y, {"num_class": 3}))
    json.dump({"xgboost": xgb.__version__, "models": models}, open(os.path.join(OUT, "xgb_models.json"), "w"))

    peers = {"xgboost": xgb.__version__, "sklearn": sklearn.__version__, "cases": []}
    xgb_settings = dict(tree_method="hist", max_depth=4, eta=0.3, max_bin=256, base_score=0.5, seed=0, nthread=1)
    for task, seed in (("regression", 21), ("binary", 22)):
        # 20,000 rows: on a few thousand, XGBoost's own AUC moves by ~0.005 between max_bin 255 and 256.
        x, y = make_data(seed, 20000, 8, task, missing=0.05 if task == "binary" else 0.0)
        tr, te = split(len(y))
        obj = "reg:squarederror" if task == "regression" else "binary:logistic"
        b = xgb.train(dict(xgb_settings, objective=obj), xgb.DMatrix(x[tr], label=y[tr]), num_boost_round=50)
        p = b.predict(xgb.DMatrix(x[te]))
        metric = r2_score(y[te], p) if task == "regression" else roc_auc_score(y[te], p)
        peers["cases"].append({"model": "xgb", "task": task, "seed": seed, "n": 20000, "p": 8,
                               "missing": 0.05 if task == "binary" else 0.0, "rounds": 50, "max_depth": 4,
                               "eta": 0.3, "max_bin": 256, "metric": float(metric)})
    for task, seed in (("regression", 31), ("binary", 32)):
        x, y = make_data(seed, 4000, 8, task)
        tr, te = split(len(y))
        vals = []
        for rs in range(5):  # average of 5 seeds: a forest's score varies by seed more than the tolerance
            if task == "regression":
                rf = RandomForestRegressor(n_estimators=50, max_depth=8, max_features=1 / 3, random_state=rs, n_jobs=1)
                vals.append(r2_score(y[te], rf.fit(x[tr], y[tr]).predict(x[te])))
            else:
                rf = RandomForestClassifier(n_estimators=50, max_depth=8, max_features="sqrt", random_state=rs, n_jobs=1)
                vals.append(roc_auc_score(y[te], rf.fit(x[tr], y[tr]).predict_proba(x[te])[:, 1]))
        peers["cases"].append({"model": "rf", "task": task, "seed": seed, "n": 4000, "p": 8, "missing": 0.0,
                               "trees": 50, "max_depth": 8, "metric": float(np.mean(vals)),
                               "metric_sd": float(np.std(vals))})
    json.dump(peers, open(os.path.join(OUT, "trees_peers.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
