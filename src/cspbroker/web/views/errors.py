"""Error pages: JSON problems under /api/, plain pages elsewhere, never a traceback."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cspbroker.api.problems import problem


def _page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        code = {400: "bad_request", 403: "forbidden", 404: "not_found", 500: "internal_error"}[status]
        return problem(status, code, title, message, request=request)
    return render(
        request, "errors/error.html", {"title": title, "message": message, "status": status}, status=status
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 404, "Page not found", "There is nothing here, or it is not yours to see.")


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request, 403, "Not allowed", "You may not do this. If the page was open for long, reload it."
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 400, "Bad request", "The request could not be understood.")


def server_error(request: HttpRequest) -> HttpResponse:
    return _page(
        request, 500, "Something went wrong", "The error was logged. Try again, or contact the operator."
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _page(
        request, 403, "The form expired", "Reload the page and try again: the form was open too long."
    )
