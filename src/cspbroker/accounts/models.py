"""Organisations in a tree, people, their memberships and their API tokens."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from cspbroker import clock
from cspbroker.domain.parties import OrganizationKind, Role
from cspbroker.domain.periods import BILLING_TIME_ZONE

country_code = RegexValidator(r"^[A-Z]{2}$", "Use the two-letter ISO 3166 country code, e.g. DE or US.")
currency_code = RegexValidator(r"^[A-Z]{3}$", "Use the three-letter ISO 4217 currency code, e.g. EUR.")


class Organization(models.Model):
    """The operator, a reseller or a customer.

    `path` holds the ids from the root down ("/1/4/9/"), so a subtree is one indexed prefix query.
    """

    kind = models.CharField(
        max_length=16, choices=[(k.value, k.value.capitalize()) for k in OrganizationKind]
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    legal_name = models.CharField(max_length=200)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, validators=[country_code])
    tax_id = models.CharField(max_length=40, blank=True)
    currency = models.CharField(max_length=3, validators=[currency_code])
    time_zone = models.CharField(max_length=64, default="UTC")
    # Microsoft billing day (B1): the day of the month on which the reseller's Microsoft cycle ends.
    billing_day = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering: ClassVar[list[str]] = ["legal_name", "id"]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=Q(billing_day__gte=1, billing_day__lte=31), name="organization_billing_day_1_31"
            ),
            models.CheckConstraint(
                condition=(Q(kind="operator") & Q(parent__isnull=True))
                | (~Q(kind="operator") & Q(parent__isnull=False)),
                name="organization_only_operator_is_root",
            ),
            models.UniqueConstraint(
                fields=["kind"], condition=Q(kind="operator"), name="organization_one_operator"
            ),
        ]

    def __str__(self) -> str:
        return self.legal_name

    @property
    def organization_kind(self) -> OrganizationKind:
        return OrganizationKind(self.kind)

    @property
    def ancestry(self) -> list[int]:
        """Ids from the root down to this organisation (inclusive)."""
        return [int(part) for part in self.path.strip("/").split("/") if part]

    @property
    def billed_by(self) -> Organization:
        """Whose Microsoft billing calendar a customer follows (B1): its reseller's, or the operator's
        for a direct customer. Needs `parent` loaded (select_related) to cost no query."""
        return self.parent if self.parent_id is not None and self.parent is not None else self

    @property
    def billing_time_zone(self) -> str:
        """The time zone billing days are counted in: Microsoft's, UTC (`periods.BILLING_TIME_ZONE`)."""
        return BILLING_TIME_ZONE


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an email address and a password."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May open the Django admin (operator admins).")
    date_joined = models.DateTimeField(default=clock.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Membership(models.Model):
    """A person's role in one organisation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=[(r.value, r.label) for r in Role])
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["user", "organization"], name="membership_one_role_per_organization"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {Role(self.role).label} at {self.organization}"


class ApiToken(models.Model):
    """A personal API token: only a SHA-256 of the secret is stored; the secret is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)  # public part, to find the row without scanning
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
