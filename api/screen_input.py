"""The rows of a screening request (``POST /api/screen`` and the ``/screen`` page), from
whatever form its body takes: a CSV, a JSON list, or a form upload or paste."""

from __future__ import annotations

from fastapi import Request

from graph import screening
from graph.errors import InvalidData


def _text(raw: bytes, source: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidData(f"not UTF-8 text (byte {exc.start})", file=source) from exc


async def rows_from(request: Request) -> list[screening.Row]:
    """The rows of a screening request, whatever form its body takes."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in ("multipart/form-data", "application/x-www-form-urlencoded"):
        form = await request.form()
        upload = form.get("file")
        if upload is not None and not isinstance(upload, str):
            raw = await upload.read()
            if raw.strip():
                name = upload.filename or "upload"
                text = _text(raw, name)
                if name.lower().endswith(".json"):
                    return screening.parse_json(text, name)
                return screening.parse_csv(text, name)
        pasted = form.get("text")
        return screening.parse_csv(pasted if isinstance(pasted, str) else "", "text")
    body = _text(await request.body(), "body")
    if kind == "application/json":
        return screening.parse_json(body, "body")
    return screening.parse_csv(body, "body")
