"""Reports: read-only projections of the organization tree and meeting ratings."""
