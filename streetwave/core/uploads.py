"""Photos waiting for their task, and the files a deleted photo leaves.

Between the request and the task that runs the safe-photo pipeline (core.images), an upload
waits in a private file: under `VAR_DIR/photo-uploads/<kind>/` (the folders mode 0700), created
exclusively with mode 0600 and named by its row's public id; never under MEDIA_ROOT, never
served, never in the broker. The task removes it on every path, and `sweep` removes what nobody
will process (docs/decisions/0007 and 0008).

A CASCADE removes rows, never files: `delete_files_on_commit` is what a photo model's
post_delete receiver calls, so that every deletion (of the photo, or of a row it goes with)
removes its stored files and its waiting upload once the deletion commits.
"""

import datetime as dt
import os
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models.fields.files import FieldFile

# An upload whose row is gone or no longer waiting is a leftover after a short grace (its
# transaction may not have committed yet); any upload is one after an hour.
GRACE = dt.timedelta(minutes=5)
LEFTOVER_AFTER = dt.timedelta(hours=1)


class PrivateUploads:
    """The waiting uploads of one kind of photo (a report-back's, an incident's)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def folder(self) -> Path:
        root = Path(settings.VAR_DIR) / "photo-uploads"
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder = root / self.kind
        folder.mkdir(mode=0o700, exist_ok=True)
        return folder

    def path(self, public_id: str) -> Path:
        return self.folder() / public_id

    def write(self, public_id: str, data: bytes) -> None:
        fd = os.open(self.path(public_id), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)

    def remove(self, public_id: str) -> None:
        self.path(public_id).unlink(missing_ok=True)

    def sweep(self, waiting: Mapping[str, int], process: Callable[[int], object]) -> int:
        """Remove the uploads nobody will process (their row gone or done, after the grace; any,
        after an hour) and `process` the row's pk of those a lost task left waiting (`waiting`:
        public id to pk of the rows still waiting). Returns how many were removed."""
        removed = 0
        for path in self.folder().iterdir():
            age = time.time() - path.stat().st_mtime
            if age > LEFTOVER_AFTER.total_seconds() or (
                path.name not in waiting and age > GRACE.total_seconds()
            ):
                path.unlink(missing_ok=True)
                removed += 1
            elif path.name in waiting and age > GRACE.total_seconds():
                process(waiting[path.name])
        return removed


def delete_files_on_commit(
    files: Iterable[FieldFile], *, uploads: PrivateUploads, public_id: str
) -> None:
    """Once the current transaction commits, delete `files` from their storage and the upload
    waiting under `public_id`: what a deleted photo row leaves. Rolled back, nothing goes."""
    stored = [(file.storage, file.name) for file in files if file.name]

    def delete() -> None:
        for storage, name in stored:
            storage.delete(name)
        uploads.remove(public_id)

    transaction.on_commit(delete)
