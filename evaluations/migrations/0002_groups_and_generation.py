"""Editors curate benchmarks, results and claims; editors and viewers (the company's signed-in
staff) see internal results and private benchmarks. Writes to the app's tables move the
catalog generation, like every other catalog table's (core/generation.py)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from core.generation import install_triggers

MODELS = ["benchmark", "result", "claim"]
INTERNAL = "view_internal_results"


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(content_type__app_label="evaluations")
    editor, _ = Group.objects.get_or_create(name="editor")
    viewer, _ = Group.objects.get_or_create(name="viewer")
    editor.permissions.add(
        *ours.filter(
            codename__in=[f"{a}_{m}" for m in MODELS for a in ("view", "add", "change", "delete")]
            + [INTERNAL]
        )
    )
    viewer.permissions.add(
        *ours.filter(codename__in=[f"view_{m}" for m in MODELS] + [INTERNAL])
    )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=["editor", "viewer"]):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="evaluations")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0001_initial"),
        ("catalog", "0009_release_date_precision"),
        ("hardware", "0008_memory_required"),
        ("licenses", "0003_territory"),
        ("llmregistry", "0002_catalog_generation"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(grant, revoke),
        migrations.RunPython(install_triggers, migrations.RunPython.noop),
    ]
