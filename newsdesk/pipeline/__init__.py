"""The pure core of newsdesk: every step from bytes to items, with no Django import.

A test (tests/pipeline/test_purity.py) fails if any module here imports Django.
"""
