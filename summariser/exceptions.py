"""The errors the summariser raises."""


class SummariserError(Exception):
    """Base of every error raised while turning a post into an article."""


class EmptyArticleError(SummariserError):
    """Cleaning left no article text (the body was empty or all boilerplate)."""
