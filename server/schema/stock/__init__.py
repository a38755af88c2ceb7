"""Items and stock in the API: the catalogue, stock on hand, low and expiring stock, the ledger."""
