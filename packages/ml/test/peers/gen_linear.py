#!/usr/bin/python3
"""Reference numbers for LinearRegression and LogisticRegression, computed with scikit-learn.

Run with Debian's Python (it has scikit-learn, numpy, scipy):
    /usr/bin/python3 packages/ml/test/peers/gen_linear.py
Writes packages/ml/test/fixtures/linear.json and logistic.json (data + expected coefficients).

How Spark's objective maps onto scikit-learn's (see docs/decisions/0005-linear-solvers.md):
  LinearRegression: 1/(2W) sum w (y - X b - c)^2 + lam*a*|g|_1 + lam*(1-a)/(2*sy)*|g|^2, with g = b*sd
  (standardization) or g = b, sd/sy the unbiased weighted std of features/label. So with Xs = X/sd:
    ridge (a = 0):      sklearn Ridge(alpha = W*lam/sy) on Xs, coef = g/sd
    lasso (a = 1):      sklearn Lasso(alpha = lam) on Xs
    elastic net:        sklearn ElasticNet(alpha = A, l1_ratio = r), A*r = lam*a, A*(1-r) = lam*(1-a)/sy
    huber (L2 only):    sklearn HuberRegressor(alpha = W*lam, epsilon) on Xs
  LogisticRegression: 1/W sum w logloss + lam*a*|g|_1 + lam*(1-a)/2*|g|^2  ->  C = 1/(W*lam), l1_ratio = a.
Every peer is run with a very tight tolerance so that its own convergence error is far below the test tolerance.
"""
import json
import os

import numpy as np
from scipy import stats
from sklearn.linear_model import ElasticNet, HuberRegressor, Lasso, LinearRegression, LogisticRegression, Ridge

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")


def wstd(v, w):
    """Unbiased weighted std with reliability weights (Spark's summarizer)."""
    W = w.sum()
    m = (w * v).sum() / W
    return np.sqrt((w * (v - m) ** 2).sum() / (W - (w * w).sum() / W))


def features(rng, n):
    # Five features on very different scales, two of them correlated, plus a one-hot-like 0/1 column.
    z = rng.normal(size=(n, 4))
    X = np.column_stack([
        z[:, 0],
        10 * z[:, 1] + 50,
        0.01 * z[:, 2],
        0.8 * z[:, 0] + 0.6 * z[:, 3],
        (rng.uniform(size=n) < 0.3).astype(float),
    ])
    return X


def rnd(a):
    return [float(v) for v in np.asarray(a).ravel()]


