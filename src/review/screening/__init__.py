"""Screening: criteria, decision ledgers, sheets, agreement and relevance ranking."""
