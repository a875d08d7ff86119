"""Why billing refuses a command: a code the job carries (the gateway maps it to a status)."""


class Refused(Exception):
    """A command that breaks a rule; its job fails with `code` and nothing else is stored."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def not_found(kind: str, ident: object) -> Refused:
    return Refused("NOT_FOUND", f"{kind} {ident} does not exist")
