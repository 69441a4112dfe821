from django.urls import path

from evaluations import views

app_name = "evaluations"
urlpatterns = [
    path("benchmarks/", views.benchmark_list, name="benchmark_list"),
    path("benchmarks/<slug:slug>/", views.benchmark_detail, name="benchmark_detail"),
    path("best-fit/", views.best_fit_page, name="best_fit"),
]
