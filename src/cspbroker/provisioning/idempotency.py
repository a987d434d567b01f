"""Stored `Idempotency-Key`s of the API: the first answer to a POST, replayed for a repeat of it.

A key belongs to one actor (a person's session or one API token): two clients cannot collide. The
row is written in the same transaction as the order it answers, so a key is stored if and only if
its effect is; a repeat after a crash either finds both or neither.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from cspbroker import clock

KEY_MAX_LENGTH = 255


class IdempotencyRecord(models.Model):
    actor_ref = models.CharField(max_length=100)  # Actor.ref: user:12, token:3
    key = models.CharField(max_length=KEY_MAX_LENGTH)
    # SHA-256 of method, path and body: the same key with another request is refused, not replayed.
    fingerprint = models.CharField(max_length=64)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["actor_ref", "key"], name="idempotency_key_per_actor")
        ]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.actor_ref} {self.key} → {self.status_code}"
