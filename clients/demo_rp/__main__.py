"""`python -m clients.demo_rp --port 5001 --credentials instance/demo-client.json`."""

from __future__ import annotations

import argparse
import ipaddress
import json
import sys
from pathlib import Path

from clients.demo_rp import create_app


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m clients.demo_rp",
        description="The demo relying application (development server, plain http).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="default: %(default)s")
    parser.add_argument("--port", type=int, default=5001, help="default: %(default)s")
    parser.add_argument(
        "--credentials",
        type=Path,
        default=Path("instance/demo-client.json"),
        help="the file `idp demo seed --output` wrote (default: %(default)s)",
    )
    parser.add_argument("--title", help="the name it shows (default: the credentials' title)")
    args = parser.parse_args(argv)
    if not _is_loopback(args.host):
        parser.error("the demo serves plain http: keep it on a loopback address")
    try:
        credentials = json.loads(args.credentials.read_text(encoding="utf-8"))
    except FileNotFoundError:
        parser.error(f"{args.credentials} not found: run `idp demo seed --output PATH` first")
    except json.JSONDecodeError as exc:
        parser.error(f"{args.credentials}: {exc}")
    if args.title:
        credentials["title"] = args.title
    try:
        app = create_app(credentials)
    except ValueError as exc:
        parser.error(f"{args.credentials}: {exc}")
    print(f"demo application on http://{args.host}:{args.port}/ (IdP {credentials['issuer']})")
    app.run(host=args.host, port=args.port, threaded=True, use_reloader=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
