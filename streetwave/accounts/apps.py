from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "streetwave.accounts"
    label = "accounts"
