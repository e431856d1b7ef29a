"""The errors storage raises; callers catch `StorageError` for anything database-related."""


class StorageError(Exception):
    """Base of every error raised by the storage package."""


class SchemaTooNewError(StorageError):
    """The database was written by a newer newsgist; this one must not touch it."""

    def __init__(self, path: str, found: int, known: int) -> None:
        super().__init__(
            f"{path} has schema version {found}, created by a newer newsgist "
            f"(this one knows up to version {known}); upgrade newsgist or use another database"
        )
        self.found = found
        self.known = known


class InvalidValueError(StorageError, ValueError):
    """A value storage will not keep (an unknown time zone, a naive time…); the message
    says what is wrong. A `ValueError` too, so callers checking input may catch either."""
