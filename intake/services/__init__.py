"""Application services: the logic views and commands share."""
