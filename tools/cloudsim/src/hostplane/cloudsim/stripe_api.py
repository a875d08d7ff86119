"""Stripe's v1 endpoints: each reads its form as Stripe validates it, makes one call on the
account, and answers the object (or a list of them) in Stripe's JSON."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from hostplane.cloudsim.stripe_account import SESSION_LIFETIME_S, StripeAccount
from hostplane.cloudsim.stripe_objects import (
    TEST_CARDS,
    CheckoutSession,
    Customer,
    LineItem,
    PaymentIntent,
    unix_now,
)
from hostplane.cloudsim.stripe_wire import (
    Form,
    Wire,
    invalid,
    list_page,
    merge_metadata,
    missing_param,
    no_such,
)


@dataclass(frozen=True)
class Call:
    """One request to the API: its decoded form (body or query) and its path's values."""

    form: Form
    path: Mapping[str, str]

    @property
    def id(self) -> str:
        return self.path["id"]


Handler = Callable[[Call], Wire]


class StripeApi:
    def __init__(self, account: StripeAccount, public_url: str) -> None:
        self.account, self.public_url = account, public_url.rstrip("/")

    def routes(self) -> list[tuple[str, str, Handler]]:
        """(method, path under /v1's parent, handler), in the order they are matched."""
        a = self.account
        return [
            ("POST", "/v1/customers", self.create_customer),
            ("GET", "/v1/customers", self.list_customers),
            ("GET", "/v1/customers/{id}", lambda c: a.customer(c.id).wire()),
            ("POST", "/v1/customers/{id}", self.update_customer),
            ("GET", "/v1/customers/{id}/payment_methods", self.customer_payment_methods),
            ("GET", "/v1/customers/{id}/payment_methods/{pm}", self.customer_payment_method),
            ("GET", "/v1/payment_methods", self.list_payment_methods),
            ("GET", "/v1/payment_methods/{id}", lambda c: a.payment_method(c.id).wire()),
            ("POST", "/v1/payment_methods/{id}/attach", self.attach_payment_method),
            ("POST", "/v1/payment_methods/{id}/detach", self.detach_payment_method),
            ("POST", "/v1/payment_intents", self.create_payment_intent),
            ("GET", "/v1/payment_intents", self.list_payment_intents),
            ("GET", "/v1/payment_intents/{id}", lambda c: a.intent(c.id).wire()),
            ("POST", "/v1/payment_intents/{id}/confirm", self.confirm_payment_intent),
            ("POST", "/v1/payment_intents/{id}/cancel", self.cancel_payment_intent),
            ("GET", "/v1/charges", self.list_charges),
            ("GET", "/v1/charges/{id}", lambda c: a.charge(c.id).wire()),
            ("POST", "/v1/refunds", self.create_refund),
            ("GET", "/v1/refunds", self.list_refunds),
            ("GET", "/v1/refunds/{id}", lambda c: a.refund(c.id).wire()),
            ("POST", "/v1/checkout/sessions", self.create_checkout_session),
            ("GET", "/v1/checkout/sessions", self.list_checkout_sessions),
            ("GET", "/v1/checkout/sessions/{id}", lambda c: a.session(c.id).wire()),
            ("POST", "/v1/checkout/sessions/{id}/expire", self.expire_checkout_session),
            ("GET", "/v1/events", self.list_events),
            ("GET", "/v1/events/{id}", self.retrieve_event),
            ("GET", "/v1/balance", self.balance),
        ]

    # ---- customers -------------------------------------------------------------------------

    def create_customer(self, call: Call) -> Wire:
        form = call.form
        pm_id = form.text("payment_method")
        if pm_id and pm_id not in TEST_CARDS:  # refused before anything is created
            self.account.payment_method(pm_id, "payment_method")
        customer = self.account.create_customer(
            Customer(
                email=form.text("email") or None,
                name=form.text("name") or None,
                description=form.text("description") or None,
                metadata=merge_metadata({}, form.metadata()),
            )
        )
        attached = self.account.attach(pm_id, customer).id if pm_id else None
        default = form.section("invoice_settings").text("default_payment_method")
        if default:
            # `payment_method=pm_card_visa&invoice_settings[default_payment_method]=pm_card_visa`
            # means the card just attached, as at Stripe.
            chosen = attached if default == pm_id else default
            self.account.set_default_payment_method(customer, chosen)
        return customer.wire()

    def update_customer(self, call: Call) -> Wire:
        customer, form = self.account.customer(call.id), call.form
        settings = form.section("invoice_settings")
        if "default_payment_method" in settings:
            default = settings.text("default_payment_method")
            self.account.set_default_payment_method(customer, default)
        if "email" in form:
            customer.email = form.text("email") or None
        if "name" in form:
            customer.name = form.text("name") or None
        if "description" in form:
            customer.description = form.text("description") or None
        if form.cleared("metadata"):
            customer.metadata = {}
        elif "metadata" in form:
            customer.metadata = merge_metadata(customer.metadata, form.metadata())
        return customer.wire()

    def list_customers(self, call: Call) -> Wire:
        email = call.form.text("email")
        found = [c for c in self.account.state.customers.values() if email in (None, c.email)]
        return list_page(found, call.form, "/v1/customers", Customer.wire)

    # ---- payment methods -------------------------------------------------------------------

    def list_payment_methods(self, call: Call) -> Wire:
        customer = call.form.text("customer")
        if customer:
            self.account.customer(customer, "customer")
        return self._payment_methods(call, customer, "/v1/payment_methods")

    def customer_payment_methods(self, call: Call) -> Wire:
        customer = self.account.customer(call.id)
        url = f"/v1/customers/{customer.id}/payment_methods"
        return self._payment_methods(call, customer.id, url)

    def _payment_methods(self, call: Call, customer: str | None, url: str) -> Wire:
        kind = call.form.text("type")
        if kind not in (None, "card"):
            return {"object": "list", "data": [], "has_more": False, "url": url}
        found = [
            m
            for m in self.account.state.payment_methods.values()
            if customer is None or m.customer == customer
        ]
        return list_page(found, call.form, url, lambda m: m.wire())

    def customer_payment_method(self, call: Call) -> Wire:
        customer = self.account.customer(call.id)
        method = self.account.payment_method(call.path["pm"])
        if method.customer != customer.id:
            raise no_such("PaymentMethod", method.id)
        return method.wire()

    def attach_payment_method(self, call: Call) -> Wire:
        customer = self.account.customer(call.form.required("customer"), "customer")
        return self.account.attach(call.id, customer).wire()

    def detach_payment_method(self, call: Call) -> Wire:
        return self.account.detach(self.account.payment_method(call.id)).wire()

    # ---- payment intents -------------------------------------------------------------------

    def create_payment_intent(self, call: Call) -> Wire:
        form = call.form
        amount = form.integer("amount")
        if amount is None:
            raise missing_param("amount")
        confirm = form.flag("confirm")
        if form.flag("off_session") and not confirm:
            raise invalid("`off_session` may only be used with `confirm=true`.", "off_session")
        if confirm and not form.text("payment_method"):
            raise missing_param("payment_method")
        intent = self.account.create_intent(
            PaymentIntent(
                amount=amount,
                currency=form.required("currency").lower(),
                customer=form.text("customer") or None,
                payment_method=form.text("payment_method") or None,
                metadata=merge_metadata({}, form.metadata()),
                description=form.text("description") or None,
                setup_future_usage=self._future_usage(form),
            )
        )
        if confirm:
            self.account.confirm(intent)
        return intent.wire()

    @staticmethod
    def _future_usage(form: Form) -> str | None:
        """`setup_future_usage`: keep the card on the customer for later (off-session) use."""
        usage = form.text("setup_future_usage") or None
        if usage not in (None, "on_session", "off_session"):
            raise invalid(f"Invalid setup_future_usage: {usage}", form.param("setup_future_usage"))
        return usage

    def confirm_payment_intent(self, call: Call) -> Wire:
        intent = self.account.intent(call.id)
        return self.account.confirm(intent, call.form.text("payment_method")).wire()

    def cancel_payment_intent(self, call: Call) -> Wire:
        intent = self.account.intent(call.id)
        return self.account.cancel(intent, call.form.text("cancellation_reason")).wire()

    def list_payment_intents(self, call: Call) -> Wire:
        customer = call.form.text("customer")
        found = [
            i for i in self.account.state.payment_intents.values() if customer in (None, i.customer)
        ]
        return list_page(found, call.form, "/v1/payment_intents", PaymentIntent.wire)

    # ---- charges and refunds ---------------------------------------------------------------

    def list_charges(self, call: Call) -> Wire:
        customer, intent = call.form.text("customer"), call.form.text("payment_intent")
        found = [
            c
            for c in self.account.state.charges.values()
            if customer in (None, c.customer) and intent in (None, c.payment_intent)
        ]
        return list_page(found, call.form, "/v1/charges", lambda c: c.wire())

    def balance(self, call: Call) -> Wire:
        """The account's balance: what its charges took, less what was refunded, available
        at once (nothing pending), per currency."""
        kept: dict[str, int] = {}
        for charge in self.account.state.charges.values():
            if charge.succeeded:
                kept[charge.currency] = kept.get(charge.currency, 0)
                kept[charge.currency] += charge.amount - charge.amount_refunded
        funds = [
            {"amount": amount, "currency": currency, "source_types": {"card": amount}}
            for currency, amount in sorted(kept.items())
        ] or [{"amount": 0, "currency": "usd", "source_types": {"card": 0}}]
        return {"object": "balance", "available": funds, "pending": [], "livemode": False}

    def create_refund(self, call: Call) -> Wire:
        form = call.form
        charge_id, intent_id = form.text("charge"), form.text("payment_intent")
        if bool(charge_id) == bool(intent_id):
            raise invalid("Pass one of `charge` and `payment_intent`.", "charge")
        if charge_id:
            charge = self.account.charge(charge_id, "charge")
        else:
            charge = self.account.charge_of(self.account.intent(intent_id or "", "payment_intent"))
        refund = self.account.create_refund(
            charge, form.integer("amount"), merge_metadata({}, form.metadata()), form.text("reason")
        )
        return refund.wire()

    def list_refunds(self, call: Call) -> Wire:
        charge, intent = call.form.text("charge"), call.form.text("payment_intent")
        found = [
            r
            for r in self.account.state.refunds.values()
            if charge in (None, r.charge.id) and intent in (None, r.charge.payment_intent)
        ]
        return list_page(found, call.form, "/v1/refunds", lambda r: r.wire())

    # ---- checkout sessions -----------------------------------------------------------------

    def create_checkout_session(self, call: Call) -> Wire:
        form = call.form
        if form.required("mode") != "payment":
            raise invalid("cloudsim's Stripe supports `mode=payment` only.", "mode")
        items = [self._line_item(entry) for entry in form.entries("line_items")]
        if not items:
            raise missing_param("line_items")
        if len({item.currency for item in items}) > 1:
            raise invalid("All line items must be in the same currency.", "line_items")
        customer, email = form.text("customer") or None, form.text("customer_email") or None
        if customer and email:
            raise invalid(
                "You may only specify one of these parameters: customer, customer_email.",
                "customer_email",
            )
        intent_data = form.section("payment_intent_data")
        session = CheckoutSession(
            line_items=items,
            customer=customer,
            customer_email=email,
            client_reference_id=form.text("client_reference_id"),
            success_url=form.text("success_url"),
            cancel_url=form.text("cancel_url"),
            metadata=merge_metadata({}, form.metadata()),
            payment_intent_metadata=merge_metadata({}, intent_data.metadata()),
            payment_intent_description=intent_data.text("description") or None,
            payment_intent_future_usage=self._future_usage(intent_data),
            expires_at=form.integer("expires_at") or unix_now() + SESSION_LIFETIME_S,
            pay_base=f"{self.public_url}/stripe/checkout/pay",
        )
        return self.account.open_session(session).wire()

    @staticmethod
    def _line_item(entry: Form) -> LineItem:
        if "price" in entry:
            message = "cloudsim's Stripe has no Prices: give `price_data`."
            raise invalid(message, entry.param("price"))
        price = entry.section("price_data")
        unit_amount, quantity = price.integer("unit_amount"), entry.integer("quantity")
        if unit_amount is None:
            raise missing_param(price.param("unit_amount"))
        if quantity is None or quantity < 1:
            raise invalid("A line item needs a quantity of at least 1.", entry.param("quantity"))
        return LineItem(
            name=price.section("product_data").required("name"),
            currency=price.required("currency").lower(),
            unit_amount=unit_amount,
            quantity=quantity,
        )

    def expire_checkout_session(self, call: Call) -> Wire:
        return self.account.expire(self.account.session(call.id)).wire()

    def list_checkout_sessions(self, call: Call) -> Wire:
        intent = call.form.text("payment_intent")
        found = [
            s for s in self.account.state.sessions.values() if intent in (None, s.payment_intent)
        ]
        for session in found:
            self.account.expire_if_due(session)
        return list_page(found, call.form, "/v1/checkout/sessions", CheckoutSession.wire)

    # ---- events ----------------------------------------------------------------------------

    def list_events(self, call: Call) -> Wire:
        kind = call.form.text("type")
        found = [r for r in self.account.state.events if kind in (None, r.event["type"])]
        return list_page(found, call.form, "/v1/events", lambda r: r.event)

    def retrieve_event(self, call: Call) -> Wire:
        for record in self.account.state.events:
            if record.id == call.id:
                return record.event
        raise no_such("event", call.id)
