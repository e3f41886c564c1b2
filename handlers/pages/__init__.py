"""Units' own pages: what they post there themselves, counted in the campaign's cadence, and
their pages' audience."""
