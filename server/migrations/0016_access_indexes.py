"""Indexes for who sees which resident (``access.resident_scope``): the residents a shelter
registered, and the residents who stayed in a shelter.

At national scale (bench/generate.py: 50,000 residents, 80,000 stays) a shelter's day of
appointments read every resident row on PostgreSQL to decide which of 16 were the viewer's.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

INDEXES = {
    "ix_resident_intake_shelter": "resident (intake_shelter_id)",
    "ix_stay_shelter_resident": "stay (shelter_id, resident_id)",
}


class Migration(migrations.Migration):
    dependencies = [("haven", "0015_services_invariants")]

    operations = [
        ops.RunSQL(f"CREATE INDEX {name} ON {spec}", reverse_sql=f"DROP INDEX {name}")
        for name, spec in INDEXES.items()
    ]
