from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientProgressConfig(AppConfig):
    name = "clientprogress"
    verbose_name = _("Client Progress")
