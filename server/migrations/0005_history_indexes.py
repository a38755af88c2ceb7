"""Indexes for the history a check-in reads: a bed's assignments and a resident's stays.

At national scale (bench/generate.py: 80,000 stays, 86,000 assignments) the partial "active"
indexes alone left "was this bed occupied after that time" and "the resident's last stay"
scanning whole tables on PostgreSQL.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

INDEXES = {
    "ix_bed_assignment_bed": "bed_assignment (bed_id, started_at)",
    "ix_stay_resident": "stay (resident_id, checked_in_at)",
}


class Migration(migrations.Migration):
    dependencies = [("haven", "0004_audit_append_only")]

    operations = [
        ops.RunSQL(f"CREATE INDEX {name} ON {spec}", reverse_sql=f"DROP INDEX {name}")
        for name, spec in INDEXES.items()
    ]
