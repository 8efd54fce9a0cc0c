"""Writes to logins, departments and API tokens; each one authorised and audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from truedesk.accounts import errors
from truedesk.accounts.models import ApiToken, AuditEvent, Department, User
from truedesk.accounts.tokens import generate_token
from truedesk.lib.timezones import validate_time_zone

MAX_TOKEN_DAYS = 3650


@dataclass(frozen=True)
class SystemActor:
    """A part of the system acting on its own: the command line, the email channel, an import.

    Only code running on the server can construct one; a web request always acts
    as its signed-in user.
    """

    label: str


Actor = User | SystemActor


# --- Audit and permission checks shared by the apps above accounts ----------


def record_audit_event(
    *,
    actor: Actor,
    action: str,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
    label: str = "",
) -> AuditEvent:
    """Append one audit row; call it inside the action's transaction.

    `label` overrides the actor's label, e.g. "partner P (user) for customer C"
    when a partner user acts for a customer.
    """
    if isinstance(actor, User):
        user, label = actor, label or actor.username
    else:
        user, label = None, label or actor.label
    return AuditEvent.objects.create(
        actor=user,
        actor_label=label,
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        data=data or {},
    )


def require_staff(actor: Actor) -> None:
    """Raise NotAllowed unless the actor is the system or an active staff member."""
    if isinstance(actor, User) and not actor.is_staff_member:
        raise errors.NotAllowed()


def require_supervisor(actor: Actor) -> None:
    """Raise NotAllowed unless the actor is the system, a supervisor or an admin."""
    if isinstance(actor, User) and not actor.is_supervisor:
        raise errors.NotAllowed()


def require_admin(actor: Actor) -> None:
    """Raise NotAllowed unless the actor is the system or an active administrator."""
    if isinstance(actor, User) and not actor.is_admin:
        raise errors.NotAllowed()


def _require_self_or_admin(actor: Actor, user: User) -> None:
    if isinstance(actor, User) and not (
        actor.is_admin or (actor.pk == user.pk and actor.is_active)
    ):
        raise errors.NotAllowed()


# --- Logins -------------------------------------------------------------------


def register_login(
    *,
    kind: str,
    username: str,
    email: str,
    password: str | None,
    role: str = "",
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Validate and save a new login; the calling action authorises and audits it.

    Without a password the login cannot sign in until its owner sets one
    through password reset.
    """
    username = _clean_username(username)
    email = clean_email(email)
    if len(first_name) > 150 or len(last_name) > 150:
        raise errors.InvalidName()
    user = User(
        username=username,
        email=email,
        kind=kind,
        role=role,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        is_staff=role == User.Role.ADMIN,
    )
    if password is None:
        user.set_unusable_password()
    else:
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            raise errors.WeakPassword(" ".join(exc.messages)) from None
        user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # A parallel request took the same user name between check and insert.
        raise errors.UsernameTaken() from None
    return user


def clean_email(email: str) -> str:
    """The address stripped and validated, or InvalidEmail."""
    email = (email or "").strip()
    try:
        EmailValidator()(email)
    except ValidationError:
        raise errors.InvalidEmail() from None
    return email


def _clean_username(username: str) -> str:
    username = (username or "").strip()
    if not username or len(username) > 150:
        raise errors.InvalidUsername()
    try:
        User.username_validator(username)
    except ValidationError:
        raise errors.InvalidUsername() from None
    if User.objects.filter(username__iexact=username).exists():
        raise errors.UsernameTaken()
    return username


@transaction.atomic
def create_staff_user(
    *,
    acting_user: Actor,
    username: str,
    email: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    password: str | None = None,
) -> User:
    """Create a staff login (admins only); administrators also get the Django admin."""
    require_admin(acting_user)
    if role not in User.Role.values:
        raise errors.InvalidRole()
    user = register_login(
        kind=User.Kind.STAFF,
        username=username,
        email=email,
        password=password,
        role=role,
        first_name=first_name,
        last_name=last_name,
    )
    record_audit_event(
        actor=acting_user,
        action="user.created",
        target=user,
        data={"username": user.username, "kind": user.kind, "role": user.role},
    )
    return user


