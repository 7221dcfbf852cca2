"""Customer profiles and interactions: list, search, view, create, edit."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from manyi.accounts import access
from manyi.accounts.access import Action
from manyi.accounts.decorators import require_action
from manyi.core.paging import page_of, query_without_page
from manyi.privacy.choices import AuditAction
from manyi.privacy.forms import contact_forms_mask
from manyi.privacy.queries import contacts_shown, revealed_ids
from manyi.privacy.services import audit_record

from .. import queries, services
from ..filters import CustomerFilterSet, InteractionFilterSet
from ..forms import ContactFormSet, CustomerForm, InteractionForm
from ..models import Customer, Interaction


@require_action(Action.VIEW_RECORDS)
def customer_list(request):
    filterset = CustomerFilterSet(request.GET, queryset=queries.customer_list(user=request.user))
    return render(
        request,
        "customers/customer_list.html",
        {
            "active_nav": "customers",
            "filter": filterset,
            "page": page_of(request, filterset.qs),
            "query": query_without_page(request),
            "can_edit": access.can(request.user, Action.EDIT_RECORDS),
            "can_export": access.can(request.user, Action.EXPORT_DATA),
        },
    )


@require_action(Action.VIEW_RECORDS)
def customer_detail(request, pk: int):
    # Outside the user's scope a customer does not exist for them: 404, not 403.
    customer = get_object_or_404(
        Customer.objects.visible_to(request.user).select_related("segment", "team", "erasure"),
        pk=pk,
    )
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW,
        customer=customer,
        obj=customer,
        request=request,
    )
    return render(
        request,
        "customers/customer_detail.html",
        {
            "active_nav": "customers",
            "customer": customer,
            # Masked unless the user sees them all or revealed one (privacy.queries).
            "contacts": contacts_shown(
                user=request.user, customer=customer, revealed=revealed_ids(request.session)
            ),
            "can_manage_personal_data": access.can(request.user, Action.MANAGE_PERSONAL_DATA),
            "tags": customer.tags.all(),
            "purchases": queries.customer_purchases(customer=customer, user=request.user)[:50],
            "timeline": queries.customer_timeline(customer=customer, user=request.user),
            # the cases app's queryset, through the relation: open cases first
            "open_cases": customer.cases.visible_to(request.user).open().order_by("opened_at"),
            "can_edit": Customer.objects.editable_by(request.user).filter(pk=pk).exists(),
        },
    )


def _customer_form_page(request, customer: Customer | None):
    form = CustomerForm(request.POST or None, instance=customer, user=request.user)
    contacts = ContactFormSet(request.POST or None, instance=customer, prefix="contacts")
    contact_forms_mask(
        contacts, user=request.user, customer=customer, revealed=revealed_ids(request.session)
    )
    if request.method == "POST" and form.is_valid() and contacts.is_valid():
        created = customer is None
        changed = sorted({*form.changed_data, *(["contacts"] if contacts.has_changed() else [])})
        customer = services.customer_save(form=form, contacts=contacts)
        # Which fields changed, never their values: the log holds no personal data.
        audit_record(
            actor=request.user,
            action=AuditAction.CHANGE,
            customer=customer,
            obj=customer,
            detail={"created": True} if created else {"fields": changed},
            request=request,
        )
        messages.success(request, _("Customer “%(name)s” saved.") % {"name": customer.name})
        return redirect(customer)
    return render(
        request,
        "customers/customer_form.html",
        {"active_nav": "customers", "form": form, "contacts": contacts, "customer": customer},
        status=400 if request.method == "POST" else 200,
    )


@require_action(Action.EDIT_RECORDS)
def customer_create(request):
    return _customer_form_page(request, None)


@require_action(Action.EDIT_RECORDS)
def customer_edit(request, pk: int):
    return _customer_form_page(
        request, get_object_or_404(Customer.objects.editable_by(request.user), pk=pk)
    )


@require_action(Action.VIEW_RECORDS)
def interaction_list(request):
    filterset = InteractionFilterSet(
        request.GET, queryset=queries.interaction_list(user=request.user)
    )
    return render(
        request,
        "customers/interaction_list.html",
        {
            "active_nav": "interactions",
            "filter": filterset,
            "page": page_of(request, filterset.qs),
            "query": query_without_page(request),
            "can_export": access.can(request.user, Action.EXPORT_DATA),
        },
    )


def _interaction_form_page(request, customer: Customer, interaction: Interaction | None):
    form = InteractionForm(request.POST or None, instance=interaction, user=request.user)
    if request.method == "POST" and form.is_valid():
        changed = sorted(form.changed_data)
        saved = services.interaction_save(form=form, user=request.user, customer=customer)
        # An interaction's text is about the customer: the change is logged, never the text.
        audit_record(
            actor=request.user,
            action=AuditAction.CHANGE,
            customer=customer,
            obj=saved,
            detail={"created": True} if interaction is None else {"fields": changed},
            request=request,
        )
        messages.success(request, _("Interaction saved."))
        # A team may handle another team's customer: back to the list if the profile is hidden.
        if Customer.objects.visible_to(request.user).filter(pk=customer.pk).exists():
            return redirect(customer)
        return redirect("customers:interactions")
    return render(
        request,
        "customers/interaction_form.html",
        {"active_nav": "customers", "form": form, "customer": customer, "object": interaction},
        status=400 if request.method == "POST" else 200,
    )


@require_action(Action.EDIT_RECORDS)
def interaction_create(request, pk: int):
    customer = get_object_or_404(Customer.objects.editable_by(request.user), pk=pk)
    return _interaction_form_page(request, customer, None)


@require_action(Action.EDIT_RECORDS)
def interaction_edit(request, pk: int):
    interaction = get_object_or_404(
        Interaction.objects.editable_by(request.user).select_related("customer"), pk=pk
    )
    return _interaction_form_page(request, interaction.customer, interaction)
