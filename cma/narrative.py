"""The report's plain-language explanation.

A template writes it from the report dict. A language model may write it instead when one is
configured (``CMA_NARRATOR``: the dotted path of a function ``(facts: dict, allowed: set[str])
-> str``, e.g. the Groq client the chat app provides); its text is used only if it names at
least one of the comps and every number in it is one the engine computed (``allowed``),
otherwise the template's text is used. Either way the narrative never states a number the
engine did not compute.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def money(x: float | int | None) -> str:
    return "–" if x is None else f"${x:,.0f}"


def pct(x: float | None) -> str:
    return "–" if x is None else f"{x * 100:+.1f}%"


def allowed_numbers(result: dict[str, Any]) -> set[str]:
    """Every number the report shows, as digits (commas and signs dropped)."""
    out: set[str] = set()

    def walk(v: Any) -> None:
        if isinstance(v, bool) or v is None:
            return
        if isinstance(v, (int, float)):
            for text in (
                f"{v:,.0f}",
                f"{v:,.2f}",
                f"{v}",
                f"{abs(v) * 100:.1f}",
                f"{abs(v) * 100:.0f}",
                f"{abs(v):,.0f}",
            ):
                out.add(text.replace(",", "").lstrip("-"))
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, (list, tuple)):
            for x in v:
                walk(x)
        elif isinstance(v, str):
            out.update(n.replace(",", "") for n in NUMBER.findall(v))

    walk(result)
    out.add(str(len(result.get("comps") or [])))
    return out


def numbers_ok(text: str, allowed: set[str]) -> bool:
    return all(n.replace(",", "") in allowed for n in NUMBER.findall(text))


def template(result: dict[str, Any]) -> str:
    s = result["subject"]
    where = s.get("address") or "this home"
    comps = result.get("comps") or []
    if result.get("estimate") is None:
        return f"We could not value {where}: {result.get('reason') or 'there is not enough data nearby.'}"
    rent = result.get("kind") == "rent"
    what = "a monthly rent of" if rent else "a value of"
    search = result.get("search") or {}
    parts = [
        f"We estimate {where} at {what} {money(result['estimate'])}, likely between {money(result['low'])} and "
        f"{money(result['high'])} (confidence: {result['confidence']})"
        + (f", or {money(result['ppsf'])} per square foot." if result.get("ppsf") and not rent else ".")
    ]
    best = sorted(comps, key=lambda c: -c["weight"])[:3]
    if best:
        names = "; ".join(
            f"{c['address']} sold for {money(c['price'])} on {c['close_date']}, adjusted to {money(c['adjusted'])}"
            for c in best
        )
        radius = search.get("radius_mi")
        months = search.get("months")
        parts.append(
            f"It reconciles {len(comps)} comparable sales"
            + (f" within {radius:g} miles closed in the last {months} months" if radius and months else "")
            + f". The ones that count most: {names}."
        )
    rates = result.get("rates") or {}
    bits = []
    if rates.get("per_sqft"):
        bits.append(f"each extra square foot adds about {money(rates['per_sqft'])}")
    if rates.get("per_bedroom"):
        bits.append(f"a bedroom {money(rates['per_bedroom'])}")
    if rates.get("per_bathroom"):
        bits.append(f"a bathroom {money(rates['per_bathroom'])}")
    if rates.get("pool"):
        bits.append(f"a pool {money(rates['pool'])}")
    if bits:
        parts.append(
            f"Adjustments come from {result.get('market_sales', 0):,} nearby sales rather than rules of thumb: "
            + ", ".join(bits)
            + "."
        )
    market = result.get("market") or {}
    if market.get("annual_change") is not None:
        parts.append(f"Local prices changed {pct(market['annual_change'])} over the past year.")
    if result.get("competition"):
        parts.append(f"{len(result['competition'])} similar homes are listed or pending nearby.")
    if result.get("reason"):
        parts.append(result["reason"])
    return " ".join(parts)


def _narrator() -> Callable[[dict[str, Any], set[str]], str] | None:
    path = getattr(settings, "CMA_NARRATOR", "")
    if not path:
        return None
    try:
        return import_string(path)
    except ImportError:
        log.warning("CMA_NARRATOR %r cannot be imported; using the template", path)
        return None


def narrate(result: dict[str, Any]) -> tuple[str, str]:
    """(text, source): the model's text when configured and faithful, else the template's."""
    fn = _narrator()
    if fn is not None and result.get("estimate") is not None:
        allowed = allowed_numbers(result)
        try:
            text = fn(result, allowed).strip()
        except Exception:  # a model outage must not cost the user their report
            log.exception("CMA narrator failed; using the template")
            text = ""
        names = [c["address"] for c in result.get("comps") or [] if c.get("address")]
        if text and numbers_ok(text, allowed) and any(n in text for n in names):
            return text, "llm"
        if text:
            log.warning("CMA narrator text rejected (a number the engine did not compute, or no comp named)")
    return template(result), "template"
