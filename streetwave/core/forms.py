"""Form fields every domain's forms share, and how every form shows its errors."""

import datetime as dt
import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates
from django.forms.utils import ErrorList
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from persiantools.digits import ar_to_fa, fa_to_en

from streetwave.core.i18n import jalali_date, localize_numbers_in_text

# Line and paragraph separators break a line as surely as CR and LF.
_LINE_BREAKS = {"\u2028", "\u2029"}


def validate_one_line(value: str) -> None:
    """A name, title or place ends up in mail headers, calendar lines and subjects, where a line
    break splits the line (a header injection, a calendar file that no longer parses)."""
    if any(unicodedata.category(char) == "Cc" or char in _LINE_BREAKS for char in value):
        raise ValidationError(
            _("Please write this on one line, without line breaks or control characters."),
            code="not_one_line",
        )


class LineField(forms.CharField):
    """One line of text: what a single-line input can type, and nothing a crafted request adds."""

    default_validators = [validate_one_line]


def western_digits(value: Any) -> Any:
    """Persian and Arabic keyboards type their own digits (and the Persian decimal separator);
    a number is a number in any script."""
    if isinstance(value, str):
        return fa_to_en(ar_to_fa(value)).replace("٫", ".")
    return value


class LocalizedIntegerField(forms.IntegerField):
    def to_python(self, value: Any) -> int | None:
        return super().to_python(western_digits(value))


class LocalizedDateField(forms.DateField):
    def to_python(self, value: Any) -> dt.date | None:
        return super().to_python(western_digits(value))


class LocalizedTimeField(forms.TimeField):
    def to_python(self, value: Any) -> dt.time | None:
        return super().to_python(western_digits(value))


def number_input(mode: str = "numeric") -> forms.TextInput:
    """Text, not type="number": a browser drops digits it does not read (Persian ones), and the
    field then looked empty. Left to right, so that "-79.39864" keeps its sign in front."""
    return forms.TextInput(
        attrs={"dir": "ltr", "inputmode": mode, "autocomplete": "off", "spellcheck": "false"}
    )


def _typed_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(western_digits(value or "").strip())
    except ValueError:
        return None


class JalaliDateInput(forms.DateInput):
    """The browser's own date input (it follows the browser's locale), and in Persian the
    chosen day in the Jalali calendar beside it: rendered here, also when the form comes back
    with errors, and kept current by js/jalali-date.js (which the page loads) as the date
    changes."""

    input_type = "date"
    template_name = "core/widgets/jalali_date.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"dir": "ltr", **(attrs or {})}, format="%Y-%m-%d")

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        persian = translation.get_language() == "fa"
        day = _typed_date(value) if persian else None
        context["widget"]["persian"] = persian
        context["widget"]["jalali"] = jalali_date(day) if day else ""
        return context


class LocalizedErrorList(ErrorList):
    """A field's errors with their numbers in the reader's digits.

    Django's validators put numbers into their messages with `%d` ("at most 60 characters (it
    has 61)"), which always writes Latin digits whatever the catalog says; the numbers turn
    Persian here, when the message is read in the request's language."""

    field_id: str | None

    def __getitem__(self, i: Any) -> Any:
        error = super().__getitem__(i)
        return localize_numbers_in_text(error) if isinstance(error, str) else error


class LocalizedBoundField(forms.BoundField):
    @property
    def errors(self) -> ErrorList:
        errors = super().errors
        localized = LocalizedErrorList(errors.as_data(), renderer=errors.renderer)
        localized.error_class = errors.error_class
        # The id of the field the errors describe (for aria-describedby), which Django 5.2 sets.
        localized.field_id = getattr(errors, "field_id", None)
        return localized


class FormRenderer(DjangoTemplates):
    """Django's renderer, with bound fields that show their errors in the reader's digits, for
    every form: ours, allauth's and the admin's (settings.FORM_RENDERER)."""

    bound_field_class = LocalizedBoundField
