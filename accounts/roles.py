"""The roles of the site, kept as Django groups so Wagtail's permissions apply."""

PROFESSIONALS = "Professionals"
TRAINERS = "Trainers"
COORDINATORS = "Coordinators"
EDITORS = "Editors"

ALL_ROLES = (PROFESSIONALS, TRAINERS, COORDINATORS, EDITORS)
# Roles whose members work inside the Wagtail admin and therefore need MFA.
STAFF_ROLES = (TRAINERS, COORDINATORS, EDITORS)


def has_role(user, *roles):
    if not user.is_authenticated:
        return False
    # The group names are cached on the user object for the request.
    names = getattr(user, "_role_names", None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))
        user._role_names = names
    return any(role in names for role in roles)


def is_staff_member(user):
    """Staff: anyone who can do more than a member of the public."""
    return user.is_authenticated and (user.is_superuser or user.is_staff or has_role(user, *STAFF_ROLES))
