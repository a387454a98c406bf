"""The local market model: a robust, penalised hedonic regression in log price.

    log P_i = a + sum_k b_k x_ik + sum_g u_g[c_ig] + m[t_i] + e_i

fitted on the closed sales around a subject (weights w_i from the engine's distance kernel),
with ``x`` the numeric features (log living area, beds, baths, age and age^2, log lot,
garage, pool, fireplaces), ``u_g`` the effects of the categorical features (property
sub-type, subdivision, condition, sale condition) shrunk towards 0 by a ridge penalty, and
``m`` a monthly price index smoothed by a penalty on its month-to-month changes. Huber
weights (iteratively reweighted least squares) keep outliers (family sales, data errors) from
steering the fit. docs/cma.md has the formulas; every penalty is expressed in "prior sales"
so nothing here is tuned to one city.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .sales import Sales

MONTH_DAYS = 365.2425 / 12
MIN_SALES = 30  # fewer local sales than this: no market model, no estimate
# Ridge on a category effect = this many sales at the overall level. Chosen by cross-validation
# on Ames *training* sales (400 drawn outside the seed-42 holdout, same no-look-ahead protocol):
# MdAPE 1 -> 7.69 %, 2 -> 7.42 %, 4 -> 7.27 %, 8 -> 7.17 %. The comps' residuals carry location
# anyway, so strong shrinkage costs little where a subdivision has many sales and protects the
# estimate where it has few.
CAT_PRIOR = 8.0
TIME_PRIOR = 8.0  # penalty on a month-to-month index change, in sales
HUBER_K = 1.345  # 95 % efficiency under normal errors
HUBER_MIN_SCALE = 0.01
CATEGORIES = ("psub", "subdivision", "condition", "sale_condition")

# (group shown to users, model columns). Groups are the adjustment lines of a comp.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Living area", ("lsqft",)),
    ("Bedrooms", ("beds",)),
    ("Bathrooms", ("baths",)),
    ("Age", ("age", "age2")),
    ("Lot size", ("llot",)),
    ("Garage", ("garage",)),
    ("Pool", ("pool",)),
    ("Fireplaces", ("fireplaces",)),
)
CATEGORY_LABELS = {
    "psub": "Property sub-type",
    "subdivision": "Location (subdivision)",
    "condition": "Condition",
    "sale_condition": "Sale conditions",
}


def features(num: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Model columns from raw numbers (NaN stays NaN: filled at fit time)."""
    year_of_sale = 1970 + num["day"] / 365.2425
    age = np.clip(year_of_sale - num["year"], 0, 150) / 10
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            "lsqft": np.log(num["sqft"]),
            "beds": np.clip(num["beds"], 0, 10),
            "baths": np.clip(num["baths"], 0, 10),
            "age": age,
            "age2": age**2,
            "llot": np.log(np.clip(num["lot"], 500, 5e6)),
            "garage": np.clip(num["garage"], 0, 5),
            "pool": num["pool"],
            "fireplaces": np.clip(num["fireplaces"], 0, 4),
        }


@dataclass
class Point:
    """One home in model terms: raw numbers, category codes (in the sales table's codes)."""

    num: dict[str, float]
    codes: dict[str, int]

    @classmethod
    def of_row(cls, sales: Sales, row: int) -> Point:
        return cls(
            num={k: float(v[row]) for k, v in sales.num.items()},
            codes={k: int(c.codes[row]) for k, c in sales.cats.items()},
        )


def _weighted_median(x: np.ndarray, w: np.ndarray) -> float:
    o = np.argsort(x)
    cw = np.cumsum(w[o])
    return float(x[o][np.searchsorted(cw, cw[-1] / 2)])


def _numeric_columns(
    sales: Sales, rows: np.ndarray, w0: np.ndarray
) -> tuple[list[str], dict[str, float], list[np.ndarray]]:
    """The numeric features known for at least half the sales (the rest filled with their
    weighted median) that vary: (names, fill values, columns)."""
    raw = features({k: v[rows] for k, v in sales.num.items()})
    numeric: list[str] = []
    fill: dict[str, float] = {}
    cols: list[np.ndarray] = []
    for name, x in raw.items():
        known = np.isfinite(x)
        if known.mean() < 0.5:
            continue
        fill[name] = _weighted_median(x[known], w0[known])
        x = np.where(known, x, fill[name])
        if np.ptp(x) <= 1e-9:
            continue
        numeric.append(name)
        cols.append(x)
    return numeric, fill, cols


