"""mPanel's operations over fakes: tenants kept apart, operators, invoices, payments,
CloudPods and their jobs, lists, and what is answered when the read models lag."""

import json
from uuid import UUID, uuid4

from hostplane.contracts.commands import billing as bc
from hostplane.contracts.commands import provisioning as pc
from hostplane.contracts.identity import cloudpod_instance_id, operator_id_for
from hostplane.contracts.secrets import SecretBox
from hostplane.contracts.topics import BILLING_COMMANDS, PROVISIONING_COMMANDS
from hostplane.gateway.application.mpanel.readmodels import ProvisioningJobRow
from services.gateway.tests.fakes import Api
from services.gateway.tests.mpanel_rows import (
    NOW,
    a_cloudpod,
    a_customer,
    a_shop,
    a_subscription,
    a_tenant,
    an_invoice,
)


def test_another_tenants_invoice_is_not_found(api: Api) -> None:
    theirs = uuid4()
    invoice = an_invoice(theirs, uuid4(), total=999)
    api.billing.reads.rows.invoices[invoice.id] = invoice
    mine = uuid4()
    for method, path, body in [
        ("GET", f"/api/invoices/{invoice.id}", None),
        ("GET", f"/api/invoices/{invoice.id}/pdf", None),
        ("PATCH", f"/api/invoices/{invoice.id}/status", {"status": "paid"}),
        (
            "POST",
            "/api/payments/session",
            {
                "invoiceId": str(invoice.id),
                "successUrl": "https://panel.example.com/ok",
                "cancelUrl": "https://panel.example.com/no",
            },
        ),
    ]:
        response = api.operator(method, path, mine, json=body)
        assert response.status_code == 404, (method, path)
        assert response.json()["error"]["code"] == "NOT_FOUND"
    assert api.operator("GET", f"/api/invoices/{invoice.id}", theirs).status_code == 200
    assert api.broker.commands == []


def test_an_invoice_status_billing_refuses_is_a_conflict_with_its_reason(api: Api) -> None:
    tenant_id = uuid4()
    invoice = an_invoice(tenant_id, uuid4(), status="paid")
    api.billing.reads.rows.invoices[invoice.id] = invoice
    path = f"/api/invoices/{invoice.id}/status"
    refused = api.operator("PATCH", path, tenant_id, json={"status": "unpaid"})
    assert refused.status_code == 409
    assert refused.json()["error"] == {
        "code": "INVALID_STATE",
        "message": "A paid invoice cannot become unpaid",
        "details": {},
    }
    refunded = api.operator("PATCH", path, tenant_id, json={"status": "refunded"})
    assert refunded.status_code == 200
    assert refunded.json()["status"] == "refunded"
    [_, command] = api.broker.sent(bc.SetInvoiceStatus)
    assert command.actor_id is not None and command.tenant_id == tenant_id


def test_a_payment_session_answers_billings_checkout(api: Api) -> None:
    tenant_id = uuid4()
    unpaid, paid = an_invoice(tenant_id, uuid4()), an_invoice(tenant_id, uuid4(), status="paid")
    api.billing.reads.rows.invoices |= {unpaid.id: unpaid, paid.id: paid}

    def session(invoice_id: UUID) -> tuple[int, dict[str, object]]:
        body = {
            "invoiceId": str(invoice_id),
            "successUrl": "https://panel.example.com/ok",
            "cancelUrl": "https://panel.example.com/no",
        }
        response = api.operator("POST", "/api/payments/session", tenant_id, ("billing",), json=body)
        return response.status_code, response.json()

    assert session(unpaid.id) == (
        200,
        {
            "provider": "stripe",
            "sessionId": "cs_test_1",
            "checkoutUrl": "https://checkout.example/cs_test_1",
        },
    )
    status, body = session(paid.id)
    assert status == 409
    assert body["error"] == {
        "code": "INVALID_STATE",
        "message": "The invoice is paid",
        "details": {},
    }


def test_past_the_wait_the_job_is_answered_to_follow(api: Api) -> None:
    platform = api.settings.platform_tenant_id
    response = api.operator("POST", "/api/tenants", platform, json={"name": "Acme"})
    assert response.status_code == 202  # billing's tenant does not show in the read models
    [command] = api.broker.sent(bc.CreateTenant)
    assert response.json() == {"job": {"id": str(api.broker.command_ids[0]), "status": "succeeded"}}
    assert command.name == "Acme"


def test_tenants_are_the_platforms_admins_to_see_and_create(api: Api) -> None:
    platform = a_tenant("Hostplane", api.settings.platform_tenant_id)
    other = a_tenant("Acme")
    api.billing.reads.rows.tenants |= {platform.id: platform, other.id: other}
    everyone = api.operator("GET", "/api/tenants", platform.id).json()
    assert everyone["total"] == 2 and everyone["page"] == 1 and everyone["pageSize"] == 20
    own = api.operator("GET", "/api/tenants", other.id).json()
    assert [t["id"] for t in own["items"]] == [str(other.id)]
    assert api.operator("GET", f"/api/tenants/{platform.id}", other.id).status_code == 404
    assert api.operator("GET", f"/api/tenants/{other.id}", platform.id).status_code == 200
    refused = api.operator("POST", "/api/tenants", other.id, json={"name": "Mine"})
    assert refused.status_code == 403


