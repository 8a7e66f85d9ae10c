from django.urls import path

from .views import manage, public

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
    path(
        "manage/report-backs/<str:report_back_id>/withdraw/",
        manage.withdraw,
        name="manage_withdraw",
    ),
]
