"""Where uploaded files that hold personal data are kept: `storages["private"]`.

A folder outside MEDIA_ROOT (settings.MANYI_PRIVATE_DIR) that no URL pattern serves. Such a
file has no URL at all: a view that has checked who asks sends it (see the import file view)."""

from django.core.files.storage import FileSystemStorage, storages


class PrivateStorage(FileSystemStorage):
    def url(self, name):
        raise ValueError("Private files have no public URL; serve them from a view.")


def private_storage():
    """The private storage (a callable, so that models and migrations name it, not its path)."""
    return storages["private"]
