"""The domain: models, categories, errors, settings, projection, normalisation, validation, texts,
dates, opening hours, the national standard, régions and configuration. Imports nothing else of
ecosysteme (the bottom layer: docs/ARCHITECTURE.md)."""
