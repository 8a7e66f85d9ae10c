"""`manage.py create_operator`: the first operator of an instance (or one more).

Interactive by default: it asks for the email address and, for a new account, the password
twice (not echoed), and checks it with the password validators before anything is written.
With `--no-input`, for deployments, it reads STREETWAVE_OPERATOR_EMAIL and
STREETWAVE_OPERATOR_PASSWORD from the environment instead. An existing account becomes an
operator and keeps its password; running it again changes nothing. The operator adds a second
factor at the first sign-in, like every organizer.
"""

import getpass
import os
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from streetwave.accounts.models import User
from streetwave.accounts.services import (
    Appointment,
    WeakPassword,
    appoint_operator,
    check_operator_password,
)
from streetwave.core.errors import DomainError

EMAIL_VARIABLE = "STREETWAVE_OPERATOR_EMAIL"
PASSWORD_VARIABLE = "STREETWAVE_OPERATOR_PASSWORD"  # noqa: S105 - a variable's name


class Command(BaseCommand):
    help = (
        "Create an operator account of this instance, or make an existing account an operator. "
        f"Asks for the address and password; with --no-input, reads {EMAIL_VARIABLE} and "
        f"{PASSWORD_VARIABLE} from the environment."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help=f"Ask nothing: read {EMAIL_VARIABLE} and {PASSWORD_VARIABLE} (deployments).",
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="The language of a new account's pages and mails.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["interactive"]:
            email, password = self._ask()
        else:
            email, password = self._from_environment()
        try:
            appointment = appoint_operator(
                email, password=password, language=options["language"], actor=None
            )
        except DomainError as error:
            raise CommandError(_reasons(error)) from error
        self.stdout.write(self._outcome(appointment))

    def _from_environment(self) -> tuple[str, str | None]:
        email = os.environ.get(EMAIL_VARIABLE, "").strip()
        if not email:
            raise CommandError(
                _("Set %(variable)s to the operator's email address.")
                % {"variable": EMAIL_VARIABLE}
            )
        return email, os.environ.get(PASSWORD_VARIABLE) or None

    def _ask(self) -> tuple[str, str | None]:
        """The address until it is one; for a new account, the password until it is strong
        and typed twice the same."""
        while True:
            email = self._answer(_("Email address: ")).strip()
            try:
                validate_email(email)
            except ValidationError:
                self.stderr.write(_("Enter a valid email address."))
                continue
            break
        if User.objects.filter(email__iexact=email).exists():
            self.stdout.write(_("This account exists: it keeps its password."))
            return email, None
        while True:
            password = self._secret(_("Password: "))
            if not password:
                self.stderr.write(_("A new account needs a password."))
                continue
            if self._secret(_("Password (again): ")) != password:
                self.stderr.write(_("The two passwords differ. Try again."))
                continue
            try:
                check_operator_password(password, email=email)
            except WeakPassword as error:
                for reason in error.reasons:
                    self.stderr.write(reason)
                continue
            return email, password

    def _answer(self, prompt: str) -> str:
        try:
            return input(prompt)
        except (EOFError, KeyboardInterrupt) as stop:
            raise CommandError(_("Stopped: no operator was created.")) from stop

    def _secret(self, prompt: str) -> str:
        try:
            return getpass.getpass(prompt)
        except (EOFError, KeyboardInterrupt) as stop:
            raise CommandError(_("Stopped: no operator was created.")) from stop

    def _outcome(self, appointment: Appointment) -> str:
        email = appointment.user.email
        if appointment.created:
            done = _("The operator account %(email)s was created.") % {"email": email}
        elif appointment.appointed:
            done = _("The account %(email)s is now an operator.") % {"email": email}
        else:
            return _("The account %(email)s is an operator already: nothing changed.") % {
                "email": email
            }
        return " ".join(
            [
                done,
                _(
                    "At the first sign-in they add a second factor (an authenticator app or a "
                    "security key) before any organizer page opens."
                ),
            ]
        )


def _reasons(error: DomainError) -> str:
    if isinstance(error, WeakPassword):
        return "\n".join([_("The password was refused:"), *error.reasons])
    return str(error.message)
