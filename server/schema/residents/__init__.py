"""Residents in the API: registration, search, and each person's record."""
