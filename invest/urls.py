from django.urls import path

from . import branding_views, compare_views, portfolio_views, trends_views, views

app_name = "invest"

urlpatterns = [
    path("analyze/", views.analyze, name="analyze"),
    path("analyses/", views.save, name="save"),
    path("analyses/history/", views.history, name="history"),
    path("analyses/<uuid:public_id>/", views.analysis, name="analysis"),
    path("analyses/<uuid:public_id>/pdf/", views.analysis_pdf, name="pdf"),
    path("compare/", compare_views.compare, name="compare"),
    path("compare/pdf/", compare_views.compare_pdf, name="compare_pdf"),
    path("trends/", trends_views.trends, name="trends"),
    path("trends.csv", trends_views.trends_csv, name="trends_csv"),
    path("portfolio/", portfolio_views.portfolio, name="portfolio"),
    path("portfolio/add/", portfolio_views.add, name="portfolio_add"),
    path("portfolio/import/", portfolio_views.import_csv, name="portfolio_import"),
    path("portfolio.csv", portfolio_views.export_csv, name="portfolio_csv"),
    path("portfolio/<uuid:public_id>/", portfolio_views.home, name="portfolio_home"),
    path("portfolio/<uuid:public_id>/remove/", portfolio_views.remove, name="portfolio_remove"),
    path("branding/", branding_views.branding, name="branding"),
]
