"""Every endpoint of seed 003, at its path under `/api/v1`, with the models of its query, its
body and its answer: what the gateway serves and what its tests hold it to."""

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from hostplane.contracts.cloudvps.admin import (
    AdminTicket,
    AdminTicketQuery,
    AdminUserQuery,
    AdminVps,
    AdminVpsQuery,
    PlatformStats,
    SuspendRequest,
    SystemHealth,
)
from hostplane.contracts.cloudvps.auth import (
    AuthToken,
    ChangePasswordRequest,
    LoginRequest,
    RefreshRequest,
    RegisterRequest,
    UpdateProfileRequest,
    UserProfile,
)
from hostplane.contracts.cloudvps.backups import Backup, CreateBackupRequest
from hostplane.contracts.cloudvps.billing import (
    AddPaymentMethodRequest,
    Invoice,
    InvoiceQuery,
    PaymentMethod,
    Usage,
)
from hostplane.contracts.cloudvps.envelope import Deleted, Envelope, Message
from hostplane.contracts.cloudvps.monitoring import Console, Metrics, MetricsQuery
from hostplane.contracts.cloudvps.networking import IpAddress, Network, UpdateNetworkRequest
from hostplane.contracts.cloudvps.plans import Plan
from hostplane.contracts.cloudvps.tickets import (
    AddTicketMessageRequest,
    CreateTicketRequest,
    Ticket,
    TicketDetail,
    TicketMessage,
    TicketQuery,
    UpdateTicketRequest,
)
from hostplane.contracts.cloudvps.vps import (
    CreateVpsRequest,
    DeleteVpsQuery,
    RebuildVpsRequest,
    UpdateVpsRequest,
    Vps,
    VpsQuery,
)

PREFIX = "/api/v1"
Method = Literal["GET", "POST", "PUT", "DELETE"]


@dataclass(frozen=True)
class Route:
    method: Method
    path: str  # under PREFIX, with the contract's `{id}` parameters
    summary: str
    response: type[BaseModel] | None  # None: not JSON, see media_type
    request: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    media_type: str = "application/json"


ENDPOINTS: tuple[Route, ...] = (
    # Authentication
    Route("POST", "/auth/login", "Sign in", Envelope[AuthToken], LoginRequest),
    Route("POST", "/auth/register", "Register an account", Envelope[AuthToken], RegisterRequest),
    Route("POST", "/auth/refresh", "Refresh the bearer token", Envelope[AuthToken], RefreshRequest),
    Route("POST", "/auth/logout", "Invalidate the bearer token", Envelope[Message]),
    # Users
    Route("GET", "/users/profile", "The current user", Envelope[UserProfile]),
    Route(
        "PUT", "/users/profile", "Update the profile", Envelope[UserProfile], UpdateProfileRequest
    ),
    Route(
        "POST",
        "/users/change-password",
        "Change the password",
        Envelope[Message],
        ChangePasswordRequest,
    ),
    # VPS Management
    Route("GET", "/vps", "The user's VPS", Envelope[list[Vps]], query=VpsQuery),
    Route("GET", "/vps/{id}", "One VPS", Envelope[Vps]),
    Route("POST", "/vps", "Create a VPS", Envelope[Vps], CreateVpsRequest),
    Route("PUT", "/vps/{id}", "Update a VPS", Envelope[Vps], UpdateVpsRequest),
    Route("DELETE", "/vps/{id}", "Delete a VPS", Envelope[Deleted], query=DeleteVpsQuery),
    Route("POST", "/vps/{id}/start", "Start a VPS", Envelope[Vps]),
    Route("POST", "/vps/{id}/stop", "Stop a VPS", Envelope[Vps]),
    Route("POST", "/vps/{id}/restart", "Restart a VPS", Envelope[Vps]),
    Route(
        "POST", "/vps/{id}/rebuild", "Rebuild with another image", Envelope[Vps], RebuildVpsRequest
    ),
    # VPS Monitoring
    Route("GET", "/vps/{id}/metrics", "Resource usage", Envelope[Metrics], query=MetricsQuery),
    Route("GET", "/vps/{id}/console", "Console access", Envelope[Console]),
    # VPS Backups
    Route("GET", "/vps/{id}/backups", "A VPS's backups", Envelope[list[Backup]]),
    Route("POST", "/vps/{id}/backups", "Back up now", Envelope[Backup], CreateBackupRequest),
    Route("POST", "/vps/{id}/backups/{backup_id}/restore", "Restore a backup", Envelope[Vps]),
    Route("DELETE", "/vps/{id}/backups/{backup_id}", "Delete a backup", Envelope[Deleted]),
    # VPS Networking
    Route("GET", "/vps/{id}/network", "Addresses and firewall", Envelope[Network]),
    Route(
        "PUT", "/vps/{id}/network", "Replace the firewall", Envelope[Network], UpdateNetworkRequest
    ),
    Route("POST", "/vps/{id}/network/ip", "An additional IP address", Envelope[IpAddress]),
    # Plans and Pricing
    Route("GET", "/plans", "The plans on offer", Envelope[list[Plan]]),
    Route("GET", "/plans/{id}", "One plan", Envelope[Plan]),
    # Billing and Invoices
    Route(
        "GET",
        "/billing/invoices",
        "The user's invoices",
        Envelope[list[Invoice]],
        query=InvoiceQuery,
    ),
    Route("GET", "/billing/invoices/{id}", "One invoice", Envelope[Invoice]),
    Route(
        "GET", "/billing/invoices/{id}/pdf", "An invoice as PDF", None, media_type="application/pdf"
    ),
    Route("GET", "/billing/usage", "The current period's usage", Envelope[Usage]),
    # Payment Methods
    Route(
        "GET", "/billing/payment-methods", "Saved payment methods", Envelope[list[PaymentMethod]]
    ),
    Route(
        "POST",
        "/billing/payment-methods",
        "Save a payment method",
        Envelope[PaymentMethod],
        AddPaymentMethodRequest,
    ),
    Route("DELETE", "/billing/payment-methods/{id}", "Remove a payment method", Envelope[Deleted]),
    # Support Tickets
    Route(
        "GET", "/support/tickets", "The user's tickets", Envelope[list[Ticket]], query=TicketQuery
    ),
    Route("POST", "/support/tickets", "Open a ticket", Envelope[TicketDetail], CreateTicketRequest),
    Route("GET", "/support/tickets/{id}", "A ticket and its messages", Envelope[TicketDetail]),
    Route(
        "POST",
        "/support/tickets/{id}/messages",
        "Add a message",
        Envelope[TicketMessage],
        AddTicketMessageRequest,
    ),
    Route("PUT", "/support/tickets/{id}", "Update a ticket", Envelope[Ticket], UpdateTicketRequest),
    # Admin Endpoints
    Route("GET", "/admin/stats", "Platform statistics", Envelope[PlatformStats]),
    Route("GET", "/admin/users", "Every user", Envelope[list[UserProfile]], query=AdminUserQuery),
    Route("GET", "/admin/vps", "Every VPS", Envelope[list[AdminVps]], query=AdminVpsQuery),
    Route(
        "GET", "/admin/tickets", "Every ticket", Envelope[list[AdminTicket]], query=AdminTicketQuery
    ),
    Route(
        "POST", "/admin/users/{id}/suspend", "Suspend a user", Envelope[UserProfile], SuspendRequest
    ),
    Route("POST", "/admin/vps/{id}/suspend", "Suspend a VPS", Envelope[Vps], SuspendRequest),
    Route("GET", "/admin/system/health", "System health", Envelope[SystemHealth]),
)
