"""``manage.py cma_backtest --csv FILE [--holdout 0.1] [--seed 42]``: one JSON line."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cma.backtest import BacktestError, read_csv, run


class Command(BaseCommand):
    help = "Backtest the CMA engine on closed sales (RESO column names) without look-ahead."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--csv", required=True, help="closed sales with RESO column names")
        parser.add_argument("--holdout", type=float, default=0.1, help="share of sales to value (default 0.1)")
        parser.add_argument("--seed", type=int, default=42, help="random seed of the holdout (default 42)")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            sales = read_csv(opts["csv"])
            result, _ = run(sales, holdout=opts["holdout"], seed=opts["seed"])
        except (OSError, BacktestError) as e:
            raise CommandError(str(e)) from e
        self.stdout.write(json.dumps(result))