@transaction.atomic
def set_user_preferences(*, acting_user: Actor, user: User, language: str, time_zone: str) -> User:
    """Set a user's interface language and time zone (the user themselves or an admin)."""
    _require_self_or_admin(acting_user, user)
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise errors.InvalidPreference(field="language")
    try:
        validate_time_zone(time_zone)
    except ValidationError:
        raise errors.InvalidPreference(field="time_zone") from None
    before = {"language": user.language, "time_zone": user.time_zone}
    User.objects.filter(pk=user.pk).update(language=language, time_zone=time_zone)
    user.language, user.time_zone = language, time_zone
    record_audit_event(
        actor=acting_user,
        action="user.preferences_changed",
        target=user,
        data={"before": before, "after": {"language": language, "time_zone": time_zone}},
    )
    return user


# --- Departments ------------------------------------------------------------


@transaction.atomic
def add_department_member(*, acting_user: Actor, department: Department, user: User) -> Department:
    """Add an active staff member to a department (supervisors and admins)."""
    require_supervisor(acting_user)
    if not user.is_staff_member:
        raise errors.NotStaff()
    if department.members.filter(pk=user.pk).exists():
        raise errors.AlreadyMember()
    department.members.add(user)
    record_audit_event(
        actor=acting_user,
        action="department.member_added",
        target=department,
        data={"user_id": user.pk, "username": user.username},
    )
    return department


@transaction.atomic
def remove_department_member(
    *, acting_user: Actor, department: Department, user: User
) -> Department:
    """Remove a member from a department (supervisors and admins); their cases stay theirs."""
    require_supervisor(acting_user)
    if not department.members.filter(pk=user.pk).exists():
        raise errors.NotMember()
    department.members.remove(user)
    record_audit_event(
        actor=acting_user,
        action="department.member_removed",
        target=department,
        data={"user_id": user.pk, "username": user.username},
    )
    return department


# --- API tokens ---------------------------------------------------------------


@transaction.atomic
def mint_api_token(
    *, acting_user: Actor, user: User, name: str, days: int | None = None
) -> tuple[ApiToken, str]:
    """Issue a token for user (themselves or an admin); the plaintext is returned only here.

    `days` defaults to settings.API_TOKEN_DEFAULT_DAYS. Only the digest is stored.
    """
    _require_self_or_admin(acting_user, user)
    if not user.is_active:
        raise errors.NotAllowed(_("That account is deactivated."))
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise errors.InvalidTokenName()
    days = settings.API_TOKEN_DEFAULT_DAYS if days is None else days
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise errors.InvalidTokenLifetime()
    if ApiToken.objects.filter(user=user, name=name).exists():
        raise errors.TokenNameTaken()
    new = generate_token()
    now = timezone.now()
    token = ApiToken(
        user=user,
        name=name,
        prefix=new.prefix,
        digest=new.digest,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    try:
        with transaction.atomic():
            token.save()
    except IntegrityError:
        raise errors.TokenNameTaken() from None
    record_audit_event(
        actor=acting_user,
        action="api_token.minted",
        target=token,
        data={
            "user_id": user.pk,
            "name": name,
            "prefix": new.prefix,
            "expires_at": token.expires_at,
        },
    )
    return token, new.raw


@transaction.atomic
def revoke_api_token(*, acting_user: Actor, token: ApiToken) -> ApiToken:
    """Revoke a token at once (its user or an admin); later requests with it are refused."""
    _require_self_or_admin(acting_user, token.user)
    current = ApiToken.objects.select_for_update().get(pk=token.pk)
    if current.revoked_at is not None:
        raise errors.TokenAlreadyRevoked()
    token.revoked_at = timezone.now()
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=token.revoked_at)
    record_audit_event(
        actor=acting_user,
        action="api_token.revoked",
        target=token,
        data={"user_id": token.user_id, "name": token.name, "prefix": token.prefix},
    )
    return token
