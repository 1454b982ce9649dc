"""The pages: server-rendered HTML over the same library calls as the API, with a little local JavaScript."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

router = APIRouter(include_in_schema=False)

_templates = Environment(
    loader=PackageLoader("provenance.serve", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
)


def static_folder() -> Path:
    """The folder of the pages' CSS and JavaScript, served at /static."""
    return Path(str(files("provenance.serve").joinpath("static")))


def page(name: str, **values: Any) -> HTMLResponse:
    """A rendered page."""
    return HTMLResponse(_templates.get_template(name).render(**values))


@router.get("/", response_class=HTMLResponse)
def start(request: Request) -> HTMLResponse:
    """The start page: paste a URL or text, or drop a file, and get the verdict."""
    return page("start.html.j2", title="Is this article a repost?")
