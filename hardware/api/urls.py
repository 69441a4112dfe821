from django.urls import path

from hardware.api.views import EstimateView

urlpatterns = [
    path("estimate/", EstimateView.as_view(), name="api-estimate"),
]
