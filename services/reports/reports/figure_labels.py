"""The Vietnamese labels of the codes in the figures (enumerations of shared/events.py and of the reports)."""
from __future__ import annotations

UNKNOWN = "Chưa rõ"
OBLIGATIONS = {"regular": "Sinh hoạt thường kỳ", "thematic": "Sinh hoạt chuyên đề",
               "committee": "Họp cấp ủy (chi ủy, đảng ủy)"}
MEETING_KINDS = {"regular": "Thường kỳ", "thematic": "Chuyên đề", "combined": "Thường kỳ kết hợp chuyên đề",
                 "extraordinary": "Bất thường", "model": "Sinh hoạt mẫu"}
STATUS = {"official": "Đảng viên chính thức", "probationary": "Đảng viên dự bị"}
SEX = {"male": "Nam", "female": "Nữ"}
SECTORS = {"administrative": "Cơ quan hành chính", "public_service": "Đơn vị sự nghiệp",
           "state_enterprise": "Doanh nghiệp nhà nước", "non_state_enterprise": "Doanh nghiệp ngoài nhà nước",
           "school": "Trường học", "armed_forces": "Lực lượng vũ trang", "rural_residential": "Nông thôn, khu dân cư",
           "other": "Loại hình khác"}
THEORY = {"so_cap": "Sơ cấp", "trung_cap": "Trung cấp", "cao_cap": "Cao cấp", "cu_nhan": "Cử nhân"}
CHANGES = {"admitted": "Kết nạp đảng viên", "made_official": "Công nhận đảng viên chính thức",
           "transferred_in": "Chuyển sinh hoạt đến", "transferred_out": "Chuyển sinh hoạt đi",
           "transferred_temporarily": "Chuyển sinh hoạt tạm thời", "cards_issued": "Cấp thẻ đảng viên",
           "cards_replaced": "Cấp lại thẻ đảng viên", "badges_awarded": "Trao tặng Huy hiệu Đảng",
           "exempted": "Miễn sinh hoạt đảng", "names_removed": "Xóa tên", "expelled": "Khai trừ",
           "exited": "Ra khỏi Đảng", "deceased": "Từ trần",
           "probation_not_recognized": "Không công nhận đảng viên chính thức"}
GRADES = {"excellent": "Hoàn thành xuất sắc nhiệm vụ", "good": "Hoàn thành tốt nhiệm vụ",
          "completed": "Hoàn thành nhiệm vụ", "not_completed": "Không hoàn thành nhiệm vụ"}
ALERTS = {"removal_reviews": ("Đảng viên cần xem xét xóa tên", "Xem xét xóa tên"),
          "absence_limits": ("Đảng viên vắng sinh hoạt đến mức phải xem xét", "Vắng sinh hoạt"),
          "overdue_probations": ("Đảng viên dự bị quá hạn xét chuyển chính thức", "Dự bị quá hạn")}
REASONS = {"unpaid_fees": "Không đóng đảng phí (số tháng trong năm)",
           "unexcused": "Vắng sinh hoạt không lý do (số lần trong năm)",
           "excused_consecutive": "Vắng sinh hoạt có lý do (số lần liên tiếp)",
           "overdue_probation": "Quá hạn xét chuyển chính thức (số ngày làm việc sau 12 tháng dự bị)"}
# Dimensions of the roll, in the order of the statistical forms: (key, heading, labels of its codes).
DIMENSIONS = (("status", "Trạng thái", STATUS), ("sex", "Giới tính", SEX), ("age_band", "Độ tuổi", None),
              ("ethnicity", "Dân tộc", {}), ("religion", "Tôn giáo", {}),
              ("education_level", "Trình độ học vấn", {}), ("political_theory_level", "Lý luận chính trị", THEORY),
              ("party_age_band", "Tuổi đảng", None), ("sector", "Loại hình tổ chức", SECTORS))
