from __future__ import annotations

from django.db.models import QuerySet

from cspbroker.accounts.access import Actor, get_scoped_or_404, scoped
from cspbroker.connections.models import Connection


def connections_for(actor: Actor) -> QuerySet[Connection]:
    return scoped(actor, Connection.objects.select_related("organization"), "organization")


def connection_for(actor: Actor, connection_id: int) -> Connection:
    return get_scoped_or_404(
        actor, Connection.objects.select_related("organization"), "organization", pk=connection_id
    )
