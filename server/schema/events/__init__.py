"""Subscriptions in the API: occupancyChanged, stockLow, appointmentChanged."""
