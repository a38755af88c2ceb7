"""Accounts in the API: sign-in and sign-out, the viewer, user administration, the audit trail."""
