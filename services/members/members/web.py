"""Sign-in: the Vietnamese login page, POST login (JSON or form) and logout."""
from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError as PydanticValidationError

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from members import accounts
from members.schemas import LoginRequest, LoginResult, LogoutResult
from shared import nav
from shared.auth import COOKIE_NAME, issue_token
from shared.db import in_thread
from shared.errors import ChiboError, ValidationFailed

WEB_DIR = Path(__file__).parent / "web"
STATIC_DIR = WEB_DIR / "static"
templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))
nav.install(templates)
router = APIRouter(tags=["sign-in"])
DEMO_USERS = (("tinhuy", "Cán bộ Tỉnh ủy"), ("dangbo", "Cán bộ Đảng ủy"), ("bithu", "Bí thư chi bộ"))
DEMO_PASSWORD = "chibo2026"


class BadCredentials(ChiboError):
    status_code = 401

    def __init__(self) -> None:
        super().__init__("Sai tên đăng nhập hoặc mật khẩu", "Wrong username or password")


def safe_next(target: str | None) -> str:
    """Only same-site paths: a login link must not send people to another site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/reports/"


def login_page_response(request: Request, next_url: str | None, error: str | None = None, status: int = 200,
                        username: str = ""):
    demo = request.app.state.settings.environment == "development"
    context = {"next": safe_next(next_url), "error": error, "demo_users": DEMO_USERS if demo else (),
               "demo_password": DEMO_PASSWORD, "username": username}
    return templates.TemplateResponse(request, "login.html", context, status_code=status)


@router.get("/members/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, next: str | None = None) -> Response:
    """Vietnamese sign-in page."""
    return login_page_response(request, next)


async def read_login(request: Request) -> tuple[LoginRequest, str | None, bool]:
    """(credentials, next, came from an HTML form)."""
    if "json" in request.headers.get("content-type", ""):
        try:
            return LoginRequest.model_validate_json(await request.body()), None, False
        except PydanticValidationError as exc:
            raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from None
    form = await request.form()
    username, password = str(form.get("username") or ""), str(form.get("password") or "")
    if not username or not password:
        raise ValidationFailed.of("username" if not username else "password", "Vui lòng nhập đủ tên và mật khẩu",
                                  "Enter both username and password")
    return LoginRequest(username=username, password=password), str(form.get("next") or ""), True


def _issue(request: Request, user) -> LoginResult:
    settings = request.app.state.settings
    token = issue_token(settings.jwt_secret, username=user.username, role=user.role, org_id=user.org_id,
                        name=user.display_name, ttl_minutes=settings.jwt_ttl_minutes)
    return LoginResult(access_token=token, role=user.role, org_id=user.org_id, name=user.display_name)


def _with_cookie(response: Response, token: str, request: Request) -> Response:
    response.set_cookie(COOKIE_NAME, token, httponly=True, samesite="lax", path="/",
                        secure=request.url.scheme == "https", max_age=request.app.state.settings.jwt_ttl_minutes * 60)
    return response


LOGIN_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": LoginRequest.model_json_schema()},
    "application/x-www-form-urlencoded": {"schema": {"type": "object", "required": ["username", "password"], "properties": {
        "username": {"type": "string"}, "password": {"type": "string"}, "next": {"type": "string"}}}}}}}


@router.post("/members/api/login", response_model=LoginResult, openapi_extra=LOGIN_BODY)
async def login(request: Request) -> Response:
    """Sign in with username and password (JSON or form); sets the chibo_token cookie."""
    credentials, next_url, is_form = await read_login(request)
    user = await in_thread(accounts.authenticate, request.app.state.runtime.engine, credentials.username,
                           credentials.password)
    if user is None:
        if is_form:
            return login_page_response(request, next_url, BadCredentials().vi, 401, credentials.username)
        raise BadCredentials()
    body = _issue(request, user)
    response = RedirectResponse(safe_next(next_url), 303) if is_form else JSONResponse(body.model_dump(mode="json"))
    return _with_cookie(response, body.access_token, request)


@router.post("/members/api/logout", response_model=LogoutResult)
async def logout(request: Request) -> Response:
    """Sign out: clears the chibo_token cookie (form posts go back to the login page)."""
    form_post = "json" not in request.headers.get("content-type", "json")
    response = RedirectResponse("/members/login", 303) if form_post else JSONResponse(LogoutResult().model_dump())
    response.delete_cookie(COOKIE_NAME, path="/")
    return response
