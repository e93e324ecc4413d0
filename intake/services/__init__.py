"""Use cases the views and commands call; views stay thin and never touch the session directly."""
