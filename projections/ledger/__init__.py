"""Tamper-evident ledger: Merkle tree hashing, signed checkpoints and bundle verification."""
