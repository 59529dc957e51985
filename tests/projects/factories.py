import datetime

import factory
from django.utils import timezone

from milestones.services import project_create
from projects.models import Client, ClientContact, Project, TaskCard, User

PASSWORD = "correct horse battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    role = User.Role.MEMBER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    name = factory.Sequence(lambda n: f"Client {n}")
    time_zone = "Europe/Berlin"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientContact

    user = factory.SubFactory(UserFactory, role=User.Role.CLIENT)
    client = factory.SubFactory(ClientFactory)


class ProjectFactory(factory.django.DjangoModelFactory):
    """Goes through project_create, so every project has its four phases."""

    class Meta:
        model = Project

    client = factory.SubFactory(ClientFactory)
    name = factory.Sequence(lambda n: f"Project {n}")
    code = factory.Sequence(lambda n: f"P-{n}")
    pm = factory.SubFactory(UserFactory, role=User.Role.PM)
    start_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    end_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=90))

    @classmethod
    def _create(cls, model_class: type, *args: object, **kwargs: object) -> Project:
        return project_create(actor=kwargs["pm"], **kwargs)


class CardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaskCard

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Card {n}")
    position = factory.Sequence(lambda n: n)
