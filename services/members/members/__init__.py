"""Members service: the organization tree, member records, user accounts and login."""
