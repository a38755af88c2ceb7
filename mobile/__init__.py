"""Haven's tablet app (Kivy + KivyMD): `python -m mobile` or `make mobile`."""

from __future__ import annotations

import os

# The app reads its own options (mobile/main.py); Kivy must not take sys.argv for its own.
os.environ.setdefault("KIVY_NO_ARGS", "1")
