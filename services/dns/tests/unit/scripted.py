"""A DNS provider's API for adapter tests: answers in order, keeps what it was sent."""

import httpx


class ScriptedApi:
    """An `httpx.MockTransport` handler answering requests with the responses given, in
    order; a request beyond them fails the test."""

    def __init__(self, *answers: httpx.Response) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert self.answers, f"unexpected request: {request.method} {request.url}"
        return self.answers.pop(0)

    @property
    def sent(self) -> list[str]:
        return [f"{r.method} {r.url.copy_with(query=None)}" for r in self.requests]
