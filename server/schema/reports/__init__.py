"""Reports for coordinators and donors."""
