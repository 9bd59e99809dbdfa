"""The knowledge base's exception."""


class KnowledgeBaseError(Exception):
    """A knowledge base cannot be read or written: bad frame, corrupt or foreign file."""
