"""RFC 9457 problem+json responses with a stable `code`, for every error the API returns."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse

PROBLEM_TYPE_BASE = "https://cspbroker.dev/problems/"


def problem(
    status: int, code: str, title: str, detail: str = "", *, request: HttpRequest | None = None, **extra: Any
) -> JsonResponse:
    body: dict[str, Any] = {"type": PROBLEM_TYPE_BASE + code, "title": title, "status": status, "code": code}
    if detail:
        body["detail"] = detail
    if request is not None:
        body["instance"] = request.path
    body.update({k: v for k, v in extra.items() if v is not None})
    return JsonResponse(body, status=status, content_type="application/problem+json")
