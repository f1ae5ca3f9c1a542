#!/usr/bin/python3
"""Reference numbers for CrossValidator, computed with scikit-learn.

Run with Debian's Python (it has scikit-learn and numpy):
    /usr/bin/python3 packages/ml/test/peers/gen_tuning.py
Writes packages/ml/test/fixtures/tuning.json: a small regression data set with a fold column, and for
each regParam of the grid the per-fold validation RMSE, its mean and population std, as
GridSearchCV(Ridge, cv=PredefinedSplit(fold), scoring='neg_root_mean_squared_error') reports them
(mean_test_score / std_test_score, sign flipped).

Spark's LinearRegression with standardization=false, elasticNetParam=0 minimises
  1/(2n) sum (y - X b - c)^2 + lam/(2*sy) |b|^2     (sy = unbiased std of the training labels)
which is scikit-learn's Ridge with alpha = n*lam/sy (see gen_linear.py). As sy depends on the training
fold, alpha is set per fold, so the grid is run fold by fold rather than through one GridSearchCV call.
"""
import json
import os

import numpy as np
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_squared_error

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "tuning.json")

rng = np.random.default_rng(8)
n, p, k = 240, 4, 3
X = rng.normal(size=(n, p)) * np.array([1.0, 3.0, 0.5, 2.0])
beta = np.array([1.5, -0.7, 2.0, 0.0])
y = X @ beta + 0.3 + rng.normal(scale=1.5, size=n)
fold = rng.permutation(np.arange(n) % k)
reg_params = [0.0, 0.1, 0.5, 2.0]

per_map = []
for lam in reg_params:
    scores = []
    for f in range(k):
        tr, va = fold != f, fold == f
        sy = y[tr].std(ddof=1)
        alpha = tr.sum() * lam / sy
        m = Ridge(alpha=alpha, fit_intercept=True, solver="cholesky", tol=1e-12).fit(X[tr], y[tr])
        scores.append(float(np.sqrt(mean_squared_error(y[va], m.predict(X[va])))))
    per_map.append({"regParam": lam, "fold_rmse": scores, "mean": float(np.mean(scores)), "std": float(np.std(scores))})

with open(OUT, "w") as fh:
    json.dump(
        {"n": n, "p": p, "k": k, "X": X.ravel().tolist(), "y": y.tolist(), "fold": fold.tolist(), "grid": per_map},
        fh,
    )
print("wrote", OUT)
