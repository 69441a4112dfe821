"""The adoption layer's pages, under ``our/`` (internal: adoption/views.py says who sees them)."""

from django.urls import path

from adoption import views

app_name = "adoption"

urlpatterns = [
    path("our/", views.index, name="index"),
    path("our/approved/", views.approval_list, name="approval_list"),
    path("our/may-we-use/", views.may_we_use, name="may_we_use"),
    path("our/following/", views.following, name="following"),
    path("our/following/<int:pk>/stop/", views.following_stop, name="following_stop"),
]
