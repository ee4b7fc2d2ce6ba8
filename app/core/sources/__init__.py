"""Your own sources: import documents, find what they mention, suggest entities, curate cited facts."""
