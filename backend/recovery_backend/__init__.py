"""Account backend for the Client Panel recovery assistant."""
