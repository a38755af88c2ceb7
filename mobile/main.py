"""Starts the tablet app: `python -m mobile --server http://127.0.0.1:8000`.

HAVEN_SERVER=http://10.0.0.5:8000 python -m mobile --language ru --idle-minutes 5
"""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path


def options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m mobile", description=__doc__)
    parser.add_argument(
        "--server",
        default=os.environ.get("HAVEN_SERVER", "http://127.0.0.1:8000"),
        help="the Haven server's address (HAVEN_SERVER)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="where the offline queue and the settings live (default: the app's user folder)",
    )
    parser.add_argument("--language", default=None, help="en, ru, kk or uz")
    parser.add_argument(
        "--idle-minutes",
        type=float,
        default=None,
        help="sign out after this many minutes without a touch (default 10)",
    )
    parser.add_argument("--size", default=None, help="window size, e.g. 1280x800")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = options(argv)
    if args.size:
        from kivy.config import Config

        width, height = args.size.lower().split("x")
        Config.set("graphics", "width", width)
        Config.set("graphics", "height", height)

    from mobile.app import HavenApp

    app = HavenApp(
        server_url=args.server,
        data_dir=args.data_dir,
        language=args.language,
        idle_minutes=args.idle_minutes,
    )
    asyncio.run(app.async_run(async_lib="asyncio"))


if __name__ == "__main__":
    main()
