"""`manage.py create_operator` and the service behind it, `appoint_operator`: the first
operator of a fresh install, asked at a terminal or read from the environment."""

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.core.management.base import CommandError

from streetwave.accounts.management.commands import create_operator
from streetwave.accounts.models import User
from streetwave.accounts.services import (
    AccountClosed,
    NotAnEmailAddress,
    PasswordRequired,
    WeakPassword,
    appoint_operator,
)
from streetwave.audit.models import AuditEntry

from .conftest import PASSWORD, sign_in_with_password, totp_code

pytestmark = pytest.mark.django_db

EMAIL = "operator@example.org"


class Terminal:
    """What the person at the terminal types: answers to `input` and to `getpass`, in order."""

    def __init__(self, monkeypatch, *, answers=(), secrets=()):
        self.answers = list(answers)
        self.secrets = list(secrets)
        self.prompts = []
        monkeypatch.setattr("builtins.input", self._input)
        monkeypatch.setattr(create_operator.getpass, "getpass", self._getpass)

    def _next(self, queue, prompt):
        self.prompts.append(prompt)
        if not queue:
            raise EOFError
        return queue.pop(0)

    def _input(self, prompt=""):
        return self._next(self.answers, prompt)

    def _getpass(self, prompt="Password: "):
        return self._next(self.secrets, prompt)


