"""Form fields every domain's forms share, and how every form shows its errors."""

import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates
from django.forms.utils import ErrorList
from django.utils.translation import gettext_lazy as _

from streetwave.core.i18n import localize_numbers_in_text

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
