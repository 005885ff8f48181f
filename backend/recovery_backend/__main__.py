"""`python -m recovery_backend`: the account backend on BACKEND_HOST:BACKEND_PORT."""
import uvicorn

from .app import create_app
from .logging_setup import configure_logging
from .settings import Settings


def main() -> None:
    configure_logging()
    settings = Settings.from_env()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None, access_log=False)


if __name__ == "__main__":
    main()
