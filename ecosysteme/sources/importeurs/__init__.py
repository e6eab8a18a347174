"""Importers: one file format into canonical ``Acteur`` objects or territory layers, every
problem kept with its place (file, row, field). Nothing here writes to a store."""
