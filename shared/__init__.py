"""What Chibo's services share: event contracts, subjects and streams, and the
delivery machinery (outbox, inbox, consumers), settings, logging, metrics and
token verification. No service's tables or rules live here."""
