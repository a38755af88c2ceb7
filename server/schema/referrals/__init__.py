"""Referrals in the API: to and from the police, consulates, partner NGOs and hospitals."""
