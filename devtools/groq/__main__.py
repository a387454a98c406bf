"""``python -m devtools.groq --port 8768 [--text ...] [--tokens-per-second 20]``"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal

from devtools.groq.server import DEFAULT_TEXT, FakeGroq


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m devtools.groq", description="Local fake of Groq's chat API.")
    parser.add_argument("--host", default=os.environ.get("FAKE_GROQ_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("FAKE_GROQ_PORT", 8768)))
    parser.add_argument("--text", default=DEFAULT_TEXT, help="the answer when nothing is scripted")
    parser.add_argument("--tokens-per-second", type=float, default=0, help="0: answer at once")
    parser.add_argument(
        "--close-each-stream",
        action="store_true",
        help="end each stream by closing its connection (no keep-alive, no chunked framing)",
    )
    args = parser.parse_args(argv)
    fake = FakeGroq(
        host=args.host,
        port=args.port,
        text=args.text,
        tps=args.tokens_per_second,
        keep_alive=not args.close_each_stream,
    ).start()
    print(f"fake Groq on {fake.url} (GROQ_BASE_URL={fake.url})", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    fake.stop()


if __name__ == "__main__":
    main()
