"""A resident's timeline in the API: stays and services, newest first, one connection."""
