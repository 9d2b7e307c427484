"""The test harness's Stripe: localstripe 1.15.10, bound to 127.0.0.1, state under a given directory, and
extended in this process with what our billing uses and localstripe lacks.

Run: python -m tests.billing.localstripe_server --state-dir DIR   (writes the port it listens on to DIR/port)

Extensions (monkeypatched onto localstripe's resource classes and aiohttp routes; the Stripe SDK talks
to all of them over real HTTP exactly as it would to api.stripe.com):
- Price objects: POST/GET /v1/prices (lookup_keys filter, transfer_lookup_key, active), POST /v1/prices/{id}.
  Each Price is backed by a localstripe Plan with the same id (Stripe itself keeps prices plan-compatible),
  so localstripe's invoices and subscription items keep working.
- Subscriptions with several items (`items[n][price]`), trial_period_days → status `trialing`, and
  updates that add (`{price}`) or remove (`{id, deleted}`) items with proration invoice items while active;
  POST /v1/subscription_items and DELETE /v1/subscription_items/{id} do the same for one item.
- Checkout sessions (mode=setup) and billing portal sessions.
- /_harness/… test controls, standing in for Stripe's test clocks: force a subscription's status (as a
  failed renewal or a cancellation would) and simulate an outage (every /v1 call answers 500).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import pickle
import socket
import time
from pathlib import Path
from typing import Any

from aiohttp import web
from localstripe import resources, server
from localstripe.errors import UserError
from localstripe.resources import (
    Customer,
    Event,
    InvoiceItem,
    List,
    PaymentMethod,
    Plan,
    SetupIntent,
    StripeObject,
    Subscription,
    SubscriptionItem,
    store,
    try_convert_to_bool,
    try_convert_to_int,
)
from localstripe.webhooks import schedule_webhook

STATE: dict[str, Any] = {"pickle": None, "outage": False, "base_url": ""}

# --- state file under the test's temp dir (localstripe hard-codes /tmp/localstripe.pickle) ------------


def _dump_to_disk(self: resources.Store) -> None:
    with open(STATE["pickle"], "wb") as f:
        pickle.dump(dict(self), f, protocol=pickle.HIGHEST_PROTOCOL)


resources.Store.dump_to_disk = _dump_to_disk  # type: ignore[method-assign]
resources.Store.try_load_from_disk = lambda self: None  # type: ignore[method-assign]  # always from scratch


# --- Price --------------------------------------------------------------------------------------------


class Price(StripeObject):
    object = "price"
    _id_prefix = "price_"

    def __init__(
        self,
        product: str | None = None,
        currency: str | None = None,
        unit_amount: Any = None,
        recurring: dict[str, Any] | None = None,
        lookup_key: str | None = None,
        transfer_lookup_key: Any = False,
        active: Any = True,
        metadata: dict[str, Any] | None = None,
        nickname: str | None = None,
        **kwargs: Any,
    ) -> None:
        if kwargs:
            raise UserError(400, "Unexpected " + ", ".join(kwargs.keys()))
        unit_amount = try_convert_to_int(unit_amount)
        active = try_convert_to_bool(active)
        transfer = try_convert_to_bool(transfer_lookup_key)
        recurring = recurring or {}
        try:
            assert isinstance(product, str) and product
            assert isinstance(currency, str) and currency
            assert isinstance(unit_amount, int) and unit_amount >= 0
            assert recurring.get("interval") in ("day", "week", "month", "year")
            assert lookup_key is None or isinstance(lookup_key, str)
        except AssertionError:
            raise UserError(400, "Bad request") from None
        holder = _price_with_lookup_key(lookup_key) if lookup_key else None
        if holder is not None and not transfer:
            raise UserError(400, f"A price (`{holder.id}`) already uses that lookup key.")
        resources.Product._api_retrieve(product)  # 404 if missing
        super().__init__()  # all checks done above: nothing is half-created
        if holder is not None:
            holder.lookup_key = None
        self.product = product
        self.currency = currency.lower()
        self.unit_amount = unit_amount
        self.recurring = {"interval": recurring["interval"], "interval_count": 1, "usage_type": "licensed"}
        self.lookup_key = lookup_key
        self.active = active
        self.metadata = metadata or {}
        self.nickname = nickname
        self.type = "recurring"
        Plan(id=self.id, amount=unit_amount, currency=self.currency, interval=recurring["interval"], product=product)
        schedule_webhook(Event("price.created", self))

    def _update(self, **data: Any) -> None:
        if "active" in data:
            data["active"] = try_convert_to_bool(data["active"])
        if data.pop("transfer_lookup_key", None) and data.get("lookup_key"):
            holder = _price_with_lookup_key(data["lookup_key"])
            if holder is not None and holder is not self:
                holder.lookup_key = None
        super()._update(**data)
        store.dump_to_disk()

    @classmethod
    def _api_list_all(
        cls,
        url: str,
        lookup_keys: Any = None,
        active: Any = None,
        product: str | None = None,
        limit: Any = None,
        starting_after: str | None = None,
        **kwargs: Any,
    ) -> List:
        if kwargs:
            raise UserError(400, "Unexpected " + ", ".join(kwargs.keys()))
        if isinstance(lookup_keys, str):
            lookup_keys = [lookup_keys]
        active = try_convert_to_bool(active)
        li = super()._api_list_all(url, limit=limit, starting_after=starting_after)
        if lookup_keys is not None:
            li._list = [p for p in li._list if p.lookup_key in lookup_keys]
        if active is not None:
            li._list = [p for p in li._list if p.active == active]
        if product is not None:
            li._list = [p for p in li._list if p.product == product]
        return li


def _price_with_lookup_key(key: str) -> Price | None:
    return next((p for k, p in store.items() if k.startswith("price:") and p.lookup_key == key), None)


def _item_price(self: SubscriptionItem) -> Price | None:
    return store.get("price:" + self.plan.id)


SubscriptionItem.price = property(_item_price)  # type: ignore[attr-defined]

# --- subscriptions with several items, trials and prorated item changes ---------------------------


def _normalize_items(items: Any) -> list[dict[str, Any]]:
    if items is None:
        return []
    if isinstance(items, dict):  # `items[0][price]` arrives as a list; be lenient with one item
        items = [items]
    out = []
    for item in items:
        item = dict(item)
        if "price" in item:
            item["plan"] = item.pop("price")
        item["deleted"] = try_convert_to_bool(item.get("deleted", False))
        out.append(item)
    return out


_original_subscription_init = Subscription.__init__


def _subscription_init(self: Subscription, items: Any = None, proration_behavior: Any = None, **kwargs: Any) -> None:
    items = _normalize_items(items)
    if not items:
        raise UserError(400, "Missing required param: items.")
    for item in items:
        Plan._api_retrieve(item.get("plan") or "")  # 404 before anything is created
    first, rest = items[:1], items[1:]
    for item in first:
        item.pop("deleted", None)
    _original_subscription_init(self, items=first, **kwargs)
    for item in rest:
        self.items._list.append(SubscriptionItem(subscription=self.id, plan=item["plan"], quantity=item.get("quantity") or 1))
    if self.trial_period_days and not self.trial_end:
        self.trial_end = int(time.time()) + int(self.trial_period_days) * 86400
    if self.trial_end and self.trial_end > time.time():
        self.trial_start = int(time.time())
        self.status = "trialing"
    store.dump_to_disk()


Subscription.__init__ = _subscription_init  # type: ignore[method-assign]


def _prorate(sub: Subscription, item: SubscriptionItem, sign: int) -> None:
    """Charge (sign=1) or credit (sign=-1) the unused part of the current period, as Stripe does."""
    if sub.status != "active":
        return  # nothing was paid during a trial, so nothing is prorated
    start, end = sub.current_period_start, sub.current_period_end
    fraction = max(0.0, (end - time.time()) / max(1, end - start))
    InvoiceItem(
        amount=sign * round(item.plan.amount * item.quantity * fraction),
        currency=item.plan.currency,
        proration=True,
        description=("Remaining time on " if sign > 0 else "Unused time on ") + item.plan.id,
        subscription=sub.id,
        plan=item.plan.id,
        customer=sub.customer,
    )


def _change_items(sub: Subscription, items: list[dict[str, Any]], prorate: bool) -> None:
    by_id = {si.id: si for si in sub.items._list}
    for item in items:  # validate everything first
        if item.get("id") and item["id"] not in by_id:
            raise UserError(400, f"No such subscription item: {item['id']}")
        if not item.get("id"):
            Plan._api_retrieve(item.get("plan") or "")
    for item in items:
        if item.get("id") and item["deleted"]:
            removed = by_id[item["id"]]
            sub.items._list.remove(removed)
            if prorate:
                _prorate(sub, removed, -1)
        elif item.get("id"):
            by_id[item["id"]].quantity = try_convert_to_int(item.get("quantity") or by_id[item["id"]].quantity)
        else:
            added = SubscriptionItem(subscription=sub.id, plan=item["plan"], quantity=item.get("quantity") or 1)
            sub.items._list.append(added)
            if prorate:
                _prorate(sub, added, 1)
    if not sub.items._list:
        raise UserError(400, "A subscription needs at least one item.")


_original_subscription_update = Subscription._update


def _subscription_update(self: Subscription, items: Any = None, proration_behavior: Any = None, **kwargs: Any) -> None:
    if items is not None:
        _change_items(self, _normalize_items(items), prorate=proration_behavior != "none")
    if kwargs:
        _original_subscription_update(self, **kwargs)
    schedule_webhook(Event("customer.subscription.updated", self))
    store.dump_to_disk()


Subscription._update = _subscription_update  # type: ignore[method-assign]


def _item_create(cls: type, subscription: str | None = None, price: str | None = None, **data: Any) -> SubscriptionItem:
    sub = Subscription._api_retrieve(subscription or "")
    behavior = data.pop("proration_behavior", "create_prorations")
    _change_items(sub, [{"plan": price, "quantity": data.get("quantity")}], prorate=behavior != "none")
    schedule_webhook(Event("customer.subscription.updated", sub))
    store.dump_to_disk()
    return sub.items._list[-1]


def _item_delete(cls: type, id: str) -> Any:
    item = SubscriptionItem._api_retrieve(id)
    sub = Subscription._api_retrieve(item._subscription)
    _change_items(sub, [{"id": id, "deleted": True}], prorate=True)
    schedule_webhook(Event("customer.subscription.updated", sub))
    return resources.DeletedObject(id, "subscription_item")


SubscriptionItem._api_create = classmethod(_item_create)  # type: ignore[assignment]
SubscriptionItem._api_delete = classmethod(_item_delete)  # type: ignore[assignment]

# --- Checkout (setup mode) and billing portal sessions ---------------------------------------------


class CheckoutSession(StripeObject):
    object = "checkout.session"
    _id_prefix = "cs_test_"

    def __init__(
        self,
        mode: str | None = None,
        customer: str | None = None,
        success_url: str | None = None,
        cancel_url: str | None = None,
        currency: str | None = None,
        metadata: dict[str, Any] | None = None,
        payment_method_types: Any = None,
        **kwargs: Any,
    ) -> None:
        if kwargs:
            raise UserError(400, "Unexpected " + ", ".join(kwargs.keys()))
        if mode != "setup":
            raise UserError(400, "The harness supports Checkout in setup mode only.")
        if not success_url or not customer:
            raise UserError(400, "Missing required param: success_url or customer.")
        Customer._api_retrieve(customer)
        super().__init__()
        self.mode, self.customer, self.currency = mode, customer, currency
        self.success_url, self.cancel_url = success_url, cancel_url
        self.metadata = metadata or {}
        self.status = "open"
        self.setup_intent = None
        self.url = f"{STATE['base_url']}/_harness/checkout/{self.id}"


class PortalSession(StripeObject):
    object = "billing_portal.session"
    _id_prefix = "bps_"

    def __init__(self, customer: str | None = None, return_url: str | None = None, **kwargs: Any) -> None:
        if kwargs:
            raise UserError(400, "Unexpected " + ", ".join(kwargs.keys()))
        Customer._api_retrieve(customer or "")
        super().__init__()
        self.customer, self.return_url = customer, return_url
        self.url = f"{STATE['base_url']}/_harness/portal/{self.id}"


# --- test controls -------------------------------------------------------------------------------


async def set_subscription_status(request: web.Request) -> web.Response:
    """What a failed renewal (past_due, unpaid) or a cancellation does to a subscription, with its event."""
    sub = Subscription._api_retrieve(request.match_info["id"])
    status = (await request.json())["status"]
    sub.status = status
    if status == "canceled":
        sub.canceled_at = sub.ended_at = int(time.time())
        schedule_webhook(Event("customer.subscription.deleted", sub))
    else:
        schedule_webhook(Event("customer.subscription.updated", sub))
    store.dump_to_disk()
    return server.json_response(sub._export())


async def complete_checkout(request: web.Request) -> web.Response:
    """The customer finished the Checkout page: the session completes and Stripe sends its event."""
    session = CheckoutSession._api_retrieve(request.match_info["id"])
    # The card the customer typed, saved through a SetupIntent as Checkout in setup mode does.
    card = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2035, "cvc": "123"}
    payment_method = PaymentMethod(type="card", card=card)
    PaymentMethod._api_attach(payment_method.id, customer=session.customer)
    setup_intent = SetupIntent(customer=session.customer)
    setup_intent.payment_method, setup_intent.status = payment_method.id, "succeeded"
    session.setup_intent = setup_intent.id
    session.status = "complete"
    schedule_webhook(Event("checkout.session.completed", session))
    store.dump_to_disk()
    return server.json_response(session._export())


async def set_outage(request: web.Request) -> web.Response:
    STATE["outage"] = bool((await request.json())["outage"])
    return web.Response()


@web.middleware
async def outage_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    if STATE["outage"] and request.path.startswith("/v1/"):
        return server.json_response({"error": {"type": "api_error", "message": "harness outage"}}, status=500)
    return await handler(request)


def build_app() -> web.Application:
    # localstripe's module-level app already has its middlewares and routes; a fresh app gets ours first.
    app = web.Application(
        middlewares=[outage_middleware, server.error_middleware, server.auth_middleware, server.save_store_middleware]
    )
    app.router.add_post("/_harness/subscriptions/{id}/status", set_subscription_status)
    app.router.add_post("/_harness/checkout/{id}/complete", complete_checkout)
    app.router.add_post("/_harness/outage", set_outage)
    app.router.add_post("/_config/webhooks/{id}", server.config_webhook)
    app.router.add_post("/v1/checkout/sessions", server.api_create(CheckoutSession, "/v1/checkout/sessions"))
    app.router.add_get("/v1/checkout/sessions/{id}", server.api_retrieve(CheckoutSession, "/v1/checkout/sessions"))
    app.router.add_post("/v1/billing_portal/sessions", server.api_create(PortalSession, "/v1/billing_portal/sessions"))
    for method, url, func in (
        ("POST", "/v1/prices", server.api_create),
        ("GET", "/v1/prices/{id}", server.api_retrieve),
        ("POST", "/v1/prices/{id}", server.api_update),
        ("GET", "/v1/prices", server.api_list_all),
    ):
        app.router.add_route(method, url, func(Price, url))
    # Everything localstripe itself serves, in its own order (extra routes before the generic ones).
    for resource in server.app.router.resources():
        for route in resource:
            if route.method != "HEAD":
                app.router.add_route(route.method, resource.canonical, route.handler)
    app.on_response_prepare.append(server.add_cors_headers)
    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--state-dir", required=True, type=Path)
    args = parser.parse_args()
    STATE["pickle"] = str(args.state_dir / "localstripe.pickle")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # loopback only, on a free port chosen by the kernel
    port = sock.getsockname()[1]
    STATE["base_url"] = f"http://127.0.0.1:{port}"
    logging.basicConfig(level=logging.INFO)
    asyncio.run(_serve(build_app(), sock, args.state_dir / "port", port))


async def _serve(app: web.Application, sock: socket.socket, port_file: Path, port: int) -> None:
    runner = web.AppRunner(app)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    # Written once the socket accepts, and atomically (a rename): a reader never sees an empty or partial file.
    partial = port_file.with_suffix(".partial")
    partial.write_text(str(port))
    partial.replace(port_file)
    await asyncio.Event().wait()  # until the fixture terminates the process


if __name__ == "__main__":
    main()
