"""Counselling sessions in the API: schedules, scheduling, recording with private notes."""
