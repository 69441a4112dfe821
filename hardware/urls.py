from django.urls import path

from hardware import views

app_name = "hardware"
urlpatterns = [
    path("can-i-run-it/", views.fit, name="fit"),
    path("can-i-run-it/config/", views.fit_config, name="fit_config"),
    path("hardware/", views.index, name="index"),
    path("hardware/sizing/", views.sizing, name="sizing"),
    path("hardware/accelerators/<slug:slug>/", views.accelerator_detail, name="accelerator_detail"),
    path("hardware/profiles/<slug:slug>/", views.profile_detail, name="profile_detail"),
]
