"""Single sign-on from WHMCS into the dashboard.

`sign_in` (WHMCS headers, and a body signed over `"{client_id}:{service_id}:{email}:{timestamp}"`)
answers a client session and a one-time link; `follow_link` checks that link (5 minutes, once)
and sends the browser into the dashboard with the session in the URL fragment, which browsers
do not send to servers.
"""

import time
from dataclasses import dataclass
from urllib.parse import urlencode

from hostplane.contracts.commands.billing import RegisterUser
from hostplane.contracts.identity import user_id_for
from hostplane.contracts.openclaw.sso import SsoPayload, SsoRequest
from hostplane.contracts.topics import BILLING_COMMANDS
from hostplane.gateway.application.ports import CommandPublisher, UsedTokens
from hostplane.gateway.domain.errors import Unauthorized
from hostplane.gateway.domain.signatures import link_token, read_link, verify_sso
from hostplane.gateway.domain.tokens import session_token
from hostplane.gateway.settings import Settings


@dataclass(frozen=True)
class Session:
    token: str
    link: str  # one-time, into the dashboard
    expires_in: int


@dataclass(frozen=True)
class SignOn:
    settings: Settings
    commands: CommandPublisher
    used: UsedTokens

    async def sign_in(self, request: SsoRequest) -> Session:
        """Sign a WHMCS client in; its user is created on first sight (by billing)."""
        settings, now = self.settings, time.time()
        verify_sso(request, settings.whmcs_hmac_secret, settings.sso_window_s, now)
        user_id = user_id_for(request.client_id)
        # Users are billing's: a WHMCS client's user belongs to the platform's own tenant.
        await self.commands.send(
            BILLING_COMMANDS,
            user_id,
            RegisterUser(
                tenant_id=settings.platform_tenant_id,
                user_id=user_id,
                whmcs_client_id=request.client_id,
                email=request.email,
            ),
        )
        payload = SsoPayload(
            client_id=request.client_id, service_id=request.service_id, email=str(request.email)
        )
        ts = int(now)
        query = urlencode({"token": link_token(settings.whmcs_hmac_secret, payload, ts), "ts": ts})
        return Session(
            token=session_token(settings.jwt_secret, user_id, settings.session_ttl_s, now),
            link=f"{settings.public_api_url.rstrip('/')}/auth/sso?{query}",
            expires_in=settings.session_ttl_s,
        )

    async def follow_link(self, token: str, ts: int) -> str:
        """Where a one-time link leads: the dashboard, carrying a fresh session."""
        settings, now = self.settings, time.time()
        link = read_link(token, ts, settings.whmcs_hmac_secret, settings.sso_window_s, now)
        if not await self.used.first_use(link.replay_key, 2 * settings.sso_window_s):
            raise Unauthorized("SSO link already used")
        user_id = user_id_for(link.payload.client_id)
        session = session_token(settings.jwt_secret, user_id, settings.session_ttl_s, now)
        fragment = urlencode({"token": session, "service_id": link.payload.service_id})
        return f"{settings.dashboard_url.rstrip('/')}/sso#{fragment}"
