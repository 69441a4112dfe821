"""The licence pages. The "may we…" checker is the catalog's (it picks models) but keeps its
place in this namespace, ``licenses:license_check``: llmregistry/urls.py, above both apps,
adds it here."""

from django.urls import path

from licenses import views

app_name = "licenses"
urlpatterns = [
    path("licenses/", views.license_list, name="license_list"),
    path("licenses/<slug:slug>/", views.license_detail, name="license_detail"),
]
