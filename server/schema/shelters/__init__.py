"""Regions, shelters, rooms, beds and occupancy in the API."""
