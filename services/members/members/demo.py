"""The demo province: deterministic ids, Vietnamese names, loaded through the use cases."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from shared.calendar import add_months

DEMO_FROM = date(2026, 1, 1)
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hà", "Ngô", "Dương", "Đinh", "Cao",
            "Phan", "Hồ", "Lương")
MIDDLE = {"male": ("Văn", "Đức", "Minh", "Quang", "Hữu", "Thành", "Xuân", "Công"),
          "female": ("Thị", "Thu", "Ngọc", "Thanh", "Thị", "Hồng", "Phương", "Thị")}
GIVEN = {"male": ("Hùng", "Dũng", "Tuấn", "Long", "Hải", "Sơn", "Thắng", "Cường", "Quân", "Bình", "Phong", "Trung",
                  "Khánh", "Việt", "Toàn", "Hiếu", "Nam"),
         "female": ("Lan", "Hương", "Mai", "Hạnh", "Thảo", "Huyền", "Nga", "Loan", "Yến", "Trang", "Hằng", "Dung",
                    "Liên", "Oanh", "Nhung", "Vân", "Hoa")}


def demo_id(slug: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"chibo-demo/{slug}")


@dataclass(frozen=True)
class DemoOrg:
    slug: str
    name: str
    kind: str
    sector: str
    parent: str | None
    members: int = 0
    cluster: str | None = None

    @property
    def id(self) -> uuid.UUID:
        return demo_id(self.slug)


ORGS: tuple[DemoOrg, ...] = (
    DemoOrg("tinh-phu-tho", "Đảng bộ tỉnh Phú Thọ", "province", "administrative", None),
    DemoOrg("co-quan-dang", "Đảng bộ các cơ quan Đảng tỉnh", "committee", "administrative", "tinh-phu-tho"),
    DemoOrg("ubnd-tinh", "Đảng bộ Ủy ban nhân dân tỉnh", "committee", "administrative", "tinh-phu-tho"),
    DemoOrg("van-phong-tinh-uy", "Chi bộ Văn phòng Tỉnh ủy", "grassroots_cell", "administrative", "co-quan-dang", 12,
            "Cụm 1"),
    DemoOrg("ban-tuyen-giao", "Chi bộ Ban Tuyên giáo và Dân vận Tỉnh ủy", "grassroots_cell", "administrative",
            "co-quan-dang", 8, "Cụm 1"),
    DemoOrg("so-gddt", "Đảng bộ Sở Giáo dục và Đào tạo", "grassroots_committee", "public_service", "ubnd-tinh",
            cluster="Cụm 2"),
    DemoOrg("thpt-chuyen-hung-vuong", "Chi bộ Trường THPT Chuyên Hùng Vương", "subordinate_cell", "school", "so-gddt",
            10),
    DemoOrg("van-phong-so-gddt", "Chi bộ Văn phòng Sở Giáo dục và Đào tạo", "subordinate_cell", "administrative",
            "so-gddt", 7),
    DemoOrg("cong-ty-thuy-loi", "Chi bộ Công ty TNHH MTV Thủy lợi Phú Thọ", "grassroots_cell", "state_enterprise",
            "ubnd-tinh", 8, "Cụm 3"),
    DemoOrg("phuong-viet-tri", "Đảng bộ phường Việt Trì", "grassroots_committee", "rural_residential", "tinh-phu-tho"),
    DemoOrg("khu-dan-cu-so-3", "Chi bộ khu dân cư số 3", "subordinate_cell", "rural_residential", "phuong-viet-tri", 9),
    DemoOrg("khu-dan-cu-so-5", "Chi bộ khu dân cư số 5", "subordinate_cell", "rural_residential", "phuong-viet-tri", 6),
)
ORG_BY_SLUG = {o.slug: o for o in ORGS}
USERS = (("tinhuy", "province", "tinh-phu-tho", "Trần Minh Đức"),
         ("dangbo", "committee", "co-quan-dang", "Nguyễn Thị Thu Hà"),
         ("bithu", "secretary", "van-phong-tinh-uy", "Hoàng Văn Sơn"))
PASSWORD = "chibo2026"


ETHNICITIES = ("Kinh", "Kinh", "Kinh", "Mường", "Kinh", "Tày", "Kinh", "Dao", "Kinh", "Kinh")
RELIGIONS = ("Không", "Không", "Không", "Phật giáo", "Không", "Công giáo", "Không")
HOMETOWNS = ("Lâm Thao, Phú Thọ", "Thanh Sơn, Phú Thọ", "Phù Ninh, Phú Thọ", "Cẩm Khê, Phú Thọ", "Hạ Hòa, Phú Thọ",
             "Yên Lập, Phú Thọ", "Tam Nông, Phú Thọ", "Việt Trì, Phú Thọ", "Vĩnh Yên, Vĩnh Phúc", "Hòa Bình")
PROFESSIONAL = ("Đại học", "Đại học", "Thạc sĩ", "Cao đẳng", "Đại học", "Tiến sĩ", "Trung cấp")
THEORY = ("so_cap", "trung_cap", "so_cap", "cao_cap", "trung_cap", "cu_nhan")
OCCUPATIONS = {"administrative": "Công chức", "public_service": "Viên chức", "school": "Giáo viên",
               "state_enterprise": "Kỹ sư", "rural_residential": "Hưu trí"}


@dataclass(frozen=True)
class DemoMember:
    id: uuid.UUID
    full_name: str
    sex: str
    date_of_birth: date
    status: str
    cccd: str
    phone: str
    details: dict | None = None
    admission_decision_date: date | None = None
    admission_ceremony_date: date | None = None
    official_date: date | None = None


def _admission_dates(born: date, status: str, seed: int) -> tuple[date, date, date | None]:
    """Probationers had their ceremony between March and December 2025 (due dates spread over 2026: some
    overdue, some still to come); official members were admitted at 22-31, no later than 2024."""
    if status == "probationary":
        ceremony = add_months(date(2025, 3, 1), seed * 7 % 10) + timedelta(days=2 + seed % 20)
        return ceremony - timedelta(days=12), ceremony, None
    decision = date(min(born.year + 22 + seed % 10, 2024), 1 + seed * 7 % 12, 2 + seed % 25)
    ceremony = decision + timedelta(days=15)
    return decision, ceremony, add_months(ceremony, 12)


def _details(org: DemoOrg, seed: int) -> dict:
    return {"birth_name": None, "place_of_birth": HOMETOWNS[seed * 3 % len(HOMETOWNS)],
            "hometown": HOMETOWNS[seed % len(HOMETOWNS)], "ethnicity": ETHNICITIES[seed % len(ETHNICITIES)],
            "religion": RELIGIONS[seed % len(RELIGIONS)], "permanent_residence": HOMETOWNS[seed * 7 % len(HOMETOWNS)],
            "education_level": "12/12", "professional_level": PROFESSIONAL[seed % len(PROFESSIONAL)],
            "political_theory_level": THEORY[seed % len(THEORY)],
            "occupation": OCCUPATIONS.get(org.sector, "Người lao động"),
            "position": "Chuyên viên" if org.sector != "rural_residential" else None,
            "employer_unit": org.name.removeprefix("Chi bộ ").removeprefix("Đảng bộ ")}


def demo_member(org: DemoOrg, n: int, seed: int) -> DemoMember:
    """The n-th member of a cell; ``seed`` numbers members across the province so names vary."""
    sex = "female" if (seed * 7 + n) % 5 in (1, 3) else "male"
    name = " ".join((SURNAMES[seed * 5 % len(SURNAMES)], MIDDLE[sex][seed * 3 % len(MIDDLE[sex])],
                     GIVEN[sex][seed * 11 % len(GIVEN[sex])]))
    born = date(1966 + seed * 13 % 36, 1 + seed * 5 % 12, 1 + seed * 17 % 28)
    status = "probationary" if seed % 6 == 5 or born.year >= 2000 else "official"
    century = 0 if born.year < 2000 else 2
    cccd = f"025{century + (sex == 'female')}{born.year % 100:02d}{(seed * 7919) % 1_000_000:06d}"
    phone = f"09{(seed * 104729) % 100_000_000:08d}"
    decision, ceremony, official = _admission_dates(born, status, seed)
    return DemoMember(demo_id(f"member/{org.slug}/{n}"), name, sex, born, status, cccd, phone,
                      {k: v for k, v in _details(org, seed).items() if v is not None}, decision, ceremony, official)


def demo_members() -> list[tuple[DemoOrg, DemoMember]]:
    out: list[tuple[DemoOrg, DemoMember]] = []
    for org in ORGS:
        for n in range(1, org.members + 1):
            out.append((org, demo_member(org, n, len(out) + 1)))
    return out
