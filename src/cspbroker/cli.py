"""The `cspbroker` command: a thin front for Django's management commands plus a few of its own.

cspbroker demo load                  load the demo organisations and logins
cspbroker createoperator [flags]     create the operator and its first admin
cspbroker token create --email E     print a new API token for scripts
cspbroker sandbox serve [flags]      run the provider sandboxes (Partner Center, distributor, ESD)
cspbroker up                         run web server, worker and sandboxes together (make run)
cspbroker <django command> …         migrate, run_huey, shell, …
"""

from __future__ import annotations

import os
import sys

# Two-word commands of our own, mapped to the management command that implements them.
_ALIASES = {
    ("demo", "load"): "demo_load",
    ("token", "create"): "token_create",
    ("catalog", "import"): "catalog_import",
    ("billing", "run"): "billing_run",
}


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:2] == ["sandbox", "serve"]:
        from cspbroker.sandbox.serve import main as serve_sandbox

        return int(serve_sandbox(args[2:]))
    if args[:1] == ["up"]:
        from cspbroker.runner import main as run_all

        return int(run_all(args[1:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cspbroker.config.settings")
    if len(args) >= 2 and (args[0], args[1]) in _ALIASES:
        args = [_ALIASES[(args[0], args[1])], *args[2:]]
    elif args and args[0] in {"demo", "token", "sandbox", "catalog", "billing"}:
        print(f"cspbroker: unknown command {' '.join(args[:2])!r}; see `cspbroker help`.", file=sys.stderr)
        return 2
    from django.core.management import execute_from_command_line

    execute_from_command_line(["cspbroker", *args])
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
