"""The pure core of newsdesk: every step from bytes to items, with no Django import.

A contract of import-linter (pyproject.toml) fails the tests if a module here imports
Django or any newsdesk package above the pipeline.
"""
