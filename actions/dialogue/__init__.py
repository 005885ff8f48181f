"""The recovery conversation as plain Python: state, facts, texts and one turn."""
