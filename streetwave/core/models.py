"""The base every domain model shares: an internal key, a random public id and timestamps."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .ids import new_public_id


class BaseModel(models.Model):
    # The integer key stays inside the database; URLs, the API and mails use public_id.
    public_id = models.CharField(
        _("public id"), max_length=16, unique=True, default=new_public_id, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True
