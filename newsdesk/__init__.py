"""newsdesk: a newsroom system for policy bulletins."""

__version__ = "0.1.0"
