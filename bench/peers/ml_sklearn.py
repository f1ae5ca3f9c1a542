#!/usr/bin/python3
"""scikit-learn side of `npm run bench:ml`: the peer-bench protocol on one CSV, printed as one JSON object.

    /usr/bin/python3 bench/peers/ml_sklearn.py --data /tmp/mlbench-data/reg_100k.csv [--repeat 3]

Protocol (identical to /work/shared/peer-bench/common.py, restated here so the repo stands alone):
  split: row i is a test row iff rank(fmix32((i + 42*0x9E3779B9) mod 2^32)) < 0.2 n;
  preprocess (fit on train): x0..x19 median impute + standard scale (ddof=0); cat_a/b/c one-hot over the
  sorted train levels with the last level dropped, unseen -> zeros;  => 252 dense float64 features.
Models: reg -> LinearRegression, Ridge(alpha=1), Lasso(alpha=0.01), ElasticNet(alpha=0.01, l1_ratio=0.5);
        clf -> LogisticRegression(lbfgs, C=1, max_iter=100).  Times are medians of --repeat fits.
"""
import argparse
import json
import os
import platform
import statistics
import time
import warnings

import numpy as np
import pandas as pd
import sklearn
from sklearn import linear_model
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.metrics import accuracy_score, f1_score, log_loss, roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

CAT = ["cat_a", "cat_b", "cat_c"]


def split_mask(n, seed=42, frac=0.2):
    with np.errstate(over="ignore"):
        h = (np.arange(n, dtype=np.uint64) + np.uint64((seed * 0x9E3779B9) & 0xFFFFFFFF))
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
    t0 = time.perf_counter()
    test = split_mask(len(df))
    tr, te = df[~test], df[test]
    num = [c for c in df.columns if c not in CAT + ["target"]]
    drop_last = [sorted(tr[c].unique())[-1] for c in CAT]
    ct = ColumnTransformer([
        ("num", Pipeline([("imp", SimpleImputer(strategy="median")), ("sc", StandardScaler())]), num),
        ("cat", OneHotEncoder(drop=drop_last, handle_unknown="ignore", sparse_output=False), CAT),
    ])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        xtr = np.ascontiguousarray(ct.fit_transform(tr), dtype=np.float64)
        xte = np.ascontiguousarray(ct.transform(te), dtype=np.float64)
    return xtr, xte, tr["target"].to_numpy(), te["target"].to_numpy(), time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    t0 = time.perf_counter()
    df = pd.read_csv(a.data)
    load_s = time.perf_counter() - t0
    xtr, xte, ytr, yte, pre_s = preprocess(df)
    reg = os.path.basename(a.data).startswith("reg")
    if reg:
        models = {
            "linreg": lambda: linear_model.LinearRegression(),
            "ridge": lambda: linear_model.Ridge(alpha=1.0),
            "lasso": lambda: linear_model.Lasso(alpha=0.01),
            "enet": lambda: linear_model.ElasticNet(alpha=0.01, l1_ratio=0.5),
        }
    else:
        models = {"logreg": lambda: linear_model.LogisticRegression(solver="lbfgs", C=1.0, max_iter=100)}
    out = {}
    for name, make in models.items():
        fits = []
        for _ in range(a.repeat):
            m = make()
            t = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                m.fit(xtr, ytr)
            fits.append(time.perf_counter() - t)
        t = time.perf_counter()
        if reg:
            p = m.predict(xte)
            pred_s = time.perf_counter() - t
            err = p - yte
            metrics = {"rmse": float(np.sqrt(np.mean(err ** 2))), "mae": float(np.mean(np.abs(err))),
                       "r2": float(1 - np.sum(err ** 2) / np.sum((yte - yte.mean()) ** 2))}
        else:
            prob = m.predict_proba(xte)[:, 1]
            pred_s = time.perf_counter() - t
            pc = np.clip(prob, 1e-15, 1 - 1e-15)
            yi = yte.astype(int)
            metrics = {"auc": float(roc_auc_score(yi, prob)), "accuracy": float(accuracy_score(yi, prob >= 0.5)),
                       "f1": float(f1_score(yi, prob >= 0.5)), "logloss": float(log_loss(yi, pc))}
        out[name] = {"fit_s": statistics.median(fits), "fit_s_all": fits, "predict_s": pred_s, "metrics": metrics,
                     "n_iter": np.asarray(getattr(m, "n_iter_", [0])).ravel().tolist()}
    print(json.dumps({"library": "sklearn", "version": sklearn.__version__, "numpy": np.__version__,
                      "python": platform.python_version(), "load_s": load_s, "preprocess_s": pre_s,
                      "n_train": int(xtr.shape[0]), "n_test": int(xte.shape[0]), "n_features": int(xtr.shape[1]),
                      "y_train_std": float(np.std(ytr, ddof=1)), "models": out}))


if __name__ == "__main__":
    main()
