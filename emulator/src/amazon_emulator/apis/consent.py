"""Consent pages a person clicks through.

* Seller Central website workflow:
  ``GET /apps/authorize/consent?application_id&state[&redirect_uri][&version]`` shows the asking
  application and a choice of seller account (or a new seeded one); "Authorize" posts to
  ``/apps/authorize/confirm``, which redirects to ``redirect_uri?state&selling_partner_id&spapi_oauth_code``.
* Ads (LWA):
  ``GET /ap/oa?client_id&scope=advertising::campaign_management&response_type=code&redirect_uri&state``;
  "Allow" redirects to ``redirect_uri?code&scope&state``.

Codes are single use and live ``auth_code_lifetime`` seconds (300, not scaled: a person is in the loop).
"Cancel" redirects with ``error=access_denied``.
"""

from __future__ import annotations

from html import escape
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from amazon_emulator.apis._html import error_page, hidden, page, seller_choices
from amazon_emulator.credentials import Application
from amazon_emulator.seeding import create_seller
from amazon_emulator.state import EmulatorState, get_state

router = APIRouter(tags=["Consent pages"], include_in_schema=True)

ADS_SCOPES = (
    "advertising::campaign_management",
    "cpc_advertising:campaign_management",
    "advertising::audiences",
)
NEW_SELLER_ORDERS = 400
_MAX_CHOICES = 25


def _redirect(uri: str, params: dict[str, str]) -> RedirectResponse:
    sep = "&" if "?" in uri else "?"
    return RedirectResponse(uri + sep + urlencode(params), status_code=302)


async def _form(request: Request) -> dict[str, str]:
    raw = (await request.body()).decode("utf-8", "replace")
    return {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}


def _accounts(state: EmulatorState) -> list[tuple[str, str]]:
    return [(s.selling_partner_id, s.store_name) for s in list(state.sellers.values())[:_MAX_CHOICES]]


def _pick_seller(state: EmulatorState, chosen: str) -> str | None:
    if chosen == "__new__":
        return create_seller(state, orders=NEW_SELLER_ORDERS).selling_partner_id
    return chosen if chosen in state.sellers else None


def _sp_app(
    state: EmulatorState, application_id: str, redirect_uri: str | None
) -> tuple[Application, str] | str:
    app = state.credentials.app_by_application_id(application_id)
    if app is None:
        return "The application you are trying to authorize was not found. (MD1000)"
    if not app.redirect_uris:
        return "This application has no registered OAuth redirect URI. (MD5101)"
    uri = redirect_uri or app.redirect_uris[0]
    if uri not in app.redirect_uris:
        return "The redirect URI does not match a URI registered for this application. (MD5101)"
    return app, uri


@router.get("/apps/authorize/consent", response_class=HTMLResponse)
async def sp_consent(
    request: Request,
    application_id: str = "",
    state: str = "",
    redirect_uri: str | None = None,
    version: str | None = None,
) -> HTMLResponse:
    """The Seller Central authorization page of the website workflow."""
    emulator = get_state(request)
    found = _sp_app(emulator, application_id, redirect_uri)
    if isinstance(found, str):
        return HTMLResponse(error_page("Authorization error", found), status_code=400)
    app, uri = found
    beta = (
        "<p class='notice'>This application is in Draft state (<code>version=beta</code>).</p>"
        if version == "beta"
        else ""
    )
    body = (
        "<h1>Authorize an application</h1>"
        f"<div class='app'><b id='app-name'>{escape(app.name)}</b><br>"
        f"<span class='muted'>Application ID: {escape(application_id)}</span></div>"
        f"{beta}"
        "<p>This application is requesting access to your selling account data through the Selling Partner "
        "API. It will be able to read your orders, reports and other data it is approved for.</p>"
        "<form method='post' action='/apps/authorize/confirm'>"
        + hidden("application_id", application_id)
        + hidden("state", state)
        + hidden("redirect_uri", uri)
        + "<fieldset><legend>Selling account</legend>"
        + seller_choices(_accounts(emulator), "A new seller account")
        + "</fieldset>"
        "<p class='muted'>By clicking Authorize you allow this developer to access your Amazon selling "
        "account data under its approved roles.</p>"
        "<div class='buttons'><button class='primary' type='submit' name='decision' value='authorize' "
        "id='authorize'>Authorize</button>"
        "<button type='submit' name='decision' value='cancel' id='cancel'>Cancel</button></div></form>"
    )
    return HTMLResponse(page("Authorize application | Seller Central", body))


