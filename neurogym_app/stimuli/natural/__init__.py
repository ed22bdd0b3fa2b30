"""Natural views of the flagship tasks: what a person in the lab would see (pure: numpy only)."""
