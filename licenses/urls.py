from django.urls import path

from licenses import views

app_name = "licenses"
urlpatterns = [
    path("licenses/", views.license_list, name="license_list"),
    path("licenses/check/", views.license_check, name="license_check"),
    path("licenses/<slug:slug>/", views.license_detail, name="license_detail"),
]
