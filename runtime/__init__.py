"""How the assistant's processes run: the action server with authentication, health
and metrics; Rasa with the same, a redacting tracker store and private logs."""
