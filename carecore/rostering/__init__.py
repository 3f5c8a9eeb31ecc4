"""Rostering: travel-time sources and carers' daily rounds (routing with time windows)."""
