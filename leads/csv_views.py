"""CSV download of leads and of the timeline; import with a preview and row errors."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render

from leads import csv_io, selectors
from leads.models import Activity
from leads.views import crm_required

_PREVIEW_KEY = "leads_import"


@crm_required
def leads_export(request: HttpRequest) -> StreamingHttpResponse:
    leads = selectors.lead_list(user=request.user, filters=selectors.lead_filters_from(request.GET))
    response = StreamingHttpResponse(csv_io.leads_csv(leads.iterator()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="leads.csv"'
    return response


@crm_required
def timeline_export(request: HttpRequest) -> StreamingHttpResponse:
    visible = selectors.visible_leads(user=request.user).values("contact_id")
    activities = Activity.objects.filter(contact_id__in=visible).select_related("contact", "actor")
    response = StreamingHttpResponse(csv_io.timeline_csv(activities.iterator()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="timeline.csv"'
    return response


@crm_required
def leads_import(request: HttpRequest) -> HttpResponse:
    """GET: the upload form. POST with a file: the preview (nothing written). POST confirm:
    the good rows of the previewed file are written (the file is kept in the session)."""
    if request.method == "POST" and request.POST.get("confirm"):
        stored = request.session.get(_PREVIEW_KEY) or {}
        if stored.get("digest") != request.POST.get("digest"):
            messages.error(request, "Upload the file again: the preview has expired.")
            return redirect("leads:import")
        checked = csv_io.import_preview(stored["data"].encode())
        written = csv_io.import_commit(checked, actor=request.user)
        request.session.pop(_PREVIEW_KEY, None)
        messages.success(request, f"Imported {written} leads; {len(checked.bad)} rows skipped.")
        return redirect("leads:list")
    preview: csv_io.ImportPreview | None = None
    digest = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "Choose a CSV file.")
            return redirect("leads:import")
        data = upload.read(csv_io.MAX_IMPORT_BYTES + 1)
        preview = csv_io.import_preview(data)
        if not preview.errors:
            digest = hashlib.sha256(data).hexdigest()
            request.session[_PREVIEW_KEY] = {"digest": digest, "data": data.decode("utf-8-sig")}
    return render(
        request, "leads/import.html", {"preview": preview, "digest": digest, "columns": csv_io.IMPORT_COLUMNS}
    )
