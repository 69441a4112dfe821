"""Create the editor and viewer groups with their model permissions.

Editors may view, add, change and delete curated records; viewers may view them.
History events are read-only for everyone (pghistory's admin never allows changes).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CURATED_MODELS = {
    "catalog": [
        "organization",
        "architecturefeature",
        "modelfamily",
        "modelversion",
        "versionfeature",
        "modelvariant",
        "lineage",
        "source",
        "citation",
    ],
    "licenses": ["license"],
    "hardware": ["accelerator", "hardwareprofile", "sizetier"],
}
HISTORY_MODELS = {"pghistory": ["events", "context"]}


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permissions(models_by_app, actions):
        codenames = [
            f"{action}_{model}"
            for models in models_by_app.values()
            for model in models
            for action in actions
        ]
        return Permission.objects.filter(
            content_type__app_label__in=list(models_by_app), codename__in=codenames
        )

    editor, _ = Group.objects.get_or_create(name="editor")
    editor.permissions.set(
        [
            *permissions(CURATED_MODELS, ("view", "add", "change", "delete")),
            *permissions(HISTORY_MODELS, ("view",)),
        ]
    )
    viewer, _ = Group.objects.get_or_create(name="viewer")
    viewer.permissions.set(
        [*permissions(CURATED_MODELS, ("view",)), *permissions(HISTORY_MODELS, ("view",))]
    )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["editor", "viewer"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_initial"),
        ("licenses", "0001_initial"),
        ("hardware", "0001_initial"),
        ("pghistory", "0007_auto_20250421_0444"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
