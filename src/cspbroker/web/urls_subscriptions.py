"""Subscriptions, orders and approvals: `backoffice/…` for staff, `store/…` for customers."""

from django.urls import URLPattern, path

from cspbroker.web.views import orders, subscription_walk, subscriptions


def _both(route: str, view, name: str) -> list[URLPattern]:  # type: ignore[no-untyped-def]
    return [
        path(f"backoffice/{route}", view, {"area": "backoffice"}, name=f"backoffice-{name}"),
        path(f"store/{route}", view, {"area": "store"}, name=f"store-{name}"),
    ]


urlpatterns: list[URLPattern] = [
    *_both("subscriptions/", subscriptions.subscription_list, "subscriptions"),
    *_both("subscriptions/export.csv", subscriptions.subscription_export, "subscriptions-export"),
    *_both("subscriptions/new/", subscription_walk.subscription_new, "subscription-new"),
    *_both("subscriptions/<int:subscription_id>/", subscriptions.subscription_detail, "subscription"),
    *_both(
        "subscriptions/<int:subscription_id>/preview/",
        subscriptions.subscription_preview,
        "subscription-preview",
    ),
    *_both(
        "subscriptions/<int:subscription_id>/change/<slug:change>/",
        subscriptions.subscription_change,
        "subscription-change",
    ),
    *_both(
        "subscriptions/<int:subscription_id>/add-on/",
        subscription_walk.subscription_add_on,
        "subscription-add-on",
    ),
    path(
        "backoffice/subscriptions/<int:subscription_id>/sale-price/",
        subscriptions.subscription_sale_price,
        {"area": "backoffice"},
        name="backoffice-subscription-sale-price",
    ),
    *_both("orders/", orders.order_list, "orders"),
    *_both("orders/<int:order_id>/", orders.order_detail, "order"),
    *_both("orders/<int:order_id>/retry/", orders.order_retry, "order-retry"),
    path("backoffice/approvals/", orders.approval_list, name="backoffice-approvals"),
    path(
        "backoffice/approvals/<int:order_id>/decide/",
        orders.approval_decide,
        name="backoffice-approval-decide",
    ),
    path("backoffice/approvals/settings/", orders.policy_list, name="backoffice-approval-policies"),
    path(
        "backoffice/approvals/settings/<int:organization_id>/",
        orders.policy_edit,
        name="backoffice-approval-policy",
    ),
]
