from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streetwave.core.i18n import format_datetime

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    # The actor by public id, never by name or address: the log is read without the reason the
    # accounts' pages ask for (accounts.admin_privacy), and who an id is stays behind that reason.
    list_display = ["time", "verb", "target_type", "target_id", "hub_id", "actor_public_id"]
    list_filter = ["verb"]
    list_select_related = ["actor"]
    search_fields = ["target_id", "hub_id", "actor__public_id"]
    readonly_fields = [
        "created_at",
        "verb",
        "target_type",
        "target_id",
        "hub_id",
        "actor_public_id",
        "data",
    ]
    fields = tuple(readonly_fields)

    @admin.display(description=_("time"), ordering="created_at")
    def time(self, entry):
        # In the reader's calendar and digits (Jalali beside Gregorian in Persian).
        return format_datetime(timezone.localtime(entry.created_at))

    @admin.display(description=_("actor"), ordering="actor__public_id")
    def actor_public_id(self, entry):
        if entry.actor is None:
            return self.get_empty_value_display()
        return entry.actor.public_id

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
