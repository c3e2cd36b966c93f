"""Ordinal random assignment (Erdil, *Strategy-proof stochastic assignment*)."""