@router.post("/apps/authorize/confirm", response_model=None)
async def sp_confirm(request: Request) -> HTMLResponse | RedirectResponse:
    emulator = get_state(request)
    form = await _form(request)
    found = _sp_app(emulator, form.get("application_id", ""), form.get("redirect_uri") or None)
    if isinstance(found, str):
        return HTMLResponse(error_page("Authorization error", found), status_code=400)
    app, uri = found
    state = form.get("state", "")
    if form.get("decision") != "authorize":
        return _redirect(uri, {"error": "access_denied", "state": state})
    seller_id = _pick_seller(emulator, form.get("selling_partner_id", ""))
    if seller_id is None:
        return HTMLResponse(error_page("Authorization error", "Unknown selling account."), status_code=400)
    code = emulator.credentials.issue_code(app.client_id, seller_id, "spapi", uri)
    return _redirect(uri, {"state": state, "selling_partner_id": seller_id, "spapi_oauth_code": code.code})


def _ads_check(emulator: EmulatorState, params: dict[str, str]) -> Application | str:
    app = emulator.credentials.apps.get(params.get("client_id", ""))
    if app is None:
        return "An unknown client_id was passed. Please contact the application developer."
    if params.get("response_type") != "code":
        return "The response_type parameter must be 'code'."
    scopes = params.get("scope", "").split()
    if not scopes or any(s not in ADS_SCOPES for s in scopes):
        return "An unknown scope was requested."
    if params.get("redirect_uri", "") not in app.redirect_uris:
        return "The redirect URI does not match a URI registered for this application."
    return app


@router.get("/ap/oa", response_class=HTMLResponse)
async def ads_consent(
    request: Request,
    client_id: str = "",
    scope: str = "",
    response_type: str = "",
    redirect_uri: str = "",
    state: str = "",
) -> HTMLResponse:
    """The Login with Amazon consent page used by the Ads API."""
    emulator = get_state(request)
    params = {
        "client_id": client_id,
        "scope": scope,
        "response_type": response_type,
        "redirect_uri": redirect_uri,
    }
    found = _ads_check(emulator, params)
    if isinstance(found, str):
        return HTMLResponse(error_page("Login with Amazon", found, "login with amazon"), status_code=400)
    body = (
        "<h1>Sign in and allow access</h1>"
        f"<div class='app'><b id='app-name'>{escape(found.name)}</b> would like to access:</div>"
        "<ul class='perm'><li>Advertising campaign management: view and manage your Amazon Ads campaigns and "
        "reports</li></ul>"
        "<form method='post' action='/ap/oa/consent'>"
        + "".join(hidden(k, v) for k, v in {**params, "state": state}.items())
        + "<fieldset><legend>Amazon account</legend>"
        + seller_choices(_accounts(emulator), "A new advertiser account")
        + "</fieldset>"
        "<div class='buttons'><button class='primary' type='submit' name='decision' value='allow' id='allow'>"
        "Allow</button><button type='submit' name='decision' value='cancel' id='cancel'>Cancel</button></div>"
        "</form>"
    )
    return HTMLResponse(page("Amazon Sign-In", body, "login with amazon"))


@router.post("/ap/oa/consent", response_model=None)
async def ads_confirm(request: Request) -> HTMLResponse | RedirectResponse:
    emulator = get_state(request)
    form = await _form(request)
    found = _ads_check(emulator, form)
    if isinstance(found, str):
        return HTMLResponse(error_page("Login with Amazon", found, "login with amazon"), status_code=400)
    uri, state = form["redirect_uri"], form.get("state", "")
    if form.get("decision") != "allow":
        return _redirect(
            uri, {"error": "access_denied", "error_description": "User denied access", "state": state}
        )
    account = _pick_seller(emulator, form.get("selling_partner_id", ""))
    if account is None:
        return HTMLResponse(error_page("Login with Amazon", "Unknown account.", "login with amazon"), 400)
    code = emulator.credentials.issue_code(found.client_id, account, "ads", uri, form["scope"])
    return _redirect(uri, {"code": code.code, "scope": form["scope"], "state": state})
