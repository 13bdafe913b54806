"""Running the server: `govcore serve` (uvicorn), and configurations read from folders."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from govcore.access.live import Loader
from govcore.config import Configuration, load_config
from govcore.errors import GovcoreError
from govcore.i18n import _


def folder_loader(folders: Sequence[str | Path], fallback: Loader | None = None) -> Loader:
    """Each municipality's configuration from its folder (checked now, so that a broken folder
    stops the server at start and not at the first request); other municipalities' from `fallback`."""
    by_code: dict[str, Path] = {}
    for f in folders:
        cfg = load_config(f)
        if cfg.municipality.code in by_code:
            raise GovcoreError(_("two configuration folders for {name} ({code}): {first} and {second}").format(
                name=cfg.municipality.name, code=cfg.municipality.code, first=by_code[cfg.municipality.code],
                second=f))
        by_code[cfg.municipality.code] = Path(f)

    def load(municipality: str, start: str) -> Configuration:
        folder = by_code.get(municipality)
        if folder is None and fallback is not None:
            return fallback(municipality, start)
        if folder is None:
            raise GovcoreError(_("no configuration folder was given for municipality {code} (--config)").format(
                code=municipality))
        return load_config(folder, year=int(start[:4]))

    return load


def serve(database_url: str, *, host: str = "127.0.0.1", port: int = 8000, folders: Sequence[str] = (),
          log_level: str = "info") -> None:
    """Serve the API until interrupted. Once the application is built (configurations loaded and
    checked), what is alive is settled out of the cycle collector's way (`settle_after_startup`)."""
    import uvicorn

    from govcore.longrunning import settle_after_startup
    from govcore.server.app import create_app
    from govcore.server.settings import Settings

    settings = Settings.from_env(database_url)
    app = create_app(settings, folders=folders)
    settle_after_startup()
    uvicorn.run(app, host=host, port=port, log_level=log_level, proxy_headers=True)
