from allauth.account import admin as allauth_account_admin
from allauth.mfa import admin as allauth_mfa_admin
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streetwave.core.i18n import format_datetime

from .admin_privacy import PersonalDataAdmin
from .models import User

# allauth's own admins show people's addresses and accounts outside the reason the admin asks
# for, and let staff edit an organizer's addresses and second factors apart from the account:
# operators work with accounts here, and organizers keep their addresses and factors themselves.
# (Imported above so that they are registered before they are taken out again.)
admin.site.unregister(allauth_account_admin.EmailAddress)
admin.site.unregister(allauth_mfa_admin.Authenticator)


@admin.register(User)
class UserAdmin(PersonalDataAdmin):
    list_display = ["email", "display_name", "language", "is_staff", "is_operator", "is_active"]
    list_filter = ["is_staff", "is_operator", "is_active", "language"]
    search_fields = ["email", "display_name"]
    # Who the person is, what the account may do, and when: Django's order put the
    # permissions first and the name last.
    fieldsets = [
        (None, {"fields": ["email", "display_name", "language"]}),
        (
            _("Access"),
            {
                "fields": [
                    "is_active",
                    "is_staff",
                    "is_operator",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ]
            },
        ),
        (_("Dates"), {"fields": ["joined", "last_signed_in"]}),
    ]
    # An organizer's address is where their sign-in and password resets go: changed here, it
    # would hand their account to whoever typed it. Only its owner changes it, on the account's
    # own pages.
    readonly_fields = ["email", "joined", "last_signed_in"]

    @admin.display(description=_("joined"), ordering="date_joined")
    def joined(self, user):
        return format_datetime(timezone.localtime(user.date_joined))

    @admin.display(description=_("last signed in"), ordering="last_login")
    def last_signed_in(self, user):
        if user.last_login is None:
            return self.get_empty_value_display()
        return format_datetime(timezone.localtime(user.last_login))

    def has_add_permission(self, request):
        # Accounts come from invitations (organizers) and `manage.py create_operator`, which
        # set up what an account needs; an account made here would have neither.
        return False
