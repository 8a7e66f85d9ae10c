from allauth.account import admin as allauth_account_admin
from allauth.mfa import admin as allauth_mfa_admin
from django.contrib import admin

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
    exclude = ["password"]
    # An organizer's address is where their sign-in and password resets go: changed here, it
    # would hand their account to whoever typed it. They change it themselves, with their second
    # factor.
    readonly_fields = ["email", "last_login", "date_joined"]

    def has_add_permission(self, request):
        # Accounts come from invitations (organizers) and `manage.py create_operator`, which
        # set up what an account needs; an account made here would have neither.
        return False
