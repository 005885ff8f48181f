"""The engine that runs the company's procedure (data/procedure/*.yml): loading and checking the
files, the steps, one small function per backend operation, and the one reply a turn composes."""
