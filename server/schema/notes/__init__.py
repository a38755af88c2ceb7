"""Private case notes in the API: medical, counselling and legal."""
