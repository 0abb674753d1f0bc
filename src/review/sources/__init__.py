"""Readers and connectors that turn one source's data into :class:`review.records.Record`."""
