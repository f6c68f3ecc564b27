"""Sampling inspections (抽检): categories, records, imports, disclosure, demo data."""