@dataclass
class MarketModel:
    """A fitted local model. ``coef`` per numeric column, ``effects`` per category code,
    ``index`` the monthly log price level (month 0 = ``day0``)."""

    coef: dict[str, float]
    fill: dict[str, float]
    effects: dict[str, dict[int, float]]
    modal: dict[str, int]
    index: np.ndarray
    day0: float
    intercept: float
    scale: float  # robust residual standard deviation (log)
    n: int
    rows: np.ndarray
    residuals: np.ndarray  # log price minus fit, for ``rows``

    # ---- fitting ----------------------------------------------------------------------
    @classmethod
    def fit(cls, sales: Sales, rows: np.ndarray, weights: np.ndarray, *, last_day: float) -> MarketModel | None:
        rows = np.asarray(rows)
        if len(rows) < MIN_SALES:
            return None
        w0 = weights / weights.mean()
        y = np.log(sales.num["price"][rows])
        numeric, fill, cols = _numeric_columns(sales, rows, w0)
        means = {name: float(np.average(c, weights=w0)) for name, c in zip(numeric, cols, strict=True)}
        blocks = [np.ones((len(rows), 1))] + [(c - means[n])[:, None] for n, c in zip(numeric, cols, strict=True)]
        pen = [0.0] + [1e-6 * len(rows) * float(np.var(c)) for c in cols]
        levels: dict[str, np.ndarray] = {}
        for cat in CATEGORIES:
            codes = sales.cats[cat].codes[rows]
            lv = np.unique(codes)
            if len(lv) < 2:
                continue
            levels[cat] = lv
            blocks.append((codes[:, None] == lv[None, :]).astype(np.float64))
            pen += [CAT_PRIOR] * len(lv)
        day0 = float(np.min(sales.num["day"][rows]))
        month = np.floor((sales.num["day"][rows] - day0) / MONTH_DAYS).astype(np.int64)
        n_months = int(max(month.max(initial=0), math.floor((last_day - day0) / MONTH_DAYS))) + 1
        blocks.append((month[:, None] == np.arange(n_months)[None, :]).astype(np.float64))
        A = np.hstack(blocks)
        P = np.diag(np.array(pen + [1e-4] * n_months))
        if n_months > 1:
            D = np.diff(np.eye(n_months), axis=0)
            P[-n_months:, -n_months:] += TIME_PRIOR * D.T @ D
        beta, resid, hub = _huber(A, y, w0, P)
        scale = _robust_scale(resid, w0)
        coef = dict(zip(numeric, beta[1 : 1 + len(numeric)].tolist(), strict=True))
        intercept = float(beta[0]) - sum(coef[n] * means[n] for n in numeric)
        effects, modal, at = {}, {}, 1 + len(numeric)
        for cat, lv in levels.items():
            effects[cat] = dict(zip(lv.tolist(), beta[at : at + len(lv)].tolist(), strict=True))
            codes = sales.cats[cat].codes[rows]
            known = codes != 0
            counts = np.bincount(codes[known], weights=w0[known]) if known.any() else np.zeros(1)
            modal[cat] = int(np.argmax(counts)) if known.any() else 0
            at += len(lv)
        return cls(
            coef=coef,
            fill=fill,
            effects=effects,
            modal=modal,
            index=beta[at:],
            day0=day0,
            intercept=intercept,
            scale=scale,
            n=len(rows),
            rows=rows,
            residuals=resid,
        )

    # ---- using it -----------------------------------------------------------------------
    def month_of(self, day: float) -> int:
        return int(np.clip(math.floor((day - self.day0) / MONTH_DAYS), 0, len(self.index) - 1))

    def parts(self, point: Point, *, day: float) -> dict[str, float]:
        """The log-price contribution of each adjustment group for one home on ``day``."""
        num = dict(point.num)
        num["day"] = day
        x = features({k: np.array([v]) for k, v in num.items()})
        out: dict[str, float] = {}
        for label, names in GROUPS:
            total = 0.0
            for n in names:
                if n in self.coef:
                    v = float(x[n][0])
                    total += self.coef[n] * (v if math.isfinite(v) else self.fill[n])
            out[label] = total
        for cat, eff in self.effects.items():
            out[CATEGORY_LABELS[cat]] = eff.get(self._level(cat, point.codes.get(cat, 0)), 0.0)
        out["Market change (time)"] = float(self.index[self.month_of(day)])
        return out

    def _level(self, cat: str, code: int) -> int:
        """The level a home counts as: its own when the model knows it; else the commonest
        level (an unknown condition is the usual one), except a location the model has not
        seen, which stays at the average (effect 0)."""
        if code in self.effects[cat] and code != 0:
            return code
        if cat == "subdivision":
            return code if code in self.effects[cat] else -1
        return self.modal.get(cat, code)

    def predict(self, point: Point, *, day: float) -> float:
        """Fitted log price."""
        return self.intercept + sum(self.parts(point, day=day).values())

    def index_ratio(self, from_day: float, to_day: float) -> float:
        """Price level on ``to_day`` over the level on ``from_day`` (the local price index)."""
        return math.exp(float(self.index[self.month_of(to_day)] - self.index[self.month_of(from_day)]))

    def residual_of(self, row: int) -> float:
        hit = np.flatnonzero(self.rows == row)
        return float(self.residuals[hit[0]]) if len(hit) else 0.0


def _robust_scale(resid: np.ndarray, w: np.ndarray) -> float:
    med = _weighted_median(resid, w)
    return 1.4826 * _weighted_median(np.abs(resid - med), w)


def _huber(A: np.ndarray, y: np.ndarray, w0: np.ndarray, P: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Penalised Huber regression by IRLS: minimise sum w_i rho(r_i / s) + beta' P beta."""
    w = w0.copy()
    hub = np.ones_like(w0)
    beta = np.zeros(A.shape[1])
    for _ in range(8):
        Aw = A * w[:, None]
        new = np.linalg.solve(A.T @ Aw + P, Aw.T @ y)
        resid = y - A @ new
        # No market prices homes to better than 1 %: a smaller scale would only make the
        # Huber weights chase rounding (and, on exact data, turn the fit into an L1 fit).
        s = max(_robust_scale(resid, w0), HUBER_MIN_SCALE)
        a = np.abs(resid) / s
        hub = np.where(a <= HUBER_K, 1.0, HUBER_K / np.maximum(a, 1e-12))
        w = w0 * hub
        done = np.max(np.abs(new - beta)) < 1e-5
        beta = new
        if done:
            break
    return beta, y - A @ beta, hub
