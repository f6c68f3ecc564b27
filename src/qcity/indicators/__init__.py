"""Plan indicators: targets, computed pass rates, reported values, status and trend."""
