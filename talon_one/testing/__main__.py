"""Run the fake from a shell: ``python -m talon_one.testing --port 9000``."""

import argparse
import signal
import sys
import threading
from types import FrameType
from typing import List, Optional

from .server import DEFAULT_API_KEY, DEFAULT_APPLICATION_ID, DEFAULT_APPLICATION_KEY, FakeTalonOne


def _parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m talon_one.testing",
        description="Serve a local fake of the Talon.One Integration API until Ctrl-C.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: 0, any free port)")
    parser.add_argument("--api-key", default=DEFAULT_API_KEY, help=f"API key to accept (default: {DEFAULT_API_KEY})")
    parser.add_argument(
        "--application-id",
        type=int,
        default=DEFAULT_APPLICATION_ID,
        help="application ID for Content-Signature requests",
    )
    parser.add_argument(
        "--application-key", default=DEFAULT_APPLICATION_KEY, help="hex application key for Content-Signature requests"
    )
    return parser.parse_args(argv)


def _stop_on_sigterm() -> None:
    def handle(signum: int, frame: Optional[FrameType]) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handle)


def main(argv: Optional[List[str]] = None) -> int:
    args = _parse_args(argv)
    fake = FakeTalonOne(
        api_key=args.api_key,
        application_id=args.application_id,
        application_key=args.application_key,
        host=args.host,
        port=args.port,
    )
    # The stop signals are handled from before the first line is printed: a caller may send
    # one as soon as it has read the base URL.
    _stop_on_sigterm()
    fake.start()
    try:
        print(f"Fake Talon.One Integration API at {fake.base_url}")
        print(f"API key: {fake.api_key}  (send 'Authorization: ApiKey-v1 {fake.api_key}')")
        print("Demo coupons: " + ", ".join(rule.code for rule in fake.promotions.coupons))
        print("Press Ctrl-C to stop.", flush=True)
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
    print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
