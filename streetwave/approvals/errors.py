"""What the two-person rule refuses, for every feature that uses it."""

from django.utils.translation import gettext_lazy as _

from streetwave.core.errors import Conflict, NotAllowed


class RequesterCannotApprove(NotAllowed):
    default_message = _("A second person must approve this: you asked for it yourself.")


class AlreadyDecided(Conflict):
    default_message = _("This has already been approved or withdrawn. Reload the page.")
