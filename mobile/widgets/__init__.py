"""Widgets the screens share: the screen base class, the fonts, the bed grid, rows and chips."""
