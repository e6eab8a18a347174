"""Exports: the files that leave the tool (maps, tables, geodata, the national standard CSV)."""
