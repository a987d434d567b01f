from __future__ import annotations

from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status

from cspbroker.accounts import selectors, services
from cspbroker.accounts.models import ApiToken
from cspbroker.api.auth import actor
from cspbroker.api.schemas import MeOut, TokenCreatedOut, TokenIn, TokenOut
from cspbroker.domain.parties import Role

router = Router(tags=["me"])


@router.get("", response=MeOut, summary="The caller and their organisations")
def get_me(request: HttpRequest) -> dict[str, object]:
    who = actor(request)
    user = request.user if request.user.is_authenticated else None
    full_name = getattr(user, "full_name", "") if user else ""
    if not full_name and who.user_id is not None:
        from cspbroker.accounts.models import User

        full_name = User.objects.values_list("full_name", flat=True).get(pk=who.user_id)
    return {
        "id": who.user_id,
        "email": who.email,
        "full_name": full_name,
        "via": "token" if who.token_id else "session",
        "is_staff": who.is_staff,
        "memberships": [
            {
                "organization": {
                    "id": g.grant.organization_id,
                    "kind": g.organization_kind,
                    "legal_name": g.organization_name,
                },
                "role": g.grant.role.value,
                "is_staff": Role(g.grant.role).is_staff,
            }
            for g in who.grants
        ],
    }


@router.get("/tokens", response=list[TokenOut], summary="Your API tokens (the secrets are never shown again)")
def list_tokens(request: HttpRequest) -> list[ApiToken]:
    return list(selectors.tokens_of(actor(request).user_id or 0))


@router.post(
    "/tokens", response={201: TokenCreatedOut}, summary="Create an API token; its secret is shown once"
)
def create_token(request: HttpRequest, body: TokenIn) -> Status[dict[str, object]]:
    issued = services.create_api_token(user_id=actor(request).user_id or 0, name=body.name)
    token = issued.token
    return Status(
        201,
        {
            "id": token.pk,
            "name": token.name,
            "prefix": token.prefix,
            "created_at": token.created_at,
            "last_used_at": None,
            "revoked_at": None,
            "token": issued.secret,
        },
    )


@router.delete("/tokens/{token_id}", response=TokenOut, summary="Revoke one of your API tokens")
def revoke_token(request: HttpRequest, token_id: int) -> ApiToken:
    from django.http import Http404

    from cspbroker.domain.errors import DomainError

    try:
        return services.revoke_api_token(user_id=actor(request).user_id or 0, token_id=token_id)
    except DomainError as error:
        raise Http404(error.message) from error