def run(*args):
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("create_operator", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def appointed_entries():
    return list(AuditEntry.objects.filter(verb="operator.appointed").values_list("data", flat=True))


# The service


def test_appoint_operator_creates_an_operator_with_a_verified_address():
    # when the first operator is appointed on an empty instance
    appointment = appoint_operator(" Operator@Example.org ", password=PASSWORD, actor=None)

    # then a new account runs the instance, with its address counted as verified, and it is
    # audited; it is no staff and has no second factor yet
    user = appointment.user
    assert appointment.created and appointment.appointed
    assert user.email == EMAIL and user.is_operator and not user.is_staff
    assert user.check_password(PASSWORD)
    assert EmailAddress.objects.filter(user=user, email=EMAIL, verified=True, primary=True).exists()
    assert appointed_entries() == [{"created": True}]
    assert not user.authenticator_set.exists()


def test_appoint_operator_twice_changes_nothing():
    appoint_operator(EMAIL, password=PASSWORD, actor=None)

    again = appoint_operator(EMAIL, password="another long passphrase", actor=None)

    assert not again.created and not again.appointed
    assert again.user.check_password(PASSWORD)
    assert User.objects.count() == 1
    assert len(appointed_entries()) == 1


def test_appoint_operator_makes_an_existing_account_an_operator(make_user):
    # given an organizer with an account
    user = make_user(EMAIL, password=PASSWORD)

    # when they are appointed, with some other password given
    appointment = appoint_operator(EMAIL, password="another long passphrase", actor=None)

    # then they run the instance and keep their password
    user.refresh_from_db()
    assert appointment.appointed and not appointment.created
    assert user.is_operator and user.check_password(PASSWORD)
    assert appointed_entries() == [{"created": False}]


@pytest.mark.parametrize(
    ("email", "password", "error"),
    [
        ("not an address", PASSWORD, NotAnEmailAddress),
        (EMAIL, None, PasswordRequired),
        (EMAIL, "short", WeakPassword),
        (EMAIL, "123456789012345", WeakPassword),
        (EMAIL, "operator@example.org", WeakPassword),
    ],
)
def test_appoint_operator_refuses_bad_input(email, password, error):
    with pytest.raises(error):
        appoint_operator(email, password=password, actor=None)

    assert not User.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_closed_account_is_not_appointed(make_user):
    make_user(EMAIL, is_active=False)

    with pytest.raises(AccountClosed):
        appoint_operator(EMAIL, password=None, actor=None)

    assert not User.objects.get(email=EMAIL).is_operator


# The command, without a terminal (deployments)


def test_no_input_reads_the_environment(monkeypatch):
    monkeypatch.setenv("STREETWAVE_OPERATOR_EMAIL", EMAIL)
    monkeypatch.setenv("STREETWAVE_OPERATOR_PASSWORD", PASSWORD)

    out, _ = run("--no-input", "--language", "fa")

    user = User.objects.get(email=EMAIL)
    assert user.is_operator and user.language == "fa" and user.check_password(PASSWORD)
    assert "was created" in out and "second factor" in out


def test_no_input_is_idempotent(monkeypatch):
    monkeypatch.setenv("STREETWAVE_OPERATOR_EMAIL", EMAIL)
    monkeypatch.setenv("STREETWAVE_OPERATOR_PASSWORD", PASSWORD)
    run("--no-input")

    out, _ = run("--no-input")

    assert "operator already" in out
    assert User.objects.count() == 1 and len(appointed_entries()) == 1


def test_no_input_makes_an_existing_account_an_operator_without_a_password(monkeypatch, make_user):
    make_user(EMAIL)
    monkeypatch.setenv("STREETWAVE_OPERATOR_EMAIL", EMAIL)
    monkeypatch.delenv("STREETWAVE_OPERATOR_PASSWORD", raising=False)

    out, _ = run("--no-input")

    assert "is now an operator" in out
    assert User.objects.get(email=EMAIL).is_operator


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({}, "STREETWAVE_OPERATOR_EMAIL"),
        ({"STREETWAVE_OPERATOR_EMAIL": EMAIL}, "needs a password"),
        (
            {"STREETWAVE_OPERATOR_EMAIL": "nobody", "STREETWAVE_OPERATOR_PASSWORD": PASSWORD},
            "valid",
        ),
        (
            {"STREETWAVE_OPERATOR_EMAIL": EMAIL, "STREETWAVE_OPERATOR_PASSWORD": "password"},
            "too common",
        ),
    ],
)
def test_no_input_refuses_bad_input_with_a_clear_error(monkeypatch, environment, message):
    monkeypatch.delenv("STREETWAVE_OPERATOR_EMAIL", raising=False)
    monkeypatch.delenv("STREETWAVE_OPERATOR_PASSWORD", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    with pytest.raises(CommandError, match=message):
        run("--no-input")

    assert not User.objects.filter(is_operator=True).exists()


# The command at a terminal


def test_interactive_asks_until_the_answers_are_good(monkeypatch):
    # given someone who first mistypes the address, then repeats the password wrongly, then
    # picks a weak one, then gets it right
    terminal = Terminal(
        monkeypatch,
        answers=["operator-at-example", EMAIL],
        secrets=[PASSWORD, "something else", "short", "short", PASSWORD, PASSWORD],
    )

    out, err = run()

    # then each mistake is named, and the operator is created once all is right
    assert "valid email address" in err
    assert "differ" in err
    assert "too short" in err
    assert "was created" in out
    assert User.objects.get(email=EMAIL).check_password(PASSWORD)
    assert terminal.secrets == [] and terminal.answers == []


def test_interactive_asks_no_password_of_an_existing_account(monkeypatch, make_user):
    make_user(EMAIL)
    terminal = Terminal(monkeypatch, answers=[EMAIL])

    out, _ = run()

    assert "keeps its password" in out and "is now an operator" in out
    assert not [prompt for prompt in terminal.prompts if "Password" in prompt]


def test_interactive_stopped_creates_nothing(monkeypatch):
    Terminal(monkeypatch, answers=[EMAIL], secrets=[])

    with pytest.raises(CommandError, match="no operator was created"):
        run()

    assert not User.objects.exists()


# The first sign-in


@pytest.mark.django_db(transaction=True)
def test_a_new_operator_sets_up_a_second_factor_at_first_sign_in(client, monkeypatch):
    # given the first operator, created from the environment
    monkeypatch.setenv("STREETWAVE_OPERATOR_EMAIL", EMAIL)
    monkeypatch.setenv("STREETWAVE_OPERATOR_PASSWORD", PASSWORD)
    run("--no-input")

    # when they sign in with the password and open the organizer pages
    signed_in = sign_in_with_password(client, EMAIL)
    dashboard = client.get("/en/manage/")

    # then they are sent to set up a second factor first
    assert signed_in.status_code == 302
    assert dashboard.status_code == 302 and dashboard["Location"] == "/en/accounts/2fa/"

    # and once they confirm their password and set up an authenticator app, they open
    client.post("/en/accounts/reauthenticate/", {"password": PASSWORD})
    secret = client.get("/en/accounts/2fa/totp/activate/").context["form"].secret
    activated = client.post("/en/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert activated.status_code == 302
    assert client.get("/en/manage/").status_code == 200
