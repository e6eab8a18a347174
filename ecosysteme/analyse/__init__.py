"""The analysis: pure functions in a metric CRS (territory chosen, coverage, gaps, summaries,
sheets, overlaps, scenarios, lieu totem). Uses the inventory, the store interface, the sources and
the domain."""
