"""Haven: shelter operations for organisations that shelter survivors of human trafficking."""
