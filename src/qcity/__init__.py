"""qcity: quality-supervision platform for cities."""

__version__ = "0.1.0"
