"""Sign-in: page, JSON and form login, cookie, logout."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from members.accounts import NewUser, check_password, create_user, hash_password
from members.bootstrap import create_app
from shared.auth import COOKIE_NAME, verify_token

PASSWORD = "mat-khau-2026"


@pytest.fixture
def user(engine, tree):
    create_user(engine, NewUser("bithu", PASSWORD, "secretary", tree.cell, "Hoàng Văn Sơn"))
    return tree


def cookie_header(response) -> str:
    return next(v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith(COOKIE_NAME))


def test_passwords_are_stored_salted_and_checked(engine):
    first, second = hash_password("chibo2026"), hash_password("chibo2026")
    assert first != second and first.startswith("pbkdf2_sha256$") and "chibo2026" not in first
    assert check_password("chibo2026", first) and not check_password("chibo2027", first)


def test_json_login_returns_a_token_and_sets_an_httponly_lax_cookie_that_verifies(client, user):
    response = client.post("/members/api/login", json={"username": "bithu", "password": PASSWORD})
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["token_type"] == "bearer" and data["role"] == "secretary" and data["org_id"] == str(user.cell)
    assert data["name"] == "Hoàng Văn Sơn"
    header = cookie_header(response).lower()
    assert "httponly" in header and "samesite=lax" in header and "path=/" in header
    principal = verify_token(client.app.state.settings.jwt_secret, client.cookies[COOKIE_NAME])
    assert (principal.username, principal.role, principal.org_id) == ("bithu", "secretary", user.cell)
    assert client.cookies[COOKIE_NAME] == data["access_token"]
    # The cookie alone authenticates the next request.
    assert client.get(f"/members/api/organizations/{user.cell}").status_code == 200


def test_a_wrong_password_is_a_bilingual_401_without_cookie(client, user):
    response = client.post("/members/api/login", json={"username": "bithu", "password": "sai-mat-khau"})
    assert response.status_code == 401 and "set-cookie" not in response.headers
    assert response.json()["detail"][0]["msg"] == "Sai tên đăng nhập hoặc mật khẩu / Wrong username or password"
    unknown = client.post("/members/api/login", json={"username": "khong-co", "password": PASSWORD})
    assert unknown.status_code == 401


def test_a_form_login_redirects_to_next_with_the_cookie(client, user):
    response = client.post("/members/api/login", data={"username": "bithu", "password": PASSWORD,
                                                       "next": "/meetings/x"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/meetings/x"
    assert COOKIE_NAME in cookie_header(response)


@pytest.mark.parametrize("next_url", ["", "https://evil.example/", "//evil.example/"])
def test_a_form_login_goes_to_the_dashboard_unless_next_is_a_local_path(client, user, next_url):
    response = client.post("/members/api/login", data={"username": "bithu", "password": PASSWORD, "next": next_url},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/reports/"


def test_a_failed_form_login_shows_the_page_again_with_a_vietnamese_error(client, user):
    response = client.post("/members/api/login", data={"username": "bithu", "password": "x", "next": "/reports/"})
    assert response.status_code == 401 and "Sai tên đăng nhập hoặc mật khẩu" in response.text
    assert 'value="/reports/"' in response.text and 'value="bithu"' in response.text


def test_the_login_page_is_vietnamese_and_lists_demo_users_in_development(client):
    page = client.get("/members/login?next=/reports/")
    assert page.status_code == 200 and '<html lang="vi">' in page.text
    assert "Đăng nhập" in page.text and "Mật khẩu" in page.text and "tinhuy" in page.text
    assert 'href="/members/static/chibo.css"' in page.text
    assert client.get("/members/static/chibo.css").status_code == 200


def test_the_login_page_hides_demo_users_outside_development(settings_for):
    with TestClient(create_app(settings_for(environment="staging"))) as client:
        page = client.get("/members/login")
    assert page.status_code == 200 and "tinhuy" not in page.text and "chibo2026" not in page.text


def test_logout_clears_the_cookie(client, user):
    client.post("/members/api/login", json={"username": "bithu", "password": PASSWORD})
    response = client.post("/members/api/logout")
    assert response.status_code == 200 and response.json() == {"status": "signed_out"}
    assert 'chibo_token=""' in cookie_header(response) or "max-age=0" in cookie_header(response).lower()
    assert client.get(f"/members/api/organizations/{user.cell}").status_code == 401
