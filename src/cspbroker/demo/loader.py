"""Everything `cspbroker demo load` (and so `make run`) puts in place, in order, idempotently."""

from __future__ import annotations

from dataclasses import dataclass

from cspbroker.accounts import demo as accounts_demo
from cspbroker.accounts.models import Organization
from cspbroker.connections import demo as connections_demo
from cspbroker.connections.models import Connection


@dataclass(frozen=True)
class DemoResult:
    logins: list[accounts_demo.DemoLogin]
    connections: list[Connection]


def load() -> DemoResult:
    logins = accounts_demo.load()
    operator = Organization.objects.get(kind="operator")
    connections = connections_demo.load(operator)
    return DemoResult(logins=logins, connections=connections)
