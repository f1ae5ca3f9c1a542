#!/usr/bin/python3
"""Peer side of `npm run bench:trees` (run with Debian's /usr/bin/python3: xgboost 1.7, scikit-learn 1.2).

  /usr/bin/python3 bench/peers/trees_peers.py --data /tmp/mlbench-data/reg_100k.csv --out /tmp/cauce-trees/reg_100k \
      [--models xgb,rf] [--rf-rows N] [--threads 2]

1. Applies the peer-bench protocol (hash split, median impute + standard scale of x0..x19, one-hot of
   cat_a/cat_b/cat_c over sorted train levels with the last level dropped) and writes the matrices as raw
   little-endian float64 files (Xtr.f64, Xte.f64, ytr.f64, yte.f64) plus meta.json, so the TypeScript side
   trains on exactly the same numbers.
2. Times the peers on them and prints one JSON line per model: XGBoost hist (100 rounds, depth 6, eta 0.3,
   max_bin 256) and scikit-learn RandomForest (100 trees, depth 10; the regressor uses all features as in
   peer-bench, the classifier sqrt). With --rf-rows N the forest is fitted on the first N training rows only
   and the line says so (`rows_used`), for a quicker run whose time the caller scales and labels.
"""
import argparse
import json
import os
import resource
import time

import numpy as np
import pandas as pd

CAT_COLS = ["cat_a", "cat_b", "cat_c"]


def split_mask(n, seed=42, frac=0.2):
    with np.errstate(over="ignore"):
        h = np.arange(n, dtype=np.uint64) + np.uint64((seed * 0x9E3779B9) & 0xFFFFFFFF)
        h = (h & np.uint64(0xFFFFFFFF)).astype(np.uint32)
        h ^= h >> np.uint32(16)
        h *= np.uint32(0x85EBCA6B)
        h ^= h >> np.uint32(13)
        h *= np.uint32(0xC2B2AE35)
        h ^= h >> np.uint32(16)
    order = np.argsort(h, kind="stable")
    mask = np.zeros(n, dtype=bool)
    mask[order[: int(n * frac)]] = True
    return mask


def preprocess(df):
    test = split_mask(len(df))
    tr, te = df[~test], df[test]
    num = [c for c in df.columns if c not in CAT_COLS + ["target"]]
    parts_tr, parts_te = [], []
    med = tr[num].median()
    a = tr[num].fillna(med).to_numpy(np.float64)
    b = te[num].fillna(med).to_numpy(np.float64)
    mu, sd = a.mean(axis=0), a.std(axis=0)
    sd[sd == 0] = 1.0
    parts_tr.append((a - mu) / sd)
    parts_te.append((b - mu) / sd)
    for c in CAT_COLS:
        levels = sorted(tr[c].unique())[:-1]
        parts_tr.append(np.stack([(tr[c] == lv).to_numpy(np.float64) for lv in levels], axis=1))
        parts_te.append(np.stack([(te[c] == lv).to_numpy(np.float64) for lv in levels], axis=1))
    xtr = np.ascontiguousarray(np.hstack(parts_tr))
    xte = np.ascontiguousarray(np.hstack(parts_te))
    return xtr, xte, tr["target"].to_numpy(np.float64), te["target"].to_numpy(np.float64)


def metrics(task, y, p):
    if task == "regression":
        err = p - y
        return {"rmse": float(np.sqrt(np.mean(err**2))), "r2": float(1 - np.sum(err**2) / np.sum((y - y.mean()) ** 2))}
    from sklearn.metrics import log_loss, roc_auc_score

    return {"auc": float(roc_auc_score(y, p)), "logloss": float(log_loss(y, np.clip(p, 1e-15, 1 - 1e-15)))}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--models", default="xgb,rf")
    ap.add_argument("--rf-rows", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    task = "regression" if os.path.basename(a.data).startswith("reg") else "classification"
    os.makedirs(a.out, exist_ok=True)
    meta_path = os.path.join(a.out, "meta.json")
    if os.path.exists(meta_path):
        meta = json.load(open(meta_path))
        p = meta["n_features"]
        xtr = np.fromfile(os.path.join(a.out, "Xtr.f64")).reshape(-1, p)
        xte = np.fromfile(os.path.join(a.out, "Xte.f64")).reshape(-1, p)
        ytr = np.fromfile(os.path.join(a.out, "ytr.f64"))
        yte = np.fromfile(os.path.join(a.out, "yte.f64"))
    else:
        xtr, xte, ytr, yte = preprocess(pd.read_csv(a.data))
        for name, arr in (("Xtr", xtr), ("Xte", xte), ("ytr", ytr), ("yte", yte)):
            arr.astype("<f8").tofile(os.path.join(a.out, name + ".f64"))
        meta = {"task": task, "n_train": len(ytr), "n_test": len(yte), "n_features": xtr.shape[1]}
        json.dump(meta, open(meta_path, "w"))
    print(json.dumps({"kind": "meta", **meta}), flush=True)
    models = [m for m in a.models.split(",") if m]
    if "xgb" in models:
        import xgboost as xgb

        params = dict(n_estimators=100, max_depth=6, learning_rate=0.3, tree_method="hist", max_bin=256,
                      nthread=a.threads, random_state=0, base_score=0.5)
        est = (xgb.XGBRegressor(objective="reg:squarederror", **params) if task == "regression"
               else xgb.XGBClassifier(objective="binary:logistic", **params))
        t0 = time.perf_counter()
        est.fit(xtr, ytr)
        fit_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        p = est.predict(xte) if task == "regression" else est.predict_proba(xte)[:, 1]
        pred_s = time.perf_counter() - t0
        print(json.dumps({"kind": "model", "library": "xgboost", "version": xgb.__version__, "model": "booster",
                          "fit_s": fit_s, "predict_s": pred_s, "metrics": metrics(task, yte, p),
                          "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)
    if "rf" in models:
        import sklearn
        from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

        rows = a.rf_rows if 0 < a.rf_rows < len(ytr) else len(ytr)
        est = (RandomForestRegressor(n_estimators=100, max_depth=10, n_jobs=a.threads, random_state=0)
               if task == "regression" else
               RandomForestClassifier(n_estimators=100, max_depth=10, n_jobs=a.threads, random_state=0))
        t0 = time.perf_counter()
        est.fit(xtr[:rows], ytr[:rows])
        fit_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        p = est.predict(xte) if task == "regression" else est.predict_proba(xte)[:, 1]
        pred_s = time.perf_counter() - t0
        print(json.dumps({"kind": "model", "library": "sklearn", "version": sklearn.__version__, "model": "forest",
                          "rows_used": rows, "fit_s": fit_s, "predict_s": pred_s,
                          "metrics": metrics(task, yte, p),
                          "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)


if __name__ == "__main__":
    main()
