"""The report dict and its narrative: the template and a language model's text both quote only
numbers the engine computed, and name the comps."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cma import narrative
from cma.engine import valuate
from cma.report import build
from cma.sales import Sales, day_of
from cma.subjects import subject_from_document
from listings.readmodel.model import ReadModel
from listings.tests.pages_support import TODAY

from .support import cma_store_documents


@pytest.fixture(scope="module")
def result() -> dict:
    active_docs, closed_docs = cma_store_documents()
    active, closed = ReadModel.from_documents(active_docs), ReadModel.from_documents(closed_docs)
    subject = subject_from_document(next(d for d in active_docs if d["listingKey"] == "1900000001"))
    sales = Sales.from_read_model(closed)
    v = valuate(subject=subject, sales=sales, as_of_day=day_of(TODAY + timedelta(days=1)))
    return build(valuation=v, subject=subject, sales=sales, closed=closed, active=active, as_of=TODAY)


def test_report_is_consistent(result):
    assert result["low"] <= result["estimate"] <= result["high"]
    assert result["estimate"] % 1000 == 0
    assert 3 <= len(result["comps"]) <= 12
    assert abs(sum(c["weight"] for c in result["comps"]) - 1) < 0.01
    for c in result["comps"]:
        assert abs(c["price"] + sum(a["amount"] for a in c["adjustments"]) - c["adjusted"]) <= len(c["adjustments"])
    assert result["market"]["sales_12m"] > 0 and result["competition"]
    assert result["rent_comps"] and all(r["rent"] > 0 for r in result["rent_comps"])
    # the outlying sale at the subject's own spot (sold for far more) does not dominate
    sold = next((c for c in result["comps"] if c["address"] == "77 Sold St"), None)
    if sold is not None:
        assert sold["weight"] < 0.1


def test_template_quotes_only_engine_numbers_and_names_comps(result):
    text = narrative.template(result)
    assert narrative.numbers_ok(text, narrative.allowed_numbers(result))
    assert f"${result['estimate']:,}" in text and f"${result['low']:,}" in text
    top = max(result["comps"], key=lambda c: c["weight"])
    assert top["address"] in text


def faithful(facts, allowed):
    c = facts["comps"][0]
    return f"Worth about ${facts['estimate']:,}, judging mainly by {c['address']} at ${c['adjusted']:,}."


def inventive(facts, allowed):
    return f"Worth about $1,234,567, like {facts['comps'][0]['address']}."


def broken(facts, allowed):
    raise TimeoutError("model down")


@pytest.mark.parametrize(
    ("path", "source"),
    [
        ("cma.tests.test_narrative.faithful", "llm"),
        ("cma.tests.test_narrative.inventive", "template"),
        ("cma.tests.test_narrative.broken", "template"),
        ("cma.tests.no_such_module.fn", "template"),
        ("", "template"),
    ],
)
def test_llm_narrative_is_used_only_when_faithful(settings, result, path, source):
    settings.CMA_NARRATOR = path
    text, used = narrative.narrate(result)
    assert used == source
    assert narrative.numbers_ok(text, narrative.allowed_numbers(result))
    assert "1,234,567" not in text


def test_no_estimate_narrative_says_why():
    r = {"subject": {"address": "1 Far Rd"}, "estimate": None, "reason": "Fewer than 3 comparable sales nearby."}
    assert narrative.template(r) == "We could not value 1 Far Rd: Fewer than 3 comparable sales nearby."
