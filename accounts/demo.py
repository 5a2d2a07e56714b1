"""Demo people, one per role the product has. Idempotent: keyed by email."""

from allauth.account.models import EmailAddress

from accounts.models import User

DEMO_PASSWORD = "cop-demo-2026"  # noqa: S105 - printed demo login, not a secret

# (username, email, display name, role shown in the printed list, extra fields)
DEMO_PEOPLE = [
    ("teacher", "teacher@example.com", "Tess Alvarez", "teacher", {}),
    ("peer", "peer@example.com", "Pat Okafor", "teacher", {}),
    ("moderator", "moderator@example.com", "Morgan Lee", "moderator", {}),
    ("leader", "leader@example.com", "Dana Whitfield", "district leader", {"can_create_communities": True}),
    ("staff", "staff@example.com", "Sam Staff", "staff (admin)", {"is_staff": True, "is_superuser": True}),
]


def ensure_user(username, email, display_name, **extra):
    user, created = User.objects.get_or_create(
        email=email, defaults={"username": username, "display_name": display_name, **extra}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def seed(*, stdout):
    for username, email, display_name, _role, extra in DEMO_PEOPLE:
        ensure_user(username, email, display_name, **extra)


def logins():
    return [(email, DEMO_PASSWORD, role) for _u, email, _d, role, _e in DEMO_PEOPLE]
