from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('hardware', '0006_memory_unit'),
    ]

    operations = [
        # Every accelerator recorded so far was entered from a datasheet printing "GB".
        migrations.RunSQL(
            "UPDATE hardware_accelerator SET memory = memory_gib; "
            "UPDATE hardware_acceleratorevent SET memory = memory_gib;",
            migrations.RunSQL.noop,
        ),
    ]
