"""Editors review release candidates and manage watched publishers and ingest runs; viewers
see them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR = {
    "watchedpublisher": ("view", "add", "change", "delete"),
    "releasecandidate": ("view", "change"),
    "ingestrun": ("view",),
}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permissions(actions_by_model):
        codenames = [f"{a}_{model}" for model, actions in actions_by_model.items() for a in actions]
        return Permission.objects.filter(content_type__app_label="catalog", codename__in=codenames)

    editor, _ = Group.objects.get_or_create(name="editor")
    editor.permissions.add(*permissions(EDITOR))
    viewer, _ = Group.objects.get_or_create(name="viewer")
    viewer.permissions.add(*permissions(dict.fromkeys(EDITOR, ("view",))))


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=["editor", "viewer"]):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="catalog", content_type__model__in=list(EDITOR)
            )
        )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_ingestion")]

    operations = [migrations.RunPython(grant, revoke)]
