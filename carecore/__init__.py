"""The commissioning engine: pure Python, never imports Django.

Every rule and model lives here (geography and bands, cost of care, rate cards, tender
evaluation, ...). Functions take and return plain dataclasses and numbers; they never read
the clock and every random draw comes from a seed the caller gives.
"""
