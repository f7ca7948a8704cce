"""A model used only by the tests of core's generic machinery (encrypted fields, registry)."""

from django.db import models

from accounts.models import Company
from core.fields import EncryptedTextField
from core.models import PrimaryModel


class Widget(PrimaryModel):
    """A customer-owned thing with a secret: stands in for a server with a root password."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=50)
    secret = EncryptedTextField(blank=True)

    def __str__(self) -> str:
        return self.name
