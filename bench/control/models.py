from django.db import models


class Row(models.Model):
    """One inserted row per request of the insert view."""

    payload = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.payload