def linear_cases():
    rng = np.random.default_rng(20240501)
    n = 240
    X = features(rng, n)
    beta = np.array([1.5, -0.2, 80.0, 0.7, 2.0])
    y = X @ beta + 3.0 + rng.normal(scale=1.0, size=n)
    y[:6] += rng.normal(scale=15.0, size=6)  # a few outliers for the Huber case
    w = rng.uniform(0.5, 2.0, size=n)
    ones = np.ones(n)
    sd = np.array([wstd(X[:, j], ones) for j in range(X.shape[1])])
    sdw = np.array([wstd(X[:, j], w) for j in range(X.shape[1])])
    sy, syw = wstd(y, ones), wstd(y, w)
    cases = []

    def add(name, params, coef, intercept, weighted=False, extra=None):
        c = {"name": name, "params": params, "weighted": weighted, "coefficients": rnd(coef), "intercept": float(intercept)}
        if extra:
            c.update(extra)
        cases.append(c)

    # OLS with intercept, plus classical standard errors / t / p (numpy + scipy, the textbook formulas).
    ols = LinearRegression().fit(X, y)
    A = np.column_stack([X, ones])
    resid = y - A @ np.append(ols.coef_, ols.intercept_)
    dof = n - X.shape[1] - 1
    s2 = resid @ resid / dof
    se = np.sqrt(np.diag(np.linalg.inv(A.T @ A)) * s2)
    tv = np.append(ols.coef_, ols.intercept_) / se
    pv = 2 * stats.t.sf(np.abs(tv), dof)
    r2 = 1 - (resid @ resid) / ((y - y.mean()) @ (y - y.mean()))
    add("ols", {"regParam": 0.0}, ols.coef_, ols.intercept_, extra={
        "standardErrors": rnd(se), "tValues": rnd(tv), "pValues": rnd(pv), "r2": float(r2),
        "rmse": float(np.sqrt(resid @ resid / n)), "mae": float(np.abs(resid).mean())})

    olsw = LinearRegression().fit(X, y, sample_weight=w)
    add("ols_weighted", {"regParam": 0.0}, olsw.coef_, olsw.intercept_, weighted=True)

    ols0 = LinearRegression(fit_intercept=False).fit(X, y)
    add("ols_no_intercept", {"regParam": 0.0, "fitIntercept": False}, ols0.coef_, 0.0)

    lam = 0.3
    r = Ridge(alpha=n * lam / sy, tol=1e-14, solver="cholesky").fit(X / sd, y)
    add("ridge_std", {"regParam": lam, "elasticNetParam": 0.0}, r.coef_ / sd, r.intercept_)

    Wt = w.sum()
    r = Ridge(alpha=Wt * lam / syw, tol=1e-14, solver="cholesky").fit(X / sdw, y, sample_weight=w)
    add("ridge_std_weighted", {"regParam": lam, "elasticNetParam": 0.0}, r.coef_ / sdw, r.intercept_, weighted=True)

    r = Ridge(alpha=n * lam / sy, tol=1e-14, solver="cholesky").fit(X, y)
    add("ridge_raw", {"regParam": lam, "elasticNetParam": 0.0, "standardization": False}, r.coef_, r.intercept_)

    # Without an intercept nothing is centred, but the scaling still uses the std around the mean (Spark).
    r = Ridge(alpha=n * lam / sy, fit_intercept=False, tol=1e-14, solver="cholesky").fit(X / sd, y)
    add("ridge_std_no_intercept", {"regParam": lam, "elasticNetParam": 0.0, "fitIntercept": False}, r.coef_ / sd, 0.0)

    lam = 0.2
    la = Lasso(alpha=lam, fit_intercept=False, tol=1e-14, max_iter=1000000).fit(X / sd, y)
    add("lasso_std_no_intercept", {"regParam": lam, "elasticNetParam": 1.0, "fitIntercept": False}, la.coef_ / sd, 0.0)

    la = Lasso(alpha=lam, tol=1e-14, max_iter=1000000).fit(X / sd, y)
    add("lasso_std", {"regParam": lam, "elasticNetParam": 1.0}, la.coef_ / sd, la.intercept_)

    a = 0.5
    A_ = lam * a + lam * (1 - a) / sy
    en = ElasticNet(alpha=A_, l1_ratio=lam * a / A_, tol=1e-14, max_iter=1000000).fit(X / sd, y)
    add("enet_std", {"regParam": lam, "elasticNetParam": a}, en.coef_ / sd, en.intercept_)

    # Without standardization the penalty is on raw coefficients: same mapping on X itself.
    en = ElasticNet(alpha=A_, l1_ratio=lam * a / A_, tol=1e-14, max_iter=1000000).fit(X, y)
    add("enet_raw", {"regParam": lam, "elasticNetParam": a, "standardization": False}, en.coef_, en.intercept_)

    lam = 0.01
    hu = HuberRegressor(epsilon=1.35, alpha=n * lam, tol=1e-12, max_iter=100000).fit(X / sd, y)
    add("huber_std", {"regParam": lam, "loss": "huber", "epsilon": 1.35}, hu.coef_ / sd, hu.intercept_,
        extra={"scale": float(hu.scale_)})

    return {"X": rnd(X), "n": n, "p": X.shape[1], "y": rnd(y), "w": rnd(w), "cases": cases}


