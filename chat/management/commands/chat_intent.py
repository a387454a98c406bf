"""``manage.py chat_intent``: what the offline assistant understands of each request.

Reads one request per line on stdin and prints one JSON object per line: the arguments of
the ``search_listings`` call the offline assistant would make (``chat.intent``), with only
the keys the request implies. Consecutive lines are one conversation, so a follow-up
("only the ones with a pool", "cheaper") refines the line before; an empty line starts a new
conversation and prints nothing. ``--independent`` reads every line on its own. Cities and
subdivisions are those of the listings store the settings point to.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from chat.intent import understand
from chat.places import places_of
from listings.readmodel.loader import get_read_model


class Command(BaseCommand):
    stealth_options = ("stdin",)
    help = "Print the search_listings arguments the offline assistant makes for each request on stdin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--independent", action="store_true", help="No follow-ups: every line stands alone.")

    def handle(self, *args: Any, **options: Any) -> None:
        stdin = options.get("stdin") or sys.stdin
        places = places_of(get_read_model())
        previous: dict[str, Any] | None = None
        for line in stdin:
            text = line.strip()
            if not text:
                previous = None
                continue
            found = understand(text, places=places, previous=None if options["independent"] else previous)
            previous = found
            self.stdout.write(json.dumps(found))
            self.stdout.flush()
