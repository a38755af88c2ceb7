"""Stays and bed assignments in the API: check-in, check-out, transfer."""
