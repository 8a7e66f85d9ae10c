from django.contrib import admin

from .models import User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "display_name", "language", "is_staff", "is_active"]
    search_fields = ["email", "display_name"]
    exclude = ["password"]
