"""The roles of the adoption layer. Editors keep use cases, propose approvals and record
deployments, artifacts, webhooks and subscriptions; approvers (legal or compliance) decide
approvals; viewers read. Nobody else sees any of it, and only admins delete an approval."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CURATED = [
    "usecase",
    "approval",
    "deployment",
    "artifact",
    "artifactfile",
    "webhook",
    "subscription",
]
LOGS = ["event", "delivery"]
ACTIONS = ("view", "add", "change", "delete")


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(content_type__app_label="adoption")
    views = [f"view_{m}" for m in CURATED + LOGS]
    editor, _ = Group.objects.get_or_create(name="editor")
    viewer, _ = Group.objects.get_or_create(name="viewer")
    approver, _ = Group.objects.get_or_create(name="approver")
    # A decision is a record to keep: nobody but an admin deletes an approval.
    editor.permissions.add(
        *ours.filter(codename__in=[f"{a}_{m}" for m in CURATED for a in ACTIONS] + views).exclude(
            codename="delete_approval"
        )
    )
    viewer.permissions.add(*ours.filter(codename__in=views))
    approver.permissions.add(
        *ours.filter(codename__in=[*views, "change_approval", "decide_approval"])
    )
    # Approvers read the catalog they decide on, as viewers do.
    approver.permissions.add(*viewer.permissions.exclude(content_type__app_label="adoption"))


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=["editor", "viewer"]):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="adoption"))
    Group.objects.filter(name="approver").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("adoption", "0001_initial"),
        ("evaluations", "0002_groups_and_generation"),
        ("catalog", "0010_candidate_proposed_results"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
