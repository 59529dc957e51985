import factory

from notifications.models import Notification
from tests.projects.factories import UserFactory


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = Notification.Kind.FEEDBACK
    title = factory.Sequence(lambda n: f"Something happened {n}")
    text = "Details of what happened."
    link = "/projects/"
    dedupe_key = factory.Sequence(lambda n: f"test:{n}")
