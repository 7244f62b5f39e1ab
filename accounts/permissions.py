"""What each role may do, kept in code so that every install has the same roles.

The roles themselves are named in ``accounts.roles``. ``ensure_role_groups``
creates their Django groups and grants what is listed here. It only ever adds:
a permission an administrator granted by hand stays, and running it again
changes nothing. It runs after every ``migrate`` (see ``AccountsConfig``), so
a fresh install has the roles before anyone loads demo content.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

from . import roles


def _model_permissions(app_label, model, actions=("add", "change", "delete")):
    return [(app_label, f"{action}_{model}") for action in actions]


ADMIN_ACCESS = [("wagtailadmin", "access_admin")]

# Themes, trainers and locations: the reference data that course pages point to.
REFERENCE_DATA = [
    *_model_permissions("courses", "theme"),
    *_model_permissions("courses", "trainer"),
    *_model_permissions("booking", "location"),
]

# Planning (the "Planning" menu in the admin): groups and sessions, enrollments, the waiting list
# and registration stops. Nothing there is deleted: a group is cancelled, an enrollment cancelled,
# a stop given an end. The access log is for reading only.
PLANNING = [
    *_model_permissions("booking", "traininggroup", actions=("view", "add", "change")),
    *_model_permissions("booking", "session", actions=("view", "add", "change")),
    *_model_permissions("booking", "enrollment", actions=("view", "add", "change")),
    *_model_permissions("booking", "waitlistentry", actions=("view", "add", "change")),
    *_model_permissions("booking", "registrationstop", actions=("view", "add", "change")),
    ("booking", "view_accesslogentry"),
    # Emails that could not be sent: look, and try again (booking.staff.outbox).
    *_model_permissions("booking", "outgoingemail", actions=("view", "change")),
]

# Model permissions per role, as (app label, codename).
MODEL_PERMISSIONS = {
    roles.EDITORS: [
        *ADMIN_ACCESS,
        *REFERENCE_DATA,
        *_model_permissions("home", "organisationsettings"),
        # The decision aid for professionals (carepath.admin.DecisionAidViewSet).
        *_model_permissions("carepath", "decisionquestion"),
    ],
    roles.COORDINATORS: [
        *ADMIN_ACCESS,
        *REFERENCE_DATA,
        # Coordinators verify professionals; they never create profiles for them.
        *_model_permissions("accounts", "professionalprofile", actions=("view", "change")),
        *PLANNING,
        # Payments: look, mark paid, waive, refund (booking.admin_payments). Never deleted.
        *_model_permissions("booking", "payment", actions=("view", "change")),
        # Erase a participant's data on request, with a reason (booking.staff.privacy).
        ("privacy", "erase_personal_data"),
        # The office's figures and the demand map (reports); counts only, no names.
        ("reports", "view_figures"),
        # The care path: practices and who belongs to them, the referrals made (carepath.admin).
        *_model_permissions("carepath", "practice", actions=("view", "add", "change")),
        ("carepath", "view_referral"),
        ("carepath", "view_screening"),
        # Letters to the GP: download, send to the practice, mark sent (carepath.letters_admin).
        *_model_permissions("carepath", "letter", actions=("view", "change")),
        # Questionnaires: defined by the office; who answered, with scores (carepath.admin).
        *_model_permissions("carepath", "questionnaire", actions=("view", "add", "change")),
        ("carepath", "view_invitation"),
        # Training days for professionals: who comes, attendance, the export (events.admin_views).
        *_model_permissions("events", "trainingdaybooking", actions=("view", "change")),
    ],
    # Trainers and professionals work on the public site only: trainers under /medewerkers/.
    roles.TRAINERS: [],
    roles.PROFESSIONALS: [],
}

# Page permissions, granted on the root of the page tree so they cover every site.
PAGE_PERMISSIONS = {
    roles.EDITORS: ["add", "change", "publish", "lock", "unlock"],
}

# Image and document permissions, granted on the root collection (and so on all collections).
COLLECTION_PERMISSIONS = {
    roles.EDITORS: [
        *_model_permissions("wagtailimages", "image", actions=("add", "change", "choose")),
        *_model_permissions("wagtaildocs", "document", actions=("add", "change", "choose")),
    ],
}


def _apps_involved():
    labels = {"wagtailcore"}
    for table in (MODEL_PERMISSIONS, COLLECTION_PERMISSIONS):
        for entries in table.values():
            labels.update(app_label for app_label, _codename in entries)
    return sorted(labels)


def _tables_exist(using):
    """False while a partial migration (or a migration back to zero) has left tables missing."""
    needed = {
        model._meta.db_table
        for model in (Group, Permission, Page, Collection, GroupPagePermission, GroupCollectionPermission)
    }
    return needed <= set(connections[using].introspection.table_names())


def _ensure_permission_rows(using):
    """Create the permission rows we grant.

    Django creates them after migrating each app, one app at a time; when this
    runs for the accounts app, later apps (courses, booking…) may not have had
    their turn yet. Creating them here is harmless: it skips what exists.
    """
    for label in _apps_involved():
        create_permissions(global_apps.get_app_config(label), verbosity=0, using=using)


def _permission(app_label, codename, using):
    return Permission.objects.using(using).get(content_type__app_label=app_label, codename=codename)


def ensure_role_groups(using=DEFAULT_DB_ALIAS):
    """Create the role groups and grant their permissions; returns the groups by name.

    Page and collection permissions need the root page and the root collection;
    when those do not exist yet (an emptied database), they are skipped and
    granted on the next run.
    """
    if not router.allow_migrate_model(using, Group) or not _tables_exist(using):
        return {}
    _ensure_permission_rows(using)
    with transaction.atomic(using=using):
        groups = {name: Group.objects.using(using).get_or_create(name=name)[0] for name in roles.ALL_ROLES}

        for name, entries in MODEL_PERMISSIONS.items():
            if entries:
                groups[name].permissions.add(*[_permission(app, codename, using) for app, codename in entries])

        root_page = Page.objects.using(using).filter(depth=1).first()
        if root_page is not None:
            for name, actions in PAGE_PERMISSIONS.items():
                for action in actions:
                    GroupPagePermission.objects.using(using).get_or_create(
                        group=groups[name],
                        page=root_page,
                        permission=_permission("wagtailcore", f"{action}_page", using),
                    )

        root_collection = Collection.objects.using(using).filter(depth=1).first()
        if root_collection is not None:
            for name, entries in COLLECTION_PERMISSIONS.items():
                for app, codename in entries:
                    GroupCollectionPermission.objects.using(using).get_or_create(
                        group=groups[name],
                        collection=root_collection,
                        permission=_permission(app, codename, using),
                    )
    return groups


def create_role_groups_after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    """post_migrate receiver, connected for the accounts app only."""
    ensure_role_groups(using=using)
