"""The staff web pages in Vietnamese (issue 3 item 7): the tree with counts, member lists with search and
filters, the member page with its history and lifecycle actions, due lists, and the HR import with progress.
Server-rendered (Jinja), no CDN; every page checks the role and the subtree through the use cases."""
from __future__ import annotations

import json
import uuid
from datetime import date
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from members import domain, hr_jobs, hr_usecases, search, usecases
from members.api import get_uow
from members.finance_api import MAX_UPLOAD_BYTES
from members.hr import load_mapping
from members.models import Organization
from members.rights import DECISION_MAKERS, MEMBER_WRITERS
from members.web import templates
from shared import clock
from shared.auth import ROLE_LABELS_VI, Principal, token_from_request, verify_token
from shared.db import in_thread
from shared.errors import ChiboError, NotAuthenticated, ValidationFailed
from shared.uow import UnitOfWork

router = APIRouter(prefix="/members", include_in_schema=False)
STAFF = MEMBER_WRITERS  # province, committee, secretary
PAGE = 25
SECTOR_LABELS_VI = {"administrative": "Cơ quan hành chính", "public_service": "Đơn vị sự nghiệp",
                    "state_enterprise": "Doanh nghiệp nhà nước", "non_state_enterprise": "Doanh nghiệp ngoài nhà nước",
                    "school": "Trường học", "armed_forces": "Lực lượng vũ trang", "rural_residential": "Xã, phường",
                    "other": "Khác"}
STATUS_LABELS = {"probationary": "Dự bị", "official": "Chính thức", "ended": "Đã ra khỏi Đảng / xóa tên",
                 "transferred_out": "Đã chuyển ra ngoài tỉnh"}
ROW_STATUS_LABELS = {"new": "Mới", "update": "Cập nhật", "unchanged": "Không đổi", "skipped": "Bỏ qua",
                     "error": "Lỗi"}
FIELD_LABELS = {"full_name": "Họ và tên", "birth_name": "Họ tên khai sinh", "aliases": "Bí danh", "sex": "Giới tính",
                "date_of_birth": "Ngày sinh", "place_of_birth": "Nơi sinh", "hometown": "Quê quán",
                "ethnicity": "Dân tộc", "religion": "Tôn giáo", "permanent_residence": "Nơi thường trú",
                "temporary_residence": "Nơi tạm trú", "education_level": "Giáo dục phổ thông",
                "professional_level": "Chuyên môn, nghiệp vụ", "political_theory_level": "Lý luận chính trị",
                "occupation": "Nghề nghiệp", "position": "Chức vụ", "employer_unit": "Đơn vị công tác",
                "phone": "Điện thoại", "cccd": "Số CCCD", "party_card_number": "Số thẻ đảng viên",
                "party_card_issued_on": "Ngày cấp thẻ", "admission_decision_date": "Ngày quyết định kết nạp",
                "admission_ceremony_date": "Ngày kết nạp (lễ)", "official_date": "Ngày chính thức",
                "status": "Trạng thái", "exempt_since": "Miễn công tác từ", "ended_on": "Ngày ra khỏi Đảng",
                "end_reason": "Lý do", "insured_salary_vnd": "Lương đóng BHXH", "pension_vnd": "Lương hưu",
                "unit": "Đơn vị", "hr_employee_id": "Mã nhân sự", "effective_from": "Hiệu lực từ", "reason": "Lý do"}
ACTION_LABELS = {"registered": "Đăng ký", "admitted": "Kết nạp", "profile_changed": "Sửa hồ sơ",
                 "made_official": "Công nhận chính thức", "exempted": "Miễn công tác và sinh hoạt",
                 "exemption_ended": "Hết miễn công tác", "employment_imported": "Nhập dữ liệu nhân sự"}
SEX_LABELS = {"male": "Nam", "female": "Nữ"}
VALUE_LABELS = {"so_cap": "Sơ cấp", "trung_cap": "Trung cấp", "cao_cap": "Cao cấp", "cu_nhan": "Cử nhân",
                "male": "Nam", "female": "Nữ", **STATUS_LABELS}


class SignInNeeded(Exception):
    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


