"""Import target for uvicorn workers: settings come from the environment the CLI sets."""

from xinyong.web.app import create_app

app = create_app()