def test_an_operators_password_travels_sealed_and_is_never_answered(api: Api) -> None:
    tenant = a_tenant("Acme")
    api.billing.reads.rows.tenants[tenant.id] = tenant
    tenant_id = tenant.id
    body = {
        "name": "Ops",
        "email": "ops@example.com",
        "password": "s3cret-enough",
        "roles": ["support"],
    }
    response = api.operator("POST", "/api/users", tenant_id, json=body)
    [command] = api.broker.sent(bc.CreateUser)
    assert "s3cret-enough" not in command.model_dump_json()
    assert SecretBox(api.settings.config_secrets_key).open(command.password) == "s3cret-enough"
    assert command.user_id == operator_id_for("ops@example.com")
    assert response.status_code == 201
    assert response.json()["roles"] == ["support"]
    assert "password" not in response.text
    short = api.operator("POST", "/api/users", tenant_id, json={**body, "password": "short"})
    assert short.status_code == 400
    assert "short" not in short.text


def test_a_cloudpod_is_requested_from_billing_and_suspended_through_provisioning(api: Api) -> None:
    tenant_id, customer_id, product_id = a_shop(api.billing.reads.rows)
    subscription = a_subscription(tenant_id, customer_id, product_id)
    api.billing.reads.rows.subscriptions[subscription.id] = subscription
    body = {
        "customerId": str(customer_id),
        "subscriptionId": str(subscription.id),
        "productId": str(product_id),
        "name": "john-site-1",
        "template": "CPOD-MINI",
    }
    created = api.operator("POST", "/api/cloudpods", tenant_id, json=body)
    assert created.status_code == 201, created.text
    pod_id = str(cloudpod_instance_id(subscription.id))
    assert created.json()["cloudPod"] == {"id": pod_id, "status": "pending"}
    assert created.json()["job"]["type"] == "cloudpod_provision"
    assert api.operator("GET", f"/api/cloudpods/{pod_id}", tenant_id).json()["status"] == "pending"

    suspended = api.operator("POST", f"/api/cloudpods/{pod_id}/suspend", tenant_id, ("support",))
    assert suspended.status_code == 200
    assert suspended.json()["status"] == "suspended"
    topic, key, command = api.broker.commands[-1]
    assert (topic, key) == (PROVISIONING_COMMANDS, UUID(pod_id))
    assert command == pc.SuspendInstance(instance_id=UUID(pod_id), reason="admin")
    assert [t for t, _, c in api.broker.commands if isinstance(c, bc.RequestCloudPod)] == [
        BILLING_COMMANDS
    ]


def test_a_failed_suspend_is_retried_as_a_new_job_and_a_provisioning_is_not(api: Api) -> None:
    tenant_id = uuid4()
    pod = a_cloudpod(tenant_id, uuid4(), uuid4())
    api.billing.reads.rows.cloudpods[pod.id] = pod

    def failed(command: str) -> ProvisioningJobRow:
        row = ProvisioningJobRow(uuid4(), tenant_id, command, "failed", pod.id, "X", "x", NOW, NOW)
        api.billing.reads.rows.jobs[row.id] = row
        return row

    retried = api.operator(
        "POST", f"/api/jobs/{failed('SuspendInstance').id}/retry", tenant_id, ("support",)
    )
    assert retried.status_code == 200, retried.text
    assert retried.json()["type"] == "cloudpod_suspend"
    assert retried.json()["status"] == "succeeded"
    assert retried.json()["targetId"] == str(pod.id)
    provisioning = api.operator("POST", f"/api/jobs/{failed('CreateInstance').id}/retry", tenant_id)
    assert provisioning.status_code == 409
    assert "POST /cloudpods" in provisioning.json()["error"]["message"]
    done = api.operator("POST", f"/api/jobs/{retried.json()['id']}/retry", tenant_id)
    assert done.status_code == 409
    assert len(api.broker.sent(pc.SuspendInstance)) == 1


def test_lists_answer_their_page(api: Api) -> None:
    tenant_id = uuid4()
    for n in range(3):
        row = a_customer(tenant_id, name=f"Customer {n}")
        api.billing.reads.rows.customers[row.id] = row
    page = api.operator("GET", "/api/customers?page=2&pageSize=2", tenant_id).json()
    assert (page["total"], page["page"], page["pageSize"], len(page["items"])) == (3, 2, 2, 1)
    assert json.dumps(page["items"][0]["createdAt"]).endswith('Z"')


def test_the_platforms_admins_create_another_tenants_operators(api: Api) -> None:
    brand = a_tenant("Brand")
    api.billing.reads.rows.tenants[brand.id] = brand
    body = {
        "name": "Brand ops",
        "email": "ops@brand.example.com",
        "password": "another-long-password",
        "roles": ["admin"],
        "tenantId": str(brand.id),
    }
    platform = api.settings.platform_tenant_id
    created = api.operator("POST", "/api/users", platform, json=body)
    assert created.status_code == 201, created.text
    assert created.json()["tenantId"] == str(brand.id)
    refused = api.operator("POST", "/api/users", uuid4(), json=body)
    assert refused.status_code == 403
    unknown = api.operator("POST", "/api/users", platform, json={**body, "tenantId": str(uuid4())})
    assert unknown.status_code == 404


def test_the_audit_log_takes_times_as_iso_8601(api: Api) -> None:
    tenant_id = uuid4()
    assert (
        api.operator("GET", "/api/audit?since=2026-01-01T00:00:00Z", tenant_id).status_code == 200
    )
    assert api.operator("GET", "/api/audit?since=0.5", tenant_id).status_code == 400
