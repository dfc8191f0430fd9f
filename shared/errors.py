"""Errors a person can act on: every message in Vietnamese first, then English."""
from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


@dataclass(frozen=True)
class FieldProblem:
    field: str
    vi: str
    en: str

    def as_json(self) -> dict:
        return {"loc": ["body", *self.field.split(".")], "field": self.field, "msg": f"{self.vi} / {self.en}",
                "msg_vi": self.vi, "msg_en": self.en}


class ChiboError(Exception):
    status_code = 400

    def __init__(self, vi: str, en: str, field: str | None = None) -> None:
        super().__init__(en)
        self.vi, self.en, self.field = vi, en, field

    def payload(self) -> dict:
        detail: dict = {"msg": f"{self.vi} / {self.en}", "msg_vi": self.vi, "msg_en": self.en}
        if self.field:
            detail.update(field=self.field, loc=["body", *self.field.split(".")])
        return {"detail": [detail]}


class ValidationFailed(ChiboError):
    """422 naming one or more fields."""

    status_code = 422

    def __init__(self, *problems: FieldProblem) -> None:
        first = problems[0]
        super().__init__(first.vi, first.en, first.field)
        self.problems = problems

    @classmethod
    def of(cls, field: str, vi: str, en: str) -> "ValidationFailed":
        return cls(FieldProblem(field, vi, en))

    def payload(self) -> dict:
        return {"detail": [p.as_json() for p in self.problems]}


class NotAuthenticated(ChiboError):
    status_code = 401

    def __init__(self) -> None:
        super().__init__("Chưa đăng nhập hoặc phiên đã hết hạn", "Not signed in or the session has expired")


class Forbidden(ChiboError):
    status_code = 403

    def __init__(self, vi: str = "Ngoài phạm vi tổ chức được phân quyền",
                 en: str = "Outside the organization subtree you are allowed to access") -> None:
        super().__init__(vi, en)


class NotFound(ChiboError):
    status_code = 404


# pydantic error type -> (Vietnamese, English)
_PYDANTIC_VI = {
    "missing": ("Thiếu trường bắt buộc", "Field required"),
    "uuid_parsing": ("Mã định danh không hợp lệ", "Not a valid identifier"),
    "uuid_type": ("Mã định danh không hợp lệ", "Not a valid identifier"),
    "date_parsing": ("Ngày không hợp lệ (định dạng YYYY-MM-DD)", "Not a valid date (YYYY-MM-DD)"),
    "date_from_datetime_parsing": ("Ngày không hợp lệ (định dạng YYYY-MM-DD)", "Not a valid date (YYYY-MM-DD)"),
    "int_parsing": ("Phải là số nguyên", "Must be a whole number"),
    "int_type": ("Phải là số nguyên", "Must be a whole number"),
    "greater_than_equal": ("Giá trị quá nhỏ", "Value is too small"),
    "less_than_equal": ("Giá trị quá lớn", "Value is too large"),
    "string_too_short": ("Không được để trống", "Must not be empty"),
    "string_too_long": ("Quá dài", "Too long"),
    "literal_error": ("Giá trị không thuộc danh mục cho phép", "Not one of the allowed values"),
    "enum": ("Giá trị không thuộc danh mục cho phép", "Not one of the allowed values"),
    "json_invalid": ("Nội dung JSON không hợp lệ", "Invalid JSON body"),
    "bool_parsing": ("Phải là đúng/sai", "Must be true or false"),
    "list_type": ("Phải là một danh sách", "Must be a list"),
    "string_pattern_mismatch": ("Sai định dạng", "Wrong format"),
}


def _from_pydantic(err: dict) -> dict:
    loc = [str(p) for p in err.get("loc", ())]
    field = ".".join(loc[1:] if loc and loc[0] in ("body", "query", "path") else loc)
    vi, en = _PYDANTIC_VI.get(err.get("type", ""), ("Giá trị không hợp lệ", err.get("msg", "Invalid value")))
    if err.get("type") in ("greater_than_equal", "less_than_equal", "string_too_long"):
        limit = next(iter((err.get("ctx") or {}).values()), "")
        vi, en = f"{vi} (giới hạn {limit})", f"{en} (limit {limit})"
    return {"loc": loc, "field": field, "msg": f"{vi} / {en}", "msg_vi": vi, "msg_en": en}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ChiboError)
    async def _chibo(request: Request, exc: ChiboError) -> JSONResponse:
        return JSONResponse(exc.payload(), status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": [_from_pydantic(e) for e in exc.errors()]}, status_code=422)
