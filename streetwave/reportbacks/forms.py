from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from streetwave.actions.models import Action

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
