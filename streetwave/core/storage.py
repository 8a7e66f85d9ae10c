"""Stored files that are whole or absent.

Django's FileSystemStorage writes a file in place: when the disk fills up halfway, a truncated
photo stays under MEDIA_ROOT with a name a row may point to. This storage writes each file to a
temporary name beside it, flushed to the disk, and links it into place only once complete; a
failure (a full disk, a quota) removes the partial file and raises, so nothing half-written is
ever found. Object storage (S3) is whole or absent by itself.
"""

import os
import tempfile
from typing import Any

from django.core.files.storage import FileSystemStorage


class WholeFileSystemStorage(FileSystemStorage):
    def _save(self, name: str, content: Any) -> str:
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        os.makedirs(directory, mode=self.directory_permissions_mode or 0o777, exist_ok=True)
        descriptor, partial = tempfile.mkstemp(dir=directory, prefix=".partial-")
        try:
            with os.fdopen(descriptor, "wb") as out:
                for chunk in content.chunks():
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(partial, self.file_permissions_mode or 0o644)
            while True:
                try:
                    # A link, unlike a rename, never replaces a file of the same name.
                    os.link(partial, full_path)
                    break
                except FileExistsError:
                    name = self.get_available_name(name)
                    full_path = self.path(name)
        finally:
            os.unlink(partial)
        return str(name).replace("\\", "/")
