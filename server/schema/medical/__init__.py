"""Medical appointments in the API: a day's schedule, booking, cancelling, and visit records."""
