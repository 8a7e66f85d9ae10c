"""Django's validation messages carry their numbers in the reader's digits."""

from django import forms
from django.template import Context, Template
from django.utils import translation


class NameForm(forms.Form):
    name = forms.CharField(max_length=60)


def rendered_errors(language, value):
    with translation.override(language):
        form = NameForm({"name": value})
        form.is_valid()
        # The two ways our templates show a field's errors: one by one, and as Django's list
        template = Template(
            "{% for error in form.name.errors %}<p>{{ error }}</p>{% endfor %}"
            "{{ form.name.errors }}"
        )
        return template.render(Context({"form": form}))


def test_a_too_long_value_is_told_in_persian_digits():
    # Given a name of 61 characters where 60 are allowed
    # When the form shows its error to a Persian reader
    html = rendered_errors("fa", "x" * 61)
    # Then the limit and the length are in Persian digits, in both ways of showing it
    assert html.count("۶۰") == 2 and html.count("۶۱") == 2
    assert "60" not in html and "61" not in html


def test_other_languages_keep_their_digits():
    html = rendered_errors("en", "x" * 61)
    assert "at most 60 characters (it has 61)" in html
