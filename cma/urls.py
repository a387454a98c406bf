from django.urls import path

from . import views

app_name = "cma"

urlpatterns = [
    path("", views.cma_form, name="form"),
    path("history/", views.cma_history, name="history"),
    path("<uuid:public_id>/", views.cma_report, name="report"),
    path("<uuid:public_id>/pdf/", views.cma_report_pdf, name="pdf"),
]
