"""Form fields every domain's forms share."""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

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
