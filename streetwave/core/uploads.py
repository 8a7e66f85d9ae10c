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

import contextlib
import datetime as dt
import errno
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext_lazy as _

from .errors import DomainError

logger = logging.getLogger(__name__)

# An upload whose row is gone or no longer waiting is a leftover after a short grace (its
# transaction may not have committed yet); any upload is one after an hour.
GRACE = dt.timedelta(minutes=5)
LEFTOVER_AFTER = dt.timedelta(hours=1)


class NoRoomForUpload(DomainError):
    """The server's disk is full: the photo was not kept, and neither was its row."""

    status_code = 503
    default_message = _(
        "The server has no room to keep this photo right now, so nothing was saved. Try again "
        "later; what you typed is still here."
    )


class NoRoomToStore(Exception):
    """The processed photo could not be stored for want of room; nothing of it was kept."""


def _full(error: OSError) -> bool:
    return error.errno in (errno.ENOSPC, errno.EDQUOT)


def store_whole(files: Sequence[tuple[FieldFile, str, bytes]]) -> None:
    """Save each (field file, name, content) to its storage. When the disk is full, what was
    saved already is deleted and NoRoomToStore raised: a photo has all its copies or none."""
    saved: list[FieldFile] = []
    try:
        for field, name, data in files:
            field.save(name, ContentFile(data), save=False)
            saved.append(field)
    except OSError as error:
        for field in saved:
            if field.name:
                field.storage.delete(field.name)
        if _full(error):
            raise NoRoomToStore() from error
        raise


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
        """Keep `data` under `public_id`, whole; NoRoomForUpload (and nothing kept) when the
        disk is full."""
        path = self.path(public_id)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
        except OSError as error:
            path.unlink(missing_ok=True)
            if _full(error):
                raise NoRoomForUpload() from error
            raise

    @contextlib.contextmanager
    def taken(self, public_id: str) -> Iterator[Path]:
        """The upload of `public_id` for its task, removed afterwards whatever happened; but
        when its result found no room to be stored, it stays, and the task ends quietly: the
        photo is still processing, and the sweep tries again once there is room."""
        path = self.path(public_id)
        keep = False
        try:
            yield path
        except NoRoomToStore:
            keep = True
            logger.warning("no room to store photo %s: its upload waits for the sweep", public_id)
        finally:
            if not keep:
                path.unlink(missing_ok=True)

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
