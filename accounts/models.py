"""Users. The table exists in the public schema (flagship visitors, agents' network accounts)
and again in every site's schema (that site's visitors and editors), so accounts never cross
sites."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models


class Role(models.TextChoices):
    SUPERADMIN = "superadmin", "Super admin"
    ADMIN = "admin", "Admin"
    AGENT = "agent", "Agent"
    END_USER = "end_user", "End user"
    SERVICE_PROVIDER = "service_provider", "Service provider"
    VACATION_RENTAL_HOST = "vacation_rental_host", "Vacation rental host"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role", Role.SUPERADMIN)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person with an account on one site (or on the network, in the public schema)."""

    username = None  # type: ignore[assignment]
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.END_USER)
    license_number = models.CharField(max_length=32, blank=True)
    brokerage = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    # White-label reports (Investor 3, cma.white_label): the investor's own logo and name on the
    # CMA, analysis and comparison PDFs they ask for with ``?brand=mine``. A PNG re-encoded from
    # the upload, in the site's media folder (TenantFileSystemStorage).
    report_logo = models.FileField(upload_to="report-logos/", blank=True)
    report_brand_name = models.CharField(max_length=120, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()  # type: ignore[misc,assignment]

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        if self.role == Role.AGENT:
            errors = {}
            if not self.license_number.strip():
                errors["license_number"] = "Agents must give their license number."
            if not self.brokerage.strip():
                errors["brokerage"] = "Agents must give their brokerage."
            if errors:
                raise ValidationError(errors)

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name.split() or [self.email])[0]

    def has_role(self, *roles: str) -> bool:
        if self.is_superuser:
            return True
        return self.role in roles
