"""Forms of report-backs: the report itself, and its photos. Regions of a photo are typed as
percentages of the photo, one a line ("left top width height"), so that the page works without
JavaScript; with it, the page draws them on the photo and fills the same field."""

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from streetwave.actions.models import Action
from streetwave.core.images import MAX_BYTES, Region

from .models import ReportBack
from .services import Report, report_languages


class ReportBackForm(forms.Form):
    took_place = forms.TypedChoiceField(
        label=_("Did the action take place?"),
        choices=[("yes", _("Yes, it took place")), ("no", _("No, it did not take place"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        initial="yes",
    )
    turnout = forms.IntegerField(
        label=_("How many people took part?"),
        min_value=0,
        max_value=10_000_000,
        required=False,
        help_text=_("Only when it took place. Shown publicly once a second person verifies it."),
    )
    turnout_is_estimate = forms.BooleanField(
        label=_("This number is an estimate (shown as “about”)"), required=False
    )
    reason = forms.CharField(
        label=_("Why did it not take place?"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only when it did not take place."),
    )
    story = forms.CharField(
        label=_("What happened"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "A few lines for the public page, in Markdown. Name nobody and describe no one who "
            "could be recognised: the story is public."
        ),
    )
    language = forms.ChoiceField(label=_("Language of the story"))

    def __init__(self, data=None, *, action: Action, current: ReportBack | None = None):
        initial = {}
        if current is not None:
            initial = {
                "took_place": "yes" if current.took_place else "no",
                "turnout": current.turnout,
                "turnout_is_estimate": current.turnout_is_estimate,
                "reason": current.reason,
                "story": current.story,
                "language": current.language,
            }
        super().__init__(data, initial=initial)
        names = dict(settings.LANGUAGES)
        language = self.fields["language"]
        assert isinstance(language, forms.ChoiceField)
        codes = report_languages(action)
        language.choices = [(code, names.get(code, code)) for code in codes]
        # A new story is most likely written in the language the organizer reads the page in.
        if current is None and get_language() in codes:
            language.initial = get_language()

    def report(self) -> Report:
        data = self.cleaned_data
        return Report(
            took_place=data["took_place"],
            reason=data["reason"],
            turnout=data["turnout"],
            turnout_is_estimate=data["turnout_is_estimate"],
            story=data["story"],
            language=data["language"],
        )


# Persian and Arabic digits, and the Persian decimal separator, read as the numbers they are.
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩٫،", "01234567890123456789.,")

_REGIONS_HELP = _(
    "One region a line, as four percentages of the photo: left, top, width, height. For "
    "example “10 20 15 15” is a square a tenth from the left and a fifth from the top."
)


class RegionsField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 3, "dir": "ltr"})

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, max_length=2000, help_text=_REGIONS_HELP, **kwargs)

    def clean(self, value: str) -> list[Region]:
        text = super().clean(value).translate(_DIGITS)
        regions = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                x, y, w, h = (float(part) for part in line.replace(",", " ").split())
            except ValueError:
                raise ValidationError(
                    _("Line %(number)s is not four numbers."), params={"number": number}
                ) from None
            if not (0 <= x < 100 and 0 <= y < 100 and 0 < w <= 100 - x and 0 < h <= 100 - y):
                raise ValidationError(
                    _("Line %(number)s does not lie inside the photo."), params={"number": number}
                )
            regions.append(Region(x / 100, y / 100, w / 100, h / 100))
        if len(regions) > 50:
            raise ValidationError(_("Mark at most 50 regions."))
        return regions


class PhotoUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Photo"),
        help_text=_(
            "JPEG, PNG, WebP or HEIC, up to 25 MB. Faces are covered before anyone else sees it, "
            "and everything the file says about the camera, the place and the time is removed."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/heic,image/heif"}
        ),
    )
    alt_text = forms.CharField(
        label=_("Describe the photo for people who cannot see it"),
        max_length=300,
        help_text=_("What it shows, in a sentence. Name nobody."),
    )
    marked = RegionsField(label=_("Also cover (a face missed, a tattoo, a name tag, a plate)"))
    consenting = RegionsField(
        label=_("Faces to leave uncovered, only of people who agreed to be shown"),
    )
    # Filled by the page's script with the faces it covered on the phone (mask-before-upload.js).
    covered_on_phone = RegionsField(widget=forms.HiddenInput)

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise ValidationError(_("The file is larger than 25 MB. Upload a smaller copy."))
        return upload


class MaskForm(forms.Form):
    regions = RegionsField(label=_("Cover these regions too"))

    def clean_regions(self) -> list[Region]:
        regions: list[Region] = self.cleaned_data["regions"]
        if not regions:
            raise ValidationError(_("Mark at least one region."))
        return regions
