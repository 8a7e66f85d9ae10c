from django import forms
from django.http import HttpResponse
from django.test import RequestFactory

from streetwave.core.errors import DomainError
from streetwave.core.views.forms import fill_in


class NameForm(forms.Form):
    name = forms.CharField()


def _page(request, save):
    shown = []

    def show(form, status):
        shown.append(form)
        return HttpResponse(status=status)

    response = fill_in(
        request, NameForm, show=show, save=save, done=lambda result: HttpResponse(result)
    )
    return response, shown


def test_a_get_shows_the_empty_form_and_saves_nothing():
    # given a form page, when it is opened
    response, shown = _page(RequestFactory().get("/"), save=lambda form: 1 / 0)

    # then the empty form shows with a 200
    assert response.status_code == 200 and not shown[0].is_bound


def test_a_valid_form_is_saved_and_the_page_says_how_it_went():
    # when a valid form comes back
    response, shown = _page(
        RequestFactory().post("/", {"name": "Mina"}), save=lambda form: form.cleaned_data["name"]
    )

    # then the service's result goes to `done`, and no form is shown again
    assert response.content == b"Mina" and not shown


def test_a_refusal_of_the_service_comes_back_on_the_form():
    # given a service that refuses, once on a field of the form and once on another field
    def refuse_on(field):
        def save(form):
            raise DomainError("Not this name.", field=field)

        return save

    for field, where in (("name", "name"), ("elsewhere", "__all__")):
        # when the form comes back valid
        response, shown = _page(RequestFactory().post("/", {"name": "Mina"}), refuse_on(field))

        # then the page shows the form again with a 400, the refusal on the field if it has it
        assert response.status_code == 400
        assert shown[0].errors == {where: ["Not this name."]}
        assert shown[0].data["name"] == "Mina"


def test_an_invalid_form_comes_back_with_a_400_and_calls_no_service():
    response, shown = _page(RequestFactory().post("/", {"name": ""}), save=lambda form: 1 / 0)
    assert response.status_code == 400 and "name" in shown[0].errors
