import pytest
from django.test import Client as HttpClient

from projects.models import User
from tests.projects.factories import UserFactory
from tests.support import client_for


@pytest.fixture
def admin(db: None) -> HttpClient:
    """A browser logged in to the Django admin."""
    return client_for(UserFactory(role=User.Role.MANAGER, is_staff=True, is_superuser=True))
