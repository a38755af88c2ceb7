"""`python -m mobile`: the tablet app."""

from __future__ import annotations

from mobile.main import main

main()
