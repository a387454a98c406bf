from django.urls import path

from leads import csv_views, deal_views, routing_views, views

app_name = "leads"

urlpatterns = [
    path("", views.board, name="board"),
    path("leads/", views.lead_list, name="list"),
    path("leads/export.csv", csv_views.leads_export, name="export"),
    path("timeline/export.csv", csv_views.timeline_export, name="timeline_export"),
    path("leads/import/", csv_views.leads_import, name="import"),
    path("leads/<int:lead_id>/", views.lead_detail, name="detail"),
    path("leads/<int:lead_id>/update/", views.lead_update, name="update"),
    path("clients/<int:contact_id>/", views.client, name="client"),
    path("clients/<int:contact_id>/send/", views.client_send, name="client_send"),
    path("deals/", deal_views.deal_list, name="deals"),
    path("deals/new/", deal_views.deal_new, name="deal_new"),
    path("deals/<int:deal_id>/edit/", deal_views.deal_edit, name="deal_edit"),
    path("deals/<int:deal_id>/delete/", deal_views.deal_delete, name="deal_delete"),
    path("earnings/", deal_views.earnings, name="earnings"),
    path("routing/", routing_views.routing_page, name="routing"),
    path("earnings/export.csv", deal_views.earnings_export, name="earnings_export"),
]
