"""The sources: catalogue of the official sources, download, file readers, importers (a file into
canonical models), upload guard, column mapping, geocoding. Uses only the domain."""
