from django.contrib.admin.apps import AdminConfig


class SecondFactorAdminConfig(AdminConfig):
    """Django's admin with accounts.admin_site.SecondFactorAdminSite as `admin.site`."""

    default_site = "streetwave.accounts.admin_site.SecondFactorAdminSite"
