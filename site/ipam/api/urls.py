from django.urls import path

from ipam.api import views

urlpatterns = [
    path("add-subnet/", views.AddSubnetView.as_view(), name="ipam-add-subnet"),
    path("add-range/", views.AddRangeView.as_view(), name="ipam-add-range"),
    path("next-free-ip/", views.NextFreeIPView.as_view(), name="ipam-next-free-ip"),
    path("next-free-block/", views.NextFreeBlockView.as_view(), name="ipam-next-free-block"),
    path("search/", views.SearchView.as_view(), name="ipam-search"),
]
