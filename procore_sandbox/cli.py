"""`procore-sandbox`: serve the embedded Procore sandbox in the foreground until interrupted."""

from __future__ import annotations

import argparse
import socket
import sys
import threading

import uvicorn

from procore_sandbox.app import build_app
from procore_sandbox.options import OptionsError, SandboxOptions
from procore_sandbox.state import SandboxState


def port_number(text: str) -> int:
    """A TCP port, 0 (any free port) to 65535, for argparse (the sandbox imports nothing of this project,
    so not `pipeline_settings.cli_args`)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0-65535)")
    return port


def parser() -> argparse.ArgumentParser:
    """The command line: one flag per `SandboxOptions` field, plus `--host` and `--port`."""
    d = SandboxOptions()
    p = argparse.ArgumentParser(prog="procore-sandbox",
                                description="A local server that behaves like Procore's REST API.")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=port_number, default=8765, help="port to serve on (default 8765; 0 = any free port)")
    p.add_argument("--seed", type=int, default=d.seed, help=f"data seed (default {d.seed})")
    p.add_argument("--companies", type=int, default=d.companies, help=f"companies (default {d.companies})")
    p.add_argument("--projects", type=int, default=d.projects, help=f"projects per company (default {d.projects})")
    p.add_argument("--records-per-project", type=int, default=d.records_per_project,
                   help=f"RFIs of a medium project (busy ones hold 2-3x, small and tiny ones fewer or none); "
                        f"submittals, budget rows, change events scale with it (default {d.records_per_project})")
    p.add_argument("--client-id", default=d.client_id, help=f"OAuth client id (default {d.client_id})")
    p.add_argument("--client-secret", default=d.client_secret, help=f"OAuth client secret (default {d.client_secret})")
    p.add_argument("--latency-ms", type=float, default=d.latency_ms,
                   help="added latency per API call in ms (default 0)")
    p.add_argument("--error-rate", type=float, default=d.error_rate,
                   help="share of API calls answered 500/502/503 (default 0)")
    p.add_argument("--rate-limit-hourly", type=int, default=d.rate_limit_hourly,
                   help=f"requests per hour per company (default {d.rate_limit_hourly})")
    p.add_argument("--rate-limit-spike", type=int, default=d.rate_limit_spike,
                   help=f"requests per 10 seconds per company (default {d.rate_limit_spike})")
    p.add_argument("--token-ttl", type=int, default=d.token_ttl,
                   help=f"access token lifetime in s (default {d.token_ttl})")
    p.add_argument("--start-time", default=None,
                   help="ISO-8601 start of the sandbox clock (default: now); seeded timestamps are relative to it")
    return p


def main(argv: list[str] | None = None) -> int:
    """Parse flags, print where the sandbox serves and with which credentials, and serve."""
    args = parser().parse_args(argv)
    values = {k: v for k, v in vars(args).items() if k not in ("host", "port")}
    try:
        options = SandboxOptions(**values)
    except OptionsError as error:
        print(f"procore-sandbox: {error}", file=sys.stderr)
        return 2
    state = SandboxState(options)
    sock = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
        sock.listen(2048)  # connections queue from now on, so the URL printed below works at once
    except OSError as error:
        print(f"procore-sandbox: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 2
    config = uvicorn.Config(build_app(state), log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    companies = ",".join(str(c.id) for c in state.store.companies)
    base = f"http://{args.host}:{sock.getsockname()[1]}"
    print(f"Procore sandbox on {base} (OAuth and REST on the same base)")
    print(f"  PROCORE_API_BASE_URL={base}")
    print(f"  PROCORE_LOGIN_BASE_URL={base}")
    print(f"  PROCORE_CLIENT_ID={options.client_id}")
    print(f"  PROCORE_CLIENT_SECRET={options.client_secret}")
    print(f"  PROCORE_COMPANY_IDS={companies}")
    print(f"  {options.companies} companies x {options.projects} projects, seed {options.seed}; "
          f"clock starts {state.clock.now_iso()}; admin at {base}/_sandbox/info", flush=True)
    # Generate project data in the background so the first full read is fast.
    threading.Thread(target=state.store.warm, name="sandbox-warm", daemon=True).start()
    try:
        server.run(sockets=[sock])
    finally:
        state.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
