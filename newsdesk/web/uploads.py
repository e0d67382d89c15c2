"""Uploaded files kept on disk only as far as newsdesk reads them.

Django writes an upload larger than FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file
whole before any view runs, so a reader that stops at NEWSDESK_MAX_IMPORT_BYTES (every
upload newsdesk takes: back issues, source lists, subscribers) came too late to spare
the disk. This handler writes at most one byte past that limit, enough for the reader
to refuse the file as too large, and still reports the file's whole size.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import TemporaryFileUploadHandler

from newsdesk.ingest.limits import input_limits


class CappedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Django's temporary-file handler, writing at most NEWSDESK_MAX_IMPORT_BYTES + 1
    bytes of each file; the rest is read from the request and dropped."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.kept = input_limits().import_bytes + 1

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        room = self.kept - start  # `start`: the bytes of this file received before
        if room > 0:
            self.file.write(raw_data[:room])
        return None
