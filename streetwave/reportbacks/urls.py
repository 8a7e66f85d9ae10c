from django.urls import path

from .views import afterwards, manage, photos, public

app_name = "reportbacks"

urlpatterns = [
    path("a/<str:public_id>/report-back/", public.report, name="report"),
    path("c/<slug:slug>/reports/", public.wall, name="wall"),
    path("rsvp/<str:token>/i-was-there/", public.i_was_there, name="i_was_there"),
    path("manage/actions/<str:action_id>/report-back/", manage.report, name="manage"),
    path("manage/report-backs/<str:report_back_id>/", manage.held, name="manage_verify"),
    path(
        "manage/report-backs/<str:report_back_id>/verify/", manage.verify, name="manage_verify_post"
    ),
    path("manage/rsvps/<str:rsvp_id>/check-in/", manage.check_in, name="manage_check_in"),
    # A hub inside a high-risk country files an action only after it happened.
    path("manage/hubs/<str:hub_id>/actions/happened/", afterwards.file, name="manage_afterwards"),
    path(
        "manage/report-backs/<str:report_back_id>/withdraw/",
        manage.withdraw,
        name="manage_withdraw",
    ),
    # The small copy first: a public id has no "-", so the full copy's pattern cannot take it.
    path(
        "photos/<str:photo_id>-small.jpg",
        photos.photo_file,
        {"small": True},
        name="photo_small_file",
    ),
    path("photos/<str:photo_id>.jpg", photos.photo_file, name="photo_file"),
    path(
        "manage/report-backs/<str:report_back_id>/photos/",
        photos.manage,
        name="manage_photos",
    ),
    path("manage/photos/<str:photo_id>/mask/", photos.mask, name="manage_photo_mask"),
    path(
        "manage/photos/<str:photo_id>/take-down/",
        photos.take_down,
        name="manage_photo_take_down",
    ),
]
