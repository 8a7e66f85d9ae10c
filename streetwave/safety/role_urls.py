"""The safety roles' pages, in the "safety" namespace (included by urls.py)."""

from django.urls import path

from .views import roles

urlpatterns = [
    # A supporter offers roles from their manage link (a secret link: the argument is `token`)
    path("rsvp/<str:token>/safety-roles/", roles.offer_roles, name="offer_roles"),
    # The action's organizers
    path("manage/actions/<str:action_id>/safety/", roles.manage_roles, name="manage_roles"),
    path("manage/actions/<str:action_id>/safety/take/", roles.take_role, name="take_role"),
    path("manage/safety-roles/<str:role_id>/confirm/", roles.confirm_role, name="confirm_role"),
    path("manage/safety-roles/<str:role_id>/decline/", roles.decline_role, name="decline_role"),
    # The campaign's coordinators
    path("manage/campaigns/<slug:slug>/rights/", roles.manage_rights, name="manage_rights"),
]
