"""The request sets of ``manage.py chat_intent`` (``data/intent_*.txt``) and the places their
listings store holds, shared by the test and the ``chat`` benchmark."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"
CASES = DATA / "intent_cases.txt"
HOLDOUT = DATA / "intent_holdout.txt"

# The cities and subdivisions of the store the requests are asked against (the demo feed's).
PLACES: dict[str, tuple[str, ...]] = {
    "Palm Springs": (
        "Movie Colony",
        "Old Las Palmas",
        "Deepwell Estates",
        "Racquet Club Estates",
        "Indian Canyons",
        "Canyon View Estates",
    ),
    "Palm Desert": (
        "Bighorn",
        "Indian Ridge",
        "Sun City Palm Desert",
        "Ironwood Country Club",
        "Palm Desert Country Club",
        "Desert Horizons",
    ),
    "La Quinta": ("PGA West", "The Madison Club", "Trilogy", "La Quinta Cove", "Rancho La Quinta"),
    "Indio": ("Sun City Shadow Hills", "Terra Lago", "Indian Palms Country Club", "Trilogy at the Polo Club"),
    "Cathedral City": ("Cathedral Canyon Country Club", "Desert Princess", "Panorama"),
    "Rancho Mirage": ("Mission Hills", "Thunderbird Heights", "Tamarisk Country Club", "Morningside"),
    "Indian Wells": ("Indian Wells Country Club", "The Reserve", "Toscana Country Club", "Eldorado Country Club"),
    "Desert Hot Springs": ("Mission Lakes Country Club",),
    "Coachella": ("Rancho Las Flores", "Vista del Norte"),
    "Thousand Palms": ("Sun Ridge",),
    "Bermuda Dunes": ("Bermuda Dunes Country Club",),
    "Riverside": ("Wood Streets", "Canyon Crest", "Orangecrest", "La Sierra"),
    "Temecula": ("Redhawk", "Wolf Creek", "Paloma del Sol", "Harveston"),
    "Murrieta": ("Bear Creek", "Greer Ranch", "Los Alamos Hills"),
    "Corona": ("Sierra del Oro", "Eagle Glen", "South Corona"),
    "Irvine": ("Woodbridge", "Turtle Rock", "Northwood", "Great Park", "Quail Hill"),
    "Anaheim": ("Anaheim Hills", "Anaheim Colony Historic District", "West Anaheim"),
    "Long Beach": ("Belmont Shore", "Naples", "Bixby Knolls", "Los Altos", "Alamitos Beach"),
    "Pasadena": ("Bungalow Heaven", "San Rafael", "Madison Heights", "Linda Vista"),
    "San Diego": ("La Jolla", "North Park", "Pacific Beach", "Point Loma", "Carmel Valley", "Clairemont"),
}


@dataclass(frozen=True)
class Case:
    request: str
    expected: dict[str, Any]
    in_conversation: bool  # a ">>" line: one conversation with the ">>" lines around it


def cases(path: Path = CASES) -> list[Case]:
    out = []
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        request, _, expected = line.removeprefix(">>").partition("=>")
        if not expected:
            raise ValueError(f"{path.name}:{n}: no '=>'")
        out.append(Case(request.strip(), json.loads(expected), line.startswith(">>")))
    return out


def conversations(items: list[Case]) -> Iterator[list[Case]]:
    """Each run of ">>" lines is one conversation (the assistant decides which of its
    messages refine the search before and which start a new one); any other line stands alone."""
    block: list[Case] = []
    for c in items:
        if block and not (c.in_conversation and block[-1].in_conversation):
            yield block
            block = []
        block.append(c)
    if block:
        yield block


def stdin_of(items: list[Case]) -> str:
    """The command's input: conversations separated by a blank line."""
    return "\n\n".join("\n".join(c.request for c in conv) for conv in conversations(items)) + "\n"


def accuracy(items: list[Case], answers: list[dict[str, Any]]) -> tuple[float, list[str]]:
    assert len(answers) == len(items), (len(answers), len(items))
    wrong = [
        f"{c.request!r}: expected {json.dumps(c.expected)}, got {json.dumps(a)}"
        for c, a in zip(items, answers, strict=True)
        if a != c.expected
    ]
    return 1 - len(wrong) / len(items), wrong


def run_all(
    items: list[Case], understand: Callable[[str, dict[str, Any] | None], dict[str, Any]]
) -> list[dict[str, Any]]:
    answers: list[dict[str, Any]] = []
    for conv in conversations(items):
        previous = None
        for c in conv:
            previous = understand(c.request, previous)
            answers.append(previous)
    return answers
