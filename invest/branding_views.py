"""``/invest/branding/``: the investor's report logo and name (Investor 3), used by the CMA,
analysis and comparison PDFs asked for with ``?brand=mine`` (``cma.white_label``)."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cma.white_label import (
    ValidationError,
    report_brand_name_set,
    report_logo_clear,
    report_logo_set,
    white_label_allowance,
)
from config.features import feature_on

MAX_FORM_BYTES = 6 * 1024 * 1024


@require_http_methods(["GET", "POST"])
def branding(request: HttpRequest) -> HttpResponse:
    if not feature_on("white_label_reports"):
        raise Http404("Not available")
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    allowance = white_label_allowance(user=request.user)
    context = {"allowance": allowance, "error": ""}
    status = 200
    if request.method == "POST" and allowance.allowed:
        error = _apply(request)
        if not error:
            return redirect("invest:branding")
        context["error"], status = error, 400
    return render(request, "invest/branding.html", context, status=status)


def _apply(request: HttpRequest) -> str:
    """The form's change (upload, rename or remove); an error message or ''."""
    user = request.user
    name = request.POST.get("brand_name", "")
    if request.POST.get("action") == "remove":
        report_logo_clear(user=user)
        return ""
    upload = request.FILES.get("logo")
    if upload is None:
        report_brand_name_set(user=user, brand_name=name)
        return ""
    if upload.size is None or upload.size > MAX_FORM_BYTES:
        return "Logo files can be up to 5 MB."
    try:
        report_logo_set(user=user, data=upload.read(), filename=upload.name or "", brand_name=name)
    except ValidationError as e:
        return " ".join(e.messages)
    return ""
