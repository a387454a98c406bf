from django.urls import path

from . import views

app_name = "invest"

urlpatterns = [
    path("analyze/", views.analyze, name="analyze"),
    path("analyses/", views.save, name="save"),
    path("analyses/history/", views.history, name="history"),
    path("analyses/<uuid:public_id>/", views.analysis, name="analysis"),
    path("analyses/<uuid:public_id>/pdf/", views.analysis_pdf, name="pdf"),
]
