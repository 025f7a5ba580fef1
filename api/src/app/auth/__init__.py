"""Sign-up, sign-in, sessions and the current user."""
