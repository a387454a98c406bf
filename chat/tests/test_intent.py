"""``manage.py chat_intent`` on the request sets, against a listings store holding the
demo feed's cities and subdivisions (``intent_support.PLACES``)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from chat.tests import intent_support as support
from devtools.synthetic.listings import documents
from listings.tests.pages_support import clear_store, load_store

SETS = [support.CASES, support.HOLDOUT, support.DATA / "intent_holdout2.txt"]


def place_documents() -> list[dict[str, Any]]:
    pairs = [(city, sub) for city, subs in support.PLACES.items() for sub in (None, *subs)]
    docs = list(documents(len(pairs), seed=12))
    for doc, (city, sub) in zip(docs, pairs, strict=True):
        doc["city"], doc["subdivisionName"] = city, sub
    return docs


@pytest.fixture(scope="module")
def place_store(django_db_setup: None, mongo_db: Any) -> Iterator[None]:
    load_store(place_documents())
    yield
    clear_store()


def run_command(stdin: str, *args: str) -> list[dict[str, Any]]:
    out = io.StringIO()
    call_command("chat_intent", *args, stdin=io.StringIO(stdin), stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_request_sets_have_enough_variety() -> None:
    items = [c for path in SETS for c in support.cases(path)]
    assert len(items) >= 200
    alone = [c.request.lower() for c in items if not c.in_conversation]
    assert len(set(alone)) == len(alone), "duplicate requests"
    assert sum(c.in_conversation for c in items) >= 40
    for key in (
        "city",
        "subdivision",
        "minPrice",
        "maxPrice",
        "minBeds",
        "maxBeds",
        "minBaths",
        "minSqft",
        "maxSqft",
        "propertyType",
        "propertySubType",
        "pool",
        "landLease",
        "sort",
    ):
        assert sum(key in c.expected for c in items) >= 5, key


@pytest.mark.parametrize("path", SETS, ids=lambda p: Path(p).stem)
def test_chat_intent_accuracy(place_store: None, path: Path) -> None:
    items = support.cases(path)
    answers = run_command(support.stdin_of(items))
    accuracy, wrong = support.accuracy(items, answers)
    assert accuracy >= 0.95, "\n".join(wrong)


def test_output_has_only_the_listed_keys_in_order(place_store: None) -> None:
    answers = run_command("Find 3 bed homes in Palm Springs under $500k\n\nhi\n")
    first, second = answers
    assert list(first) == ["city", "maxPrice", "minBeds"]
    assert first == {"city": "Palm Springs", "maxPrice": 500000, "minBeds": 3}
    assert second == {}


def test_lines_are_a_conversation_unless_independent(place_store: None) -> None:
    text = "condos in palm desert\nwith a pool\n"
    assert run_command(text)[1] == {"city": "Palm Desert", "propertySubType": "Condominium", "pool": True}
    assert run_command(text, "--independent")[1] == {"pool": True}


def test_places_come_from_the_store(place_store: None) -> None:
    """A city the store does not hold is not a place; one it starts holding is."""
    assert run_command("homes in springfield\n") == [{}]
    load_store([*place_documents(), {**place_documents()[0], "listingKey": "x1", "city": "Springfield"}])
    try:
        assert run_command("homes in springfeld\n") == [{"city": "Springfield"}]
    finally:
        load_store(place_documents())
