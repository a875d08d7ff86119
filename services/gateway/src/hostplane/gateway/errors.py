"""Errors in the contract's body `{error, code, details}`, for every failure the API answers."""

import logging
from typing import Any

import psycopg
from aiokafka.errors import KafkaError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg_pool import PoolTimeout
from pydantic import ValidationError
from starlette.exceptions import HTTPException

from hostplane.contracts.openclaw import ErrorCode, ErrorResponse, JobAccepted

log = logging.getLogger(__name__)


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: ErrorCode | str,
        message: str,
        details: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = str(code)
        self.message = message
        self.details = details
        self.headers = headers


class JobPending(Exception):
    """A job outlived an endpoint's bounded wait: answered 202 with the job to follow."""

    def __init__(self, accepted: JobAccepted) -> None:
        super().__init__(str(accepted.job_id))
        self.accepted = accepted


def not_found(what: str) -> ApiError:
    return ApiError(404, ErrorCode.NOT_FOUND, f"{what} not found")


def unauthorized(message: str) -> ApiError:
    return ApiError(401, ErrorCode.UNAUTHORIZED, message)


def job_failed(code: str | None, message: str | None, result: dict[str, Any]) -> ApiError:
    """A failed job as the answer: refused by the state it met (409, naming that state in
    `details.status`), or failed at a provider (502)."""
    if code == ErrorCode.INVALID_STATE:
        status = result.get("status")
        details = {"status": str(status)} if status else None
        return ApiError(409, ErrorCode.INVALID_STATE, message or "Invalid state", details)
    return ApiError(502, code or "JOB_FAILED", message or "Job failed")


def validation_error(error: ValidationError | RequestValidationError) -> ApiError:
    """400 VALIDATION_ERROR naming each offending field."""
    details: dict[str, str] = {}
    for item in error.errors():
        location = [str(part) for part in item.get("loc", ()) if part not in ("body",)]
        details[".".join(location) or "body"] = str(item.get("msg", "invalid"))
    return ApiError(400, ErrorCode.VALIDATION_ERROR, "Request validation failed", details)


def respond(error: ApiError) -> JSONResponse:
    body = ErrorResponse(error=error.message, code=error.code, details=error.details)
    return JSONResponse(
        body.model_dump(exclude_none=True), status_code=error.status, headers=error.headers
    )


def install(app: FastAPI) -> None:
    """Route every error through the contract's error body."""

    async def on_api_error(_: Request, exc: Any) -> JSONResponse:
        return respond(exc)

    async def on_job_pending(_: Request, exc: Any) -> JSONResponse:
        return JSONResponse(exc.accepted.model_dump(mode="json"), status_code=202)

    async def on_validation(_: Request, exc: Any) -> JSONResponse:
        return respond(validation_error(exc))

    async def on_http(_: Request, exc: Any) -> JSONResponse:
        code = {404: ErrorCode.NOT_FOUND, 405: ErrorCode.VALIDATION_ERROR}.get(
            exc.status_code, ErrorCode.INTERNAL_ERROR
        )
        return respond(ApiError(exc.status_code, code, str(exc.detail)))

    async def on_unavailable(request: Request, exc: Exception) -> JSONResponse:
        # The broker or the database is down for a moment: the caller should retry.
        log.warning("%s %s answered 503: %r", request.method, request.url.path, exc)
        unavailable = ApiError(
            503,
            ErrorCode.SERVICE_UNAVAILABLE,
            "Temporarily unavailable, retry",
            None,
            {"Retry-After": "1"},
        )
        return respond(unavailable)

    async def on_unexpected(_: Request, exc: Exception) -> JSONResponse:
        return respond(ApiError(500, ErrorCode.INTERNAL_ERROR, "Internal error"))

    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(JobPending, on_job_pending)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(KafkaError, on_unavailable)
    app.add_exception_handler(psycopg.OperationalError, on_unavailable)
    # The metrics service creates the read models: a gateway that starts first waits for it.
    app.add_exception_handler(psycopg.errors.UndefinedTable, on_unavailable)
    app.add_exception_handler(PoolTimeout, on_unavailable)
    app.add_exception_handler(Exception, on_unexpected)
