"""Directory pages on every site, the visitor's request page, and the provider's dashboard
and sign-up on the network. Thin: decisions are in services and selectors."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import login_required
from billing.plans import PLANS, PROVIDER
from marketplace import city_choices
from providers import selectors, services
from providers.forms import AnswerForm, RequestForm, ReviewForm, SignupForm
from providers.models import Assignment, Category, Provider, ServiceRequest


def _schema() -> str:
    return str(connection.schema_name)  # type: ignore[attr-defined]


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    category, city, q = (request.GET.get(k, "")[:80] for k in ("category", "city", "q"))
    return render(
        request,
        "providers/directory.html",
        {
            "providers": selectors.directory(category=category, city=city, q=q)[:60],
            "recommended": [] if (category or city or q) else selectors.recommended(site_schema=_schema()),
            "categories": selectors.categories(),
            "cities": city_choices(),
            "f": {"category": category, "city": city, "q": q},
        },
    )


@require_GET
def profile(request: HttpRequest, slug: str) -> HttpResponse:
    provider = get_object_or_404(
        Provider.objects.select_related("category"), slug=slug, status=Provider.Status.VERIFIED
    )
    cities = city_choices()
    return render(
        request,
        "providers/profile.html",
        {
            "provider": provider,
            "rating": selectors.provider_rating(provider=provider),
            "reviews": provider.reviews.filter(status="approved")[:20],
            "areas": [cities.get(c, c.replace("-", " ").title()) for c in provider.cities],
        },
    )


@require_POST
def request_create(request: HttpRequest) -> HttpResponse:
    form = RequestForm(request.POST)
    category = Category.objects.filter(slug=request.POST.get("category", ""), active=True).first()
    if not form.is_valid() or category is None:
        messages.error(request, "Please give your name, a valid email and the city.")
        back = str(request.POST.get("back") or "")
        # Only a path on this site (never "//elsewhere"): no open redirect.
        return redirect(back if back.startswith("/") and not back.startswith("//") else "/providers/")
    d = form.cleaned_data
    sent = services.request_create(
        data={
            "category": category,
            "city_slug": d["city"],
            "source": "listing" if d["listing_key"] else "directory",
            "listing_key": d["listing_key"],
            "listing_address": d["listing_address"],
            "listing_price": d["listing_price"],
            "listing_url": request.build_absolute_uri(f"/listings/{d['listing_key']}/") if d["listing_key"] else "",
            "name": d["name"],
            "email": d["email"],
            "phone": d["phone"],
            "message": d["message"],
            "visitor_user_id": request.user.pk if request.user.is_authenticated else None,
        },
        site_schema=_schema(),
    )
    return redirect(f"/providers/requests/{sent.access_token}/")


@require_http_methods(["GET", "POST"])
def request_page(request: HttpRequest, token: str) -> HttpResponse:
    sent = get_object_or_404(ServiceRequest.objects.select_related("category"), access_token=token)
    if request.method == "POST":
        form = ReviewForm(request.POST)
        provider = Provider.objects.filter(pk=request.POST.get("provider") or 0).first() if form.is_valid() else None
        try:
            if provider is None:
                raise ValidationError("Choose a rating and write a few words.")
            services.review_submit(
                request=sent, provider=provider, rating=form.cleaned_data["rating"], body=form.cleaned_data["body"]
            )
            messages.success(request, "Thank you! Your review will appear once it has been checked.")
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        return redirect(f"/providers/requests/{sent.access_token}/")
    return render(
        request,
        "providers/request.html",
        {"sent": sent, "assignments": sent.assignments.select_related("provider"), "reviewed": hasattr(sent, "review")},
    )


# -- network: sign-up and dashboard ------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    if hasattr(request.user, "provider_profile"):
        return redirect("providers_dashboard:home")
    cities = city_choices()
    form = SignupForm(request.POST or None, request.FILES or None, cities=cities)
    if request.method == "POST" and form.is_valid():
        try:
            services.provider_signup(
                owner=request.user, data=form.cleaned_data, logo=form.cleaned_data.get("logo"), cities=cities
            )
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            messages.success(
                request, "Thanks! A platform admin checks your details; your profile goes live once verified."
            )
            return redirect("providers_dashboard:home")
    return render(request, "providers/join.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def dashboard(request: HttpRequest) -> HttpResponse:
    provider = getattr(request.user, "provider_profile", None)
    if provider is None:
        return redirect("providers_dashboard:join")
    if request.method == "POST":
        assignment = get_object_or_404(Assignment, pk=request.POST.get("assignment") or 0, provider=provider)
        action = request.POST.get("action")
        try:
            if action == "answer":
                form = AnswerForm(request.POST)
                if not form.is_valid():
                    raise ValidationError("Write an answer first.")
                services.assignment_answer(assignment=assignment, answer=form.cleaned_data["answer"])
            elif action in ("won", "lost"):
                services.assignment_outcome(assignment=assignment, won=action == "won")
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        return redirect("providers_dashboard:home")
    return render(
        request,
        "providers/dashboard.html",
        {
            "provider": provider,
            "assignments": selectors.dashboard_assignments(provider=provider)[:100],
            "rating": selectors.provider_rating(provider=provider),
            "plan": PLANS.get(provider.plan_key),
            "offer": PROVIDER if PROVIDER.on_sale else None,
            "allowance": services.monthly_allowance(provider=provider),
            "used": selectors.requests_this_month(provider=provider),
            "attempt_id": uuid.uuid4().hex,
        },
    )