def page_principal(request: Request) -> Principal:
    """The signed-in staff member, or a redirect to the login page (this page as ``next``)."""
    token = token_from_request(request)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if not token:
        raise SignInNeeded(target)
    try:
        return verify_token(request.app.state.settings.jwt_secret, token)
    except NotAuthenticated:
        raise SignInNeeded(target) from None


def sign_in_redirect(_request: Request, exc: SignInNeeded) -> Response:
    return RedirectResponse(f"/members/login?next={quote(exc.next_url)}", 303)


def render(request: Request, principal: Principal, name: str, status: int = 200, **context) -> HTMLResponse:
    base = {"principal": principal, "role_label": ROLE_LABELS_VI.get(principal.role, principal.role),
            "sector_labels": SECTOR_LABELS_VI, "kind_labels": domain.KIND_LABELS_VI, "status_labels": STATUS_LABELS,
            "field_labels": FIELD_LABELS, "value_labels": VALUE_LABELS, "today": clock.today(), "nav": name.split(".")[0]}
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status)


def forbidden_page(request: Request, principal: Principal, exc: ChiboError) -> HTMLResponse:
    return render(request, principal, "error.html", status=exc.status_code, error=exc)


def staff_only(request: Request, principal: Principal) -> HTMLResponse | None:
    if principal.role not in STAFF:
        return render(request, principal, "error.html", status=403, error=ChiboError(
            "Trang này dành cho cán bộ tổ chức và bí thư chi bộ", "Staff only (province, committee, secretary)"))
    return None


@router.get("/")
def home() -> Response:
    return RedirectResponse("/members/tree", 303)


@router.get("/tree", response_class=HTMLResponse)
def tree_page(request: Request, principal: Principal = Depends(page_principal),
              uow: UnitOfWork = Depends(get_uow)) -> Response:
    """The subtree with official / probationary counts (own and rolled up) and structure warnings."""
    if (denied := staff_only(request, principal)) is not None:
        return denied
    roots = search.organizations_with_counts(uow, principal)
    warnings: dict[uuid.UUID, list] = {}
    for w in usecases.structure_warnings(uow, principal.org_id, principal):
        warnings.setdefault(w.organization_id, []).append(w)
    return render(request, principal, "tree.html", roots=roots, warnings=warnings)


def _cells(uow: UnitOfWork, principal: Principal) -> list[tuple[uuid.UUID, str, str]]:
    return [(o.id, o.name, o.kind) for o, _parent, _count in usecases.organizations_in_scope(uow, principal)
            if not (o.dissolved_on and o.dissolved_on <= clock.today())]