def logistic_cases():
    rng = np.random.default_rng(20240502)
    n = 300
    X = features(rng, n)
    beta = np.array([1.2, 0.05, 60.0, -0.8, 0.9])
    logit = X @ beta - 2.5
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(float)
    w = rng.uniform(0.5, 2.0, size=n)
    ones = np.ones(n)
    sd = np.array([wstd(X[:, j], ones) for j in range(X.shape[1])])
    sdw = np.array([wstd(X[:, j], w) for j in range(X.shape[1])])
    # Three classes for the multinomial cases.
    scores = np.column_stack([X @ [1.0, 0.02, 30, 0, 0], X @ [-0.5, 0.0, -20, 1.0, 0.5], np.zeros(n)])
    pr = np.exp(scores - scores.max(axis=1, keepdims=True))
    pr /= pr.sum(axis=1, keepdims=True)
    y3 = np.array([rng.choice(3, p=row) for row in pr]).astype(float)
    cases = []

    def add(name, params, coef, intercept, label="y", weighted=False, extra=None):
        c = {"name": name, "params": params, "label": label, "weighted": weighted,
             "coefficientMatrix": rnd(coef), "interceptVector": rnd(intercept)}
        if extra:
            c.update(extra)
        cases.append(c)

    m = LogisticRegression(penalty=None, tol=1e-12, max_iter=100000).fit(X / sd, y)
    p1 = m.predict_proba(X / sd)[:, 1]
    from sklearn.metrics import roc_auc_score
    add("binomial_unreg", {"regParam": 0.0}, m.coef_ / sd, m.intercept_, extra={"areaUnderROC": float(roc_auc_score(y, p1))})

    lam = 0.05
    m = LogisticRegression(C=1 / (n * lam), tol=1e-12, max_iter=100000).fit(X / sd, y)
    add("binomial_l2_std", {"regParam": lam, "elasticNetParam": 0.0}, m.coef_ / sd, m.intercept_)

    Wt = w.sum()
    m = LogisticRegression(C=1 / (Wt * lam), tol=1e-12, max_iter=100000).fit(X / sdw, y, sample_weight=w)
    add("binomial_l2_std_weighted", {"regParam": lam, "elasticNetParam": 0.0}, m.coef_ / sdw, m.intercept_, weighted=True)

    m = LogisticRegression(C=1 / (n * lam), solver="newton-cg", tol=1e-14, max_iter=100000).fit(X, y)
    add("binomial_l2_raw", {"regParam": lam, "elasticNetParam": 0.0, "standardization": False}, m.coef_, m.intercept_)

    lam = 0.02
    m = LogisticRegression(penalty="elasticnet", solver="saga", l1_ratio=0.5, C=1 / (n * lam), tol=1e-13, random_state=0,
                           max_iter=2000000).fit(X / sd, y)
    add("binomial_enet_std", {"regParam": lam, "elasticNetParam": 0.5}, m.coef_ / sd, m.intercept_)

    lam = 0.05
    m = LogisticRegression(C=1 / (n * lam), fit_intercept=False, solver="newton-cg", tol=1e-14,
                           max_iter=100000).fit(X / sd, y)
    add("binomial_l2_std_no_intercept", {"regParam": lam, "elasticNetParam": 0.0, "fitIntercept": False},
        m.coef_ / sd, [0.0])

    lam = 0.01
    m = LogisticRegression(penalty="elasticnet", solver="saga", l1_ratio=0.7, C=1 / (n * lam), random_state=0,
                           multi_class="multinomial", tol=1e-13, max_iter=2000000).fit(X / sd, y3)
    add("multinomial_enet_std", {"regParam": lam, "elasticNetParam": 0.7, "family": "multinomial"},
        m.coef_ / sd, m.intercept_ - m.intercept_.mean(), label="y3")

    lam = 0.03
    m = LogisticRegression(C=1 / (n * lam), multi_class="multinomial", solver="newton-cg", tol=1e-14,
                           max_iter=100000).fit(X / sd, y3)
    add("multinomial_l2_std", {"regParam": lam, "elasticNetParam": 0.0, "family": "multinomial"},
        m.coef_ / sd, m.intercept_, label="y3")

    return {"X": rnd(X), "n": n, "p": X.shape[1], "y": rnd(y), "y3": rnd(y3), "w": rnd(w), "cases": cases}


def main():
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "linear.json"), "w") as f:
        json.dump(linear_cases(), f)
    with open(os.path.join(OUT, "logistic.json"), "w") as f:
        json.dump(logistic_cases(), f)


if __name__ == "__main__":
    main()
