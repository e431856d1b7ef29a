"""The errors a source can raise; callers catch `SourceError` to keep other sources going."""


class SourceError(Exception):
    """Base of every error raised by a source."""


class PostError(SourceError):
    """One post could not be read; `reason` says why in words a user can act on."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class FetchError(SourceError):
    """A remote source (feed URL, git remote) could not be reached or read."""


class GitError(FetchError):
    """A git clone, fetch or diff failed."""


class SpecError(SourceError):
    """A source description (path or URL) cannot be understood."""


class FolderError(SourceError):
    """A folder source is missing or cannot be listed."""
