from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "streetwave.campaigns"
    label = "campaigns"
