"""manage.py cma_backtest: the issue's output, any market's columns, no look-ahead."""

from __future__ import annotations

import csv
import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from cma import backtest
from cma.engine import usable_rows, valuate

from .markets import market


def write(path, rows, columns=None):
    columns = columns or list(rows[0])
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    return path


def test_command_prints_one_json_line(tmp_path):
    path = write(tmp_path / "sales.csv", market(700, noise=0.05, seed=3))
    out = StringIO()
    call_command("cma_backtest", "--csv", str(path), "--holdout", "0.05", "--seed", "42", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert {"n", "mdape", "within_5", "within_10", "within_20", "coverage", "median_signed_error"} <= set(result)
    assert result["n"] == 35
    # the early sales of the holdout have too little history; the rest are estimated well
    assert result["coverage"] >= 0.8
    assert result["mdape"] < 0.06
    assert result["within_5"] <= result["within_10"] <= result["within_20"]


def test_only_the_required_columns_are_needed(tmp_path):
    required = ["ListingKey", "CloseDate", "ClosePrice", "Latitude", "Longitude", "LivingArea"]
    path = write(tmp_path / "bare.csv", market(500, noise=0.05, seed=4), required)
    result, _ = backtest.run(backtest.read_csv(path), holdout=0.05, seed=1)
    assert result["coverage"] > 0.5 and result["mdape"] is not None


def test_missing_required_column_is_a_clear_error(tmp_path):
    path = write(tmp_path / "bad.csv", market(50), ["ListingKey", "CloseDate", "ClosePrice", "Latitude", "Longitude"])
    with pytest.raises(CommandError, match="missing column.*LivingArea"):
        call_command("cma_backtest", "--csv", str(path))
    with pytest.raises(CommandError, match="No such file"):
        call_command("cma_backtest", "--csv", str(tmp_path / "nope.csv"))
    with pytest.raises(CommandError, match="holdout"):
        call_command("cma_backtest", "--csv", str(write(tmp_path / "ok.csv", market(50))), "--holdout", "1.5")


def test_backtest_never_lets_the_sale_or_a_later_sale_in(tmp_path):
    """A spy around the real engine: everything it may use closed strictly before the subject."""
    sales = backtest.read_csv(write(tmp_path / "s.csv", market(600, noise=0.05, seed=9)))
    seen = []

    def spy(*, subject, sales, as_of_day):
        rows = usable_rows(sales, subject=subject, as_of_day=as_of_day)
        own = sales.row_of_key(subject.key)
        assert as_of_day == sales.num["day"][own]
        assert np.all(sales.num["day"][rows] < as_of_day) and own not in rows
        v = valuate(subject=subject, sales=sales, as_of_day=as_of_day)
        if v.model is not None:
            assert np.all(sales.num["day"][v.model.rows] < as_of_day)
        assert all(c.day < as_of_day and c.key != subject.key for c in v.comps)
        seen.append(subject.key)
        return v

    result, outcomes = backtest.run(sales, holdout=0.1, seed=5, valuer=spy)
    assert len(seen) == 60 == result["n"]


def test_a_leaked_later_sale_would_change_the_estimate(tmp_path):
    """The poisoned-future check fails for an engine that looks ahead: prove it can fail."""
    rows = market(600, noise=0.03, seed=12)
    sales = backtest.read_csv(write(tmp_path / "a.csv", rows))
    late = int(np.argmax(sales.num["day"]))
    row = int(np.argsort(sales.num["day"])[400])
    subject = backtest.subject_of(sales, row)
    honest = valuate(subject=subject, sales=sales, as_of_day=sales.num["day"][row])
    looking_ahead = valuate(subject=subject, sales=sales, as_of_day=sales.num["day"][late] + 1)
    assert looking_ahead.model.n > honest.model.n
    assert looking_ahead.estimate != pytest.approx(honest.estimate, rel=1e-9)
