"""Analytics over the inspection records: pass-rate queries (Ibis) and the DuckDB mart."""
