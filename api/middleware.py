"""Everything under ``/api/`` answers in the API's error shape, including what no operation
answered: an unknown path (Django's 404, or APPEND_SLASH's redirect towards a page), a method an
endpoint does not take (405, with ``Allow``), a failed CSRF check of a plain Django view, a
server error."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from api.errors import error_response

_ANSWERS = {
    404: ("not_found", "There is no such API endpoint (see /api/openapi.json)."),
    405: ("method_not_allowed", "This endpoint does not take that method (see the Allow header)."),
    403: ("forbidden", "Not allowed."),
    500: ("server_error", "Something went wrong on our side. Please try again."),
    503: ("unavailable", "A service behind this endpoint is briefly unavailable. Please retry shortly."),
}


def _is_json(response: HttpResponseBase) -> bool:
    return response.get("Content-Type", "").startswith(("application/json", "text/event-stream"))


class ApiErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not request.path_info.startswith("/api/") or _is_json(response):
            return response
        if response.status_code == 301 and response.get("Location", "").split("?")[0].endswith(request.path + "/"):
            # CommonMiddleware's APPEND_SLASH: no API path ends in a slash, so this one is unknown.
            response = HttpResponse(status=404)
        if response.status_code < 400:
            return response
        code, message = _ANSWERS.get(response.status_code, ("error", "The request could not be answered."))
        if response.status_code == 405:
            allowed = response.get("Allow", "")
            message = f"This endpoint takes {allowed}." if allowed else message
        answer: HttpResponse = error_response(response.status_code, code, message)
        for header in ("Allow", "Retry-After", "Cache-Control"):
            if header in response:
                answer[header] = response[header]
        return answer
