"""ecosysteme: digital-inclusion actors around the priority neighbourhoods (QPV) of French EPCI."""

__version__ = "0.1.0"
