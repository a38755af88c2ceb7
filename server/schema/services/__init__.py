"""Services in the API: logging them, their status, stages and court hearings."""
