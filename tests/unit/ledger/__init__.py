"""Tests for the tamper-evident ledger."""
