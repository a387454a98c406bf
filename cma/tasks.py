"""Celery: render a saved report's PDF in the background (it renders on download otherwise)."""

from __future__ import annotations

from core.tenancy import tenant_task

from .models import CmaReport


@tenant_task(name="cma.render_pdf")
def cma_render_pdf(*, schema_name: str, report_id: int) -> bool:
    from .services import cma_pdf_ensure

    report = CmaReport.objects.filter(pk=report_id).first()
    if report is None or report.pdf:
        return False
    cma_pdf_ensure(report=report)
    return True
