from django.urls import path

from leads import views, views_csv

app_name = "leads"

urlpatterns = [
    path("", views.board, name="board"),
    path("leads/", views.lead_list, name="list"),
    path("leads/export.csv", views_csv.leads_export, name="export"),
    path("timeline/export.csv", views_csv.timeline_export, name="timeline_export"),
    path("leads/import/", views_csv.leads_import, name="import"),
    path("leads/<int:lead_id>/", views.lead_detail, name="detail"),
    path("leads/<int:lead_id>/update/", views.lead_update, name="update"),
    path("clients/<int:contact_id>/", views.client, name="client"),
    path("clients/<int:contact_id>/send/", views.client_send, name="client_send"),
]
