"""A report-back's photos. Organizers (under /<lang>/manage/): the photos page, where those who
may file the report-back upload photos (processed by a task: the page says so until it is done)
and cover more regions, and a coordinator takes a photo down. Anyone: a photo's file, from this
origin, once its report-back is public. Each view: organizer_required where it applies, an access
helper (404), then at most one service."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from streetwave.accounts.decorators import organizer_required
from streetwave.core.views.buttons import press
from streetwave.core.views.forms import fill_in

from .. import services
from ..access import get_photo_file_for, get_photo_for, get_report_back_for
from ..forms import MaskForm, PhotoUploadForm
from ..models import Photo

# A photo's file never changes under its URL (covering more regions makes a new file name), so
# browsers and the proxy may keep it for a year.
_PUBLIC_CACHE = "public, max-age=31536000, immutable"


def _regions_in_percent(photo: Photo) -> list[dict[str, object]]:
    """The covered regions as the form reads them: four percentages, and why each is covered."""
    return [
        {
            "numbers": " ".join(f"{float(r[key]) * 100:.1f}" for key in ("x", "y", "w", "h")),
            "source": r.get("source"),
        }
        for r in photo.masked_regions
    ]


def _page(request, report_back, permissions, form, status=200):
    photos = list(report_back.photos.all())
    for photo in photos:
        photo.failure_text = services.failure_reason(photo) if photo.failure else ""
        photo.regions = _regions_in_percent(photo) if photo.state == Photo.State.READY else []
    return render(
        request,
        "reportbacks/photos/manage.html",
        {
            "report_back": report_back,
            "action": report_back.action,
            "permissions": permissions,
            "form": form,
            "photos": photos,
            "processing": any(p.state == Photo.State.PROCESSING for p in photos),
            "room": len(photos) < services.MAX_PHOTOS,
            "mask_form": MaskForm(),
        },
        status=status,
    )


@organizer_required
def manage(request, report_back_id):
    """The report-back's photos, and the upload form for those who may file it."""
    report_back, permissions = get_report_back_for(request.user, report_back_id)
    if request.method == "POST" and "can_file_report_back" not in permissions:
        raise Http404

    def make_form(data=None):
        return PhotoUploadForm(data, request.FILES if data is not None else None)

    def save(form: PhotoUploadForm) -> Photo:
        upload = form.cleaned_data["file"]
        return services.upload_photo(
            report_back,
            data=upload.read(),
            declared_name=upload.name or "",
            declared_type=upload.content_type or "",
            alt_text=form.cleaned_data["alt_text"],
            marked=form.cleaned_data["marked"],
            consenting=form.cleaned_data["consenting"],
            covered_on_phone=form.cleaned_data["covered_on_phone"],
            actor=request.user,
        )

    def done(photo: Photo):
        messages.success(
            request,
            _(
                "The photo is being processed: faces are covered and its metadata removed. "
                "Reload this page in a moment."
            ),
        )
        return redirect("reportbacks:manage_photos", report_back.public_id)

    return fill_in(
        request,
        make_form,
        show=lambda form, status: _page(request, report_back, permissions, form, status),
        save=save,
        done=done,
    )


@organizer_required
@require_POST
def mask(request, photo_id):
    photo, permissions = get_photo_for(request.user, photo_id)
    if "can_file_report_back" not in permissions:
        raise Http404
    form = MaskForm(request.POST)
    if form.is_valid():
        press(
            request,
            services.mask_more_of_photo,
            photo,
            regions=form.cleaned_data["regions"],
            success=_("The regions are covered."),
        )
    else:
        for error in form.errors.get("regions", []):
            messages.error(request, str(error))
    return redirect("reportbacks:manage_photos", photo.report_back.public_id)


@organizer_required
@require_POST
def take_down(request, photo_id):
    photo, _permissions = get_photo_for(request.user, photo_id)
    press(
        request,
        services.take_down_photo,
        photo,
        success=_("The photo is taken down and its file deleted."),
    )
    return redirect("reportbacks:manage_photos", photo.report_back.public_id)


@require_GET
def photo_file(request, photo_id, small=False):
    """A photo's processed file, or its small copy, from this origin: public for a public
    report-back (cached for a year), otherwise only for its report-back's people (never
    cached)."""
    photo, public = get_photo_file_for(request.user, photo_id)
    file = photo.small_file if small else photo.file
    try:
        # A few megabytes at most, read whole: the storage's handle is closed before answering.
        with file.open("rb") as stored:
            body = stored.read()
    except FileNotFoundError:
        raise Http404 from None
    response = HttpResponse(body, content_type="image/jpeg")
    response["Cache-Control"] = _PUBLIC_CACHE if public else "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response
