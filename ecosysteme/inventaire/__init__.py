"""Keeping the inventory true: its table and filters, duplicates and merges, a file imported into
the store as one batch, the import wizard's steps. Uses the store, the sources and the domain."""
