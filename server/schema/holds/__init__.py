"""Beds held for an incoming person in the API: bedHold, bedHoldRelease, bedHolds."""
