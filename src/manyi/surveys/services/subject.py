"""What a response is about, written onto it when it is submitted: the main product of the
purchase its invitation asked about, and who served the customer. Dashboards cut by both;
keeping them on the response spares every count a join to purchases and interactions (and
the per-row subquery that made the old count fill slow, issue 16)."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce

from manyi.customers.models import PurchaseItem

from ..models import Invitation, Response


def main_product_id(purchase_id: int | None) -> int | None:
    """The first-listed product of a purchase."""
    if purchase_id is None:
        return None
    items = PurchaseItem.objects.filter(purchase_id=purchase_id).order_by("pk")
    return items.values_list("product_id", flat=True).first()


def subject_set(response: Response) -> None:
    """Set (not save) the product and the staff member a response is about."""
    invitation = response.invitation
    purchase_id = invitation.purchase_id if invitation is not None else None
    handler_id = None
    if invitation is not None and invitation.interaction_id:
        handler_id = invitation.interaction.handled_by_id
    response.product_id = main_product_id(purchase_id)
    response.served_by_id = handler_id or response.entered_by_id


def subject_fill(responses) -> int:
    """The same for many responses in one UPDATE (bulk-written responses, migrations)."""
    purchase = Invitation.objects.filter(pk=OuterRef(OuterRef("invitation_id")))
    first_item = PurchaseItem.objects.filter(
        purchase_id=Subquery(purchase.values("purchase_id")[:1])
    ).order_by("pk")
    handler = Invitation.objects.filter(pk=OuterRef("invitation_id")).values(
        "interaction__handled_by_id"
    )[:1]
    return responses.update(
        product_id=Subquery(first_item.values("product_id")[:1]),
        served_by_id=Coalesce(Subquery(handler), "entered_by_id"),
    )