@router.get("/list", response_class=HTMLResponse)
def list_page(request: Request, q: str = "", status: str = "", sector: str = "", cell_id: str = "",
              age_band: str = "", page: int = 1, principal: Principal = Depends(page_principal),
              uow: UnitOfWork = Depends(get_uow)) -> Response:
    """Members of the subtree: search by name without diacritics, CCCD or card number; filters; pages."""
    if (denied := staff_only(request, principal)) is not None:
        return denied
    page = max(1, page)
    error, hits, total = None, [], 0
    try:
        cell = uuid.UUID(cell_id) if cell_id else None
        f = search.MemberFilters(q=q, status=status or None, sector=sector or None, cell_id=cell,
                                 age_band=age_band or None, offset=(page - 1) * PAGE, limit=PAGE)
        hits, total = search.search_members(uow, principal, f)
    except ValueError:
        error = ChiboError("Tổ chức không hợp lệ", "Invalid organization", "cell_id")
    except ChiboError as exc:
        error = exc
    params = {k: v for k, v in {"q": q, "status": status, "sector": sector, "cell_id": cell_id,
                                "age_band": age_band}.items() if v}
    pages = max(1, (total + PAGE - 1) // PAGE)
    link = lambda n: "/members/list?" + urlencode({**params, "page": n})  # noqa: E731
    return render(request, principal, "list.html", status=error.status_code if error else 200, error=error,
                  hits=hits, total=total, page=page, pages=pages, link=link, q=q, status_filter=status,
                  sector=sector, cell_id=cell_id, age_band=age_band, cells=_cells(uow, principal),
                  age_bands=list(search.AGE_BANDS), statuses=search.STATUSES)


# --- the member page and its lifecycle actions ---------------------------------------------------------------

def allowed_actions(principal: Principal, state: domain.MemberState) -> list[str]:
    """The actions the page offers: allowed in the member's status and to the caller's role."""
    out = []
    decides = principal.role in DECISION_MAKERS
    status = state.status
    if status == "probationary" and decides:
        out += ["official", "probation-not-recognized"]
    if status in domain.ACTIVE:
        out += ["exemption-end"] if state.exempt_since else ["exemption"]
        out += ["temporary-transfer-end"] if state.temporary_from else ["temporary-transfer"]
        if decides:
            out += ["transfer-receipt"] if state.pending_transfer else ["transfer-letter"]
        if status == "official" and decides:
            out += ["party-card", "badges"]
        out += ["end"]
    return out


TECHNICAL_KEYS = {"event_id", "schema_version", "profile", "member_id", "organization_id", "id", "created_at",
                  "search_name", "correlation_id", "occurred_at", "actor"}


def _shown(raw: str | None) -> dict:
    """A change-log side without the technical keys (the event's envelope fields)."""
    values = json.loads(raw) if raw else {}
    return {k: v for k, v in values.items() if k not in TECHNICAL_KEYS} if isinstance(values, dict) else {}


def _member_page(request: Request, principal: Principal, uow: UnitOfWork, member_id: uuid.UUID,
                 error: ChiboError | None = None, done: str | None = None, form: dict | None = None,
                 action: str | None = None) -> HTMLResponse:
    view = usecases.member_detail(uow, member_id, principal)
    history = usecases.member_history(uow, member_id, principal)
    items = [{"at": h.at, "actor": h.actor, "action": ACTION_LABELS.get(h.action, h.action),
              "before": _shown(h.before), "after": _shown(h.after)} for h in reversed(history)]
    cell = None
    if view.state.organization_id:
        with uow:
            org = uow.session.get(Organization, view.state.organization_id)
            cell = org.name if org else None
    cells = [c for c in _cells(uow, principal) if c[2] in ("grassroots_cell", "subordinate_cell")
             and c[0] != view.state.organization_id]
    return render(request, principal, "member.html", status=error.status_code if error else 200, view=view,
                  m=view.member, state=view.state, cell=cell, history=items, actions=allowed_actions(principal, view.state),
                  error=error, done=done, form=form or {}, failed_action=action, cells=cells,
                  end_reasons=domain.END_REASONS, end_labels=domain.END_LABELS_VI, end_causes=domain.END_CAUSES,
                  sex_labels=SEX_LABELS, profile_fields=[f for f in FIELD_LABELS if hasattr(view.member, f)
                                                         and f not in ("status",)])


@router.get("/m/{member_id}", response_class=HTMLResponse)
def member_page(request: Request, member_id: uuid.UUID, done: str | None = None,
                principal: Principal = Depends(page_principal), uow: UnitOfWork = Depends(get_uow)) -> Response:
    """A member's profile, party age, history (who, when, before/after) and the allowed lifecycle actions."""
    if (denied := staff_only(request, principal)) is not None:
        return denied
    try:
        return _member_page(request, principal, uow, member_id, done=done)
    except ChiboError as exc:
        return forbidden_page(request, principal, exc)


def _day(form: dict, name: str, required: bool = True) -> date | None:
    raw = str(form.get(name) or "").strip()
    if not raw:
        if required:
            raise ValidationFailed.of(name, "Vui lòng chọn ngày", "Enter a date")
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed.of(name, "Ngày không hợp lệ", "Invalid date") from None


def _text(form: dict, name: str) -> str | None:
    return str(form.get(name) or "").strip() or None


def run_action(uow: UnitOfWork, principal: Principal, member_id: uuid.UUID, action: str, form: dict):
    """Call the lifecycle command behind a form button (the same use cases as the JSON API)."""
    d = lambda name, required=True: _day(form, name, required)  # noqa: E731
    match action:
        case "official":
            return usecases.make_official(uow, member_id, d("decision_date"), principal)
        case "probation-not-recognized":
            return usecases.refuse_official(uow, member_id, d("decision_date"), principal)
        case "exemption":
            return usecases.exempt_member(uow, member_id, d("effective_from"), principal, _text(form, "reason"))
        case "exemption-end":
            return usecases.end_exemption(uow, member_id, d("effective_from"), principal)
        case "temporary-transfer":
            host = _text(form, "host_name")
            if not host:
                raise ValidationFailed.of("host_name", "Vui lòng nhập nơi sinh hoạt tạm thời",
                                          "Enter the host organization")
            return usecases.temporary_transfer(uow, member_id, d("effective_from"), d("until"), principal,
                                               host_organization_id=None, host_name=host,
                                               study=bool(form.get("study")))
        case "temporary-transfer-end":
            return usecases.end_temporary_transfer(uow, member_id, d("effective_from"), principal)
        case "transfer-letter":
            target = _text(form, "to_organization_id")
            destination = _text(form, "destination")
            if not target and not destination:
                raise ValidationFailed.of("to_organization_id", "Chọn chi bộ nhận hoặc ghi nơi chuyển đến ngoài tỉnh",
                                          "Choose the receiving cell or a destination outside the province")
            return usecases.issue_transfer(uow, member_id, d("letter_issued_on"), principal,
                                           to_organization_id=uuid.UUID(target) if target else None,
                                           destination=None if target else destination,
                                           moved_on=d("moved_on", False))
        case "transfer-receipt":
            return usecases.receive_transfer(uow, member_id, d("received_on"), principal)
        case "party-card":
            number = _text(form, "card_number")
            if not number:
                raise ValidationFailed.of("card_number", "Vui lòng nhập số thẻ", "Enter the card number")
            return usecases.issue_party_card(uow, member_id, number, d("issued_on"), principal,
                                             bool(form.get("replacement")))
        case "badges":
            try:
                years = int(str(form.get("years") or ""))
            except ValueError:
                raise ValidationFailed.of("years", "Chọn mức huy hiệu", "Choose the badge") from None
            return usecases.award_badge(uow, member_id, years, d("awarded_on"), principal,
                                        bool(form.get("serious_illness")))
        case "end":
            reason = _text(form, "reason")
            if reason not in domain.END_REASONS:
                raise ValidationFailed.of("reason", "Chọn hình thức", "Choose the reason")
            return usecases.end_membership(uow, member_id, reason, d("effective_from"), principal,
                                           d("decision_date", False), _text(form, "cause"))
    raise ValidationFailed.of("action", "Thao tác không hợp lệ", "Unknown action")


@router.post("/m/{member_id}/do/{action}", response_class=HTMLResponse)
async def member_action(request: Request, member_id: uuid.UUID, action: str,
                        principal: Principal = Depends(page_principal), uow: UnitOfWork = Depends(get_uow)) -> Response:
    """A lifecycle action from the member page: done → back to the page; refused → the page with the reason."""
    if (denied := staff_only(request, principal)) is not None:
        return denied
    form = dict(await request.form())

    def act():
        try:
            run_action(uow, principal, member_id, action, form)
            return None
        except ChiboError as exc:
            return exc
    error = await in_thread(act)
    if error is None:
        return RedirectResponse(f"/members/m/{member_id}?done={quote(action)}", 303)
    try:
        return await in_thread(lambda: _member_page(request, principal, uow, member_id, error=error, form=form,
                                                    action=action))
    except ChiboError as exc:
        return forbidden_page(request, principal, exc)


# --- due lists ----------------------------------------------------------------------------------------------

@router.get("/due", response_class=HTMLResponse)
def due_page(request: Request, principal: Principal = Depends(page_principal),
             uow: UnitOfWork = Depends(get_uow)) -> Response:
    """Probation due (overdue flagged), badges due at the next award date, transfers pending, HR tasks."""
    if (denied := staff_only(request, principal)) is not None:
        return denied
    org = principal.org_id
    today = clock.today()
    probation = usecases.probation_due_list(uow, org, principal)
    award_date, badges = usecases.badges_due_list(uow, org, principal)
    transfers = usecases.pending_transfer_list(uow, org, principal)
    tasks = hr_usecases.tasks_in(uow, org, principal)
    names = {o.id: o.name for o, _p, _c in usecases.organizations_in_scope(uow, principal)}
    return render(request, principal, "due.html", probation=probation, award_date=award_date, badges=badges,
                  transfers=transfers, tasks=tasks, names=names, today=today)


# --- the HR import: upload → background preview with progress → preview table → commit ---------------------

def _importer(request: Request, principal: Principal) -> HTMLResponse | None:
    if principal.role not in hr_usecases.IMPORTERS:
        return render(request, principal, "error.html", status=403, error=ChiboError(
            "Chỉ cán bộ Tỉnh ủy và Đảng ủy được nhập dữ liệu nhân sự", "Province and committee staff only"))
    return None


@router.get("/import", response_class=HTMLResponse)
def import_page(request: Request, principal: Principal = Depends(page_principal)) -> Response:
    if (denied := _importer(request, principal)) is not None:
        return denied
    return render(request, principal, "import.html", error=None, mapping=load_mapping(
        getattr(request.app.state.settings, "hr_mapping_path", None)))


@router.post("/import", response_class=HTMLResponse)
async def import_upload(request: Request, file: UploadFile = File(...), effective_from: str = Form(""),
                        principal: Principal = Depends(page_principal)) -> Response:
    """Start the preview job and go to its progress page (the upload request does not wait for it)."""
    if (denied := _importer(request, principal)) is not None:
        return denied
    mapping = load_mapping(getattr(request.app.state.settings, "hr_mapping_path", None))
    try:
        content = await file.read(MAX_UPLOAD_BYTES + 1)
        if len(content) > MAX_UPLOAD_BYTES:
            raise ValidationFailed.of("file", "Tệp quá lớn (tối đa 64 MB)", "The file is too large (64 MB at most)")
        if not file.filename:
            raise ValidationFailed.of("file", "Vui lòng chọn tệp", "Choose a file")
        day = _day({"effective_from": effective_from}, "effective_from", False) or clock.today()
        runtime = request.app.state.runtime
        job_id = await in_thread(lambda: hr_jobs.start_preview(runtime.engine, runtime.outbox, principal,
                                                               file.filename, content, mapping=mapping,
                                                               effective_from=day))
    except ChiboError as exc:
        return render(request, principal, "import.html", status=exc.status_code, error=exc, mapping=mapping)
    return RedirectResponse(f"/members/import/jobs/{job_id}", 303)


@router.get("/import/jobs/{job_id}", response_class=HTMLResponse)
def import_job_page(request: Request, job_id: uuid.UUID, principal: Principal = Depends(page_principal)) -> Response:
    """The job's progress bar (the page polls the JSON endpoint every second and moves on when done)."""
    if (denied := _importer(request, principal)) is not None:
        return denied
    runtime = request.app.state.runtime
    try:
        job = hr_jobs.job_status(runtime.engine, runtime.outbox, job_id, principal)
    except ChiboError as exc:
        return forbidden_page(request, principal, exc)
    return render(request, principal, "import_job.html", job=job)


@router.get("/import/{import_id}", response_class=HTMLResponse)
def import_preview_page(request: Request, import_id: uuid.UUID, status: str = "", page: int = 1,
                        principal: Principal = Depends(page_principal),
                        uow: UnitOfWork = Depends(get_uow)) -> Response:
    """The preview: counts by status, the rows (filter by status) with reasons and changes, the commit button."""
    if (denied := _importer(request, principal)) is not None:
        return denied
    try:
        record = hr_usecases.get_import(uow, import_id, principal)
    except ChiboError as exc:
        return forbidden_page(request, principal, exc)
    rows = json.loads(record.rows)
    if status:
        rows = [r for r in rows if r["status"] == status]
    size = 100
    pages = max(1, (len(rows) + size - 1) // size)
    page = min(max(1, page), pages)
    return render(request, principal, "import_preview.html", record=record, summary=json.loads(record.summary),
                  rows=rows[(page - 1) * size:page * size], matching=len(rows), status_filter=status, page=page,
                  pages=pages, row_labels=ROW_STATUS_LABELS)


@router.post("/import/{import_id}/commit", response_class=HTMLResponse)
def import_commit(request: Request, import_id: uuid.UUID, principal: Principal = Depends(page_principal)) -> Response:
    if (denied := _importer(request, principal)) is not None:
        return denied
    runtime = request.app.state.runtime
    try:
        job_id = hr_jobs.start_commit(runtime.engine, runtime.outbox, principal, import_id)
    except ChiboError as exc:
        return forbidden_page(request, principal, exc)
    return RedirectResponse(f"/members/import/jobs/{job_id}", 303)
