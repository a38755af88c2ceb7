"""Meals in the API: counts served per shelter, day and meal, and the dietary needs present."""
