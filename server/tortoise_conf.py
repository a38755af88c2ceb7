"""The configuration the ``tortoise`` command reads: ``-c server.tortoise_conf.TORTOISE_ORM``."""

from __future__ import annotations

from server.database import tortoise_config
from server.settings import Settings

TORTOISE_ORM = tortoise_config(Settings.from_env())
