"""The ledger over a real SQLite event store: follower, checkpoints, proofs, tampering, CLI, API."""
