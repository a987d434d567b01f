"""`Idempotency-Key` on POST: a repeat of the same request returns the first answer, never a second order.

- The key is the client's (1–255 printable characters), scoped to the actor: a person's session and
  each API token have their own keys.
- The first request runs the handler and stores its status and body in the same transaction as the
  handler's writes, so the key is stored if and only if its effect is (a crash leaves neither).
- A repeat with the same method, path and body gets the stored status and body, with
  `Idempotent-Replayed: true`; the same key with another request is a 422 `idempotency_key_reused`.
- Two concurrent requests with one key: the database's unique constraint makes the second wait for
  the first and then replay it.
- 5xx answers are not stored: the client may retry them with the same key.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Schema
from ninja.responses import NinjaJSONEncoder

from cspbroker.api.auth import actor
from cspbroker.api.errors import problem_for
from cspbroker.api.problems import problem
from cspbroker.provisioning.idempotency import KEY_MAX_LENGTH, IdempotencyRecord

HEADER = "Idempotency-Key"
Handler = Callable[..., Any]


class _Unstored(Exception):
    def __init__(self, response: HttpResponse) -> None:
        self.response = response


def fingerprint(request: HttpRequest) -> str:
    body: Any = request.body.decode("utf-8", "replace")
    with contextlib.suppress(ValueError):  # not JSON: the raw body is the fingerprint
        body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")) if body else ""
    text = f"{request.method}\n{request.path}\n{body}"
    return hashlib.sha256(text.encode()).hexdigest()


def _render(schema: type[Schema], status: int, result: Any) -> JsonResponse:
    if isinstance(result, HttpResponse):
        return result  # type: ignore[return-value]
    body = schema.model_validate(result).model_dump(mode="json")
    return JsonResponse(body, status=status, encoder=NinjaJSONEncoder, safe=False)


def _run(
    handler: Handler, schema: type[Schema], status: int, request: HttpRequest, *a: Any, **kw: Any
) -> Any:
    try:
        return _render(schema, status, handler(request, *a, **kw))
    except Exception as error:  # the API's own handlers turn it into problem+json, as without a key
        return problem_for(request, error)


def _replay(record: IdempotencyRecord, print_: str, request: HttpRequest) -> HttpResponse:
    if record.fingerprint != print_:
        return problem(
            422,
            "idempotency_key_reused",
            "The idempotency key was used for another request",
            f"The key was first used for {record.method} {record.path} with another body; "
            "use a new key for a new request.",
            request=request,
            field=HEADER,
        )
    content_type = "application/problem+json" if record.status_code >= 400 else "application/json"
    response = JsonResponse(record.response, status=record.status_code, safe=False, content_type=content_type)
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(schema: type[Schema], status: int = 200) -> Callable[[Handler], Handler]:
    """Make a POST handler honour `Idempotency-Key`; the handler returns what `schema` validates."""

    def decorate(handler: Handler) -> Handler:
        @wraps(handler)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            key = request.headers.get(HEADER)
            if key is None:
                return _run(handler, schema, status, request, *args, **kwargs)  # type: ignore[no-any-return]
            key = key.strip()
            if not key or len(key) > KEY_MAX_LENGTH or not key.isprintable():
                return problem(
                    422,
                    "invalid_idempotency_key",
                    "The idempotency key is not valid",
                    f"Send 1 to {KEY_MAX_LENGTH} printable characters.",
                    request=request,
                    field=HEADER,
                )
            who = actor(request).ref
            print_ = fingerprint(request)
            stored = IdempotencyRecord.objects.filter(actor_ref=who, key=key).first()
            if stored is not None:
                return _replay(stored, print_, request)
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        actor_ref=who,
                        key=key,
                        fingerprint=print_,
                        method=request.method or "",
                        path=request.path[:300],
                        status_code=0,
                        response={},
                    )
                    response = _run(handler, schema, status, request, *args, **kwargs)
                    if response.status_code >= 500:
                        raise _Unstored(response)
                    record.status_code = response.status_code
                    record.response = json.loads(response.content or b"null")
                    record.save(update_fields=["status_code", "response"])
            except _Unstored as unstored:
                return unstored.response
            except IntegrityError:
                # Another request with this key committed first: answer as it did.
                return _replay(IdempotencyRecord.objects.get(actor_ref=who, key=key), print_, request)
            return response  # type: ignore[no-any-return]

        # ninja reads the parameters from the signature; resolve the handler's string annotations
        # in the handler's own module, since the wrapper lives in this one.
        wrapper.__signature__ = inspect.signature(handler, eval_str=True)  # type: ignore[attr-defined]
        return wrapper

    return decorate
