"""Gap-free document numbers per issuer, series and year: a counter row locked for the transaction.

`select_for_update` holds the counter row until the issuing transaction commits, so two concurrent
issues queue instead of taking the same number, and a transaction that rolls back gives its number
back (nothing is consumed outside the transaction). Never MAX()+1 (Silver's anti-pattern).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from cspbroker.billing.models import DocumentCounter

PREFIXES = {"invoice": "INV", "credit_note": "CN"}


def next_number(*, issuer_id: int, series: str, year: int) -> tuple[int, str]:
    """The next sequence and its printed number ("INV-2026-00001"); call inside the issuing transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Document numbers are taken inside the transaction that issues the document.")
    counters = DocumentCounter.objects.select_for_update()
    counter = counters.filter(issuer_id=issuer_id, series=series, year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                DocumentCounter.objects.create(issuer_id=issuer_id, series=series, year=year, last=0)
        except IntegrityError:
            pass  # created by a concurrent transaction meanwhile: lock that one
        counter = counters.get(issuer_id=issuer_id, series=series, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last, f"{PREFIXES[series]}-{year}-{counter.last:05d}"
