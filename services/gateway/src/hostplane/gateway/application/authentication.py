"""Who may call: WHMCS by HMAC signature (each accepted once), dashboards by JWT, an instance
by its own token."""

import time
from dataclasses import dataclass
from uuid import UUID

from hostplane.gateway.application.ports import UsedTokens
from hostplane.gateway.domain.access import WHMCS, Principal
from hostplane.gateway.domain.errors import Forbidden, Unauthorized
from hostplane.gateway.domain.signatures import WhmcsRequest
from hostplane.gateway.domain.tokens import bearer, instance_token_valid, session_principal
from hostplane.gateway.settings import Settings


@dataclass(frozen=True)
class Authentication:
    settings: Settings
    used: UsedTokens

    async def whmcs(self, request: WhmcsRequest) -> None:
        """Accept a WHMCS call signed within the time window, once; 401 otherwise."""
        if not await self._whmcs_if_signed(request):
            raise Unauthorized("Missing X-API-Key, X-Timestamp or X-Signature")

    async def whmcs_or_user(self, request: WhmcsRequest, authorization: str | None) -> Principal:
        """WHMCS by signature, or a dashboard user by JWT."""
        if await self._whmcs_if_signed(request):
            return WHMCS
        return self.user(authorization)

    def user(self, authorization: str | None) -> Principal:
        """A dashboard user (client or admin) by JWT."""
        return session_principal(self.settings.jwt_secret, bearer(authorization), time.time())

    def admin(self, authorization: str | None) -> Principal:
        """An admin by JWT; a client is forbidden."""
        principal = self.user(authorization)
        if principal.role != "admin":
            raise Forbidden("Admin role required")
        return principal

    def instance(self, instance_id: UUID, authorization: str | None) -> str:
        """The token of a call an instance made with its own token; 401 otherwise."""
        token = bearer(authorization)
        if not instance_token_valid(self.settings.instance_token_secret, instance_id, token):
            raise Unauthorized("Invalid instance token")
        return token

    async def _whmcs_if_signed(self, request: WhmcsRequest) -> bool:
        """False for a call without WHMCS headers; 401 for bad ones, or ones used before."""
        if not request.signed:
            return False
        settings = self.settings
        replay_key = request.verify(
            settings.whmcs_api_key,
            settings.whmcs_hmac_secret,
            settings.signature_window_s,
            time.time(),
        )
        if not await self.used.first_use(replay_key, 2 * settings.signature_window_s):
            raise Unauthorized("Signature already used")
        return True
