"""Code lists of the domain, with their Chinese labels.

Values are stable English identifiers (they are stored in events); `LABELS` gives the Chinese
term shown to users next to the English one.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """Roles seen in the seeds (domain.md §1)."""

    DRAFTER = "drafter"  # 拟稿人、承办人
    SECTION_HEAD = "section_head"  # 处室负责人
    LEADER_IN_CHARGE = "leader_in_charge"  # 分管领导
    SIGNER = "signer"  # 签发人
    PRINCIPAL_LEADER = "principal_leader"  # 主要领导
    DISCLOSURE_OFFICE = "disclosure_office"  # 政务公开办公室
    CONFIDENTIALITY_REVIEWER = "confidentiality_reviewer"  # 保密审查
    INVESTIGATOR = "investigator"  # 纪检监察
    SYSTEM = "system"  # the ledger itself (e.g. deadlines lapsing)


LEADERS = frozenset({Role.LEADER_IN_CHARGE, Role.SIGNER, Role.PRINCIPAL_LEADER})


class Attribute(StrEnum):
    """公开属性 marked on the drafting form (000 §一(三)2; 001 Art 10; 002 Art 4)."""

    PROACTIVE = "proactive"  # 主动公开
    ON_REQUEST = "on_request"  # 依申请公开
    NOT_DISCLOSED = "not_disclosed"  # 不予公开 / 免予公开


class ReviewConclusion(StrEnum):
    """Conclusions of the confidentiality review (004 att.6 Art 9)."""

    PROACTIVE = "proactive"  # 主动公开
    ON_REQUEST = "on_request"  # 依申请公开
    EXEMPT = "exempt"  # 免予公开
    REFER_UPWARD = "refer_upward"  # 需报审 (004 att.6 Art 7)


class NonDisclosureGround(StrEnum):
    """Legal grounds for not disclosing (the Regulation Art 14-16; 004 att.6 Art 5)."""

    STATE_SECRET = "state_secret"  # 国家秘密
    PROHIBITED_BY_LAW = "prohibited_by_law"  # 法律行政法规禁止公开
    THREE_SECURITIES = "three_securities"  # 危及"三安全一稳定"
    THIRD_PARTY_RIGHTS = "third_party_rights"  # 商业秘密、个人隐私
    INTERNAL_AFFAIRS = "internal_affairs"  # 内部事务信息
    PROCESS_INFORMATION = "process_information"  # 过程性信息
    ENFORCEMENT_CASE_FILE = "enforcement_case_file"  # 行政执法案卷


class DocumentType(StrEnum):
    RULE = "rule"  # 规章
    NORMATIVE = "normative"  # 行政规范性文件
    ORDINARY = "ordinary"  # 其他公文
    LICENSING_DECISION = "licensing_decision"  # 行政许可决定
    PENALTY_DECISION = "penalty_decision"  # 行政处罚决定
    ENFORCEMENT_DECISION = "enforcement_decision"  # 行政强制决定


class Channel(StrEnum):
    """Publication channels (003 Art 12(四); 004 att.7 Art 3)."""

    PORTAL = "portal"  # 政府门户网站
    GAZETTE = "gazette"  # 政府公报
    WEIBO = "weibo"  # 政务微博
    WECHAT = "wechat"  # 政务微信
    PRESS_CONFERENCE = "press_conference"  # 新闻发布会
    MEDIA = "media"  # 广播电视报刊
    READING_ROOM = "reading_room"  # 公共查阅场所


class ConsultationAnswer(StrEnum):
    AGREED = "agreed"  # 同意
    OBJECTED = "objected"  # 不同意
    SILENT = "silent"  # 逾期未答复 (co-issuers: counts as consent, 004 att.7 Art 9)


class AnnualReviewOutcome(StrEnum):
    RECLASSIFIED = "reclassified"  # 调整为主动公开 (002 Art 55)
    KEPT = "kept"  # 维持原属性


class Validity(StrEnum):
    IN_FORCE = "in_force"  # 有效
    REVOKED = "revoked"  # 撤销
    ABOLISHED = "abolished"  # 废止


class ReadingRoomMode(StrEnum):
    ELECTRONIC = "electronic"  # 电子文本, within 20 working days (002 Art 58)
    PAPER_BATCH = "paper_batch"  # 纸质文本, by the 10th of the next month (002 Art 59)


class RequestChannel(StrEnum):
    """How an application arrives; the Regulation Art 31 fixes the receipt date per channel."""

    IN_PERSON = "in_person"  # 当面提交
    POST = "post"  # 邮寄 (signed for)
    ORDINARY_LETTER = "ordinary_letter"  # 平常信函 (no signature: confirmed with applicant)
    ONLINE = "online"  # 网络
    FAX = "fax"  # 传真
    ORAL = "oral"  # 口头 (staff fill in the form, Art 29)


class ApplicantType(StrEnum):
    """Applicant columns of the annual report (national template, section 三)."""

    NATURAL_PERSON = "natural_person"  # 自然人
    COMMERCIAL_ENTERPRISE = "commercial_enterprise"  # 商业企业
    RESEARCH_INSTITUTION = "research_institution"  # 科研机构
    PUBLIC_INTEREST_ORGANISATION = "public_interest_organisation"  # 社会公益组织
    LEGAL_SERVICE_INSTITUTION = "legal_service_institution"  # 法律服务机构
    OTHER_ORGANISATION = "other_organisation"  # 其他


class OutcomeGroup(StrEnum):
    """The seven reply groups of the national template (004 att.9 Art 4(四))."""

    DISCLOSED = "disclosed"  # 予以公开
    PARTLY_DISCLOSED = "partly_disclosed"  # 部分公开
    NOT_DISCLOSED = "not_disclosed"  # 不予公开
    CANNOT_PROVIDE = "cannot_provide"  # 无法提供
    NOT_PROCESSED = "not_processed"  # 不予处理
    OTHER = "other"  # 其他处理


class Outcome(StrEnum):
    """Reply outcome: group plus sub-reason, as the national template counts them."""

    DISCLOSED = "disclosed"
    PARTLY_DISCLOSED = "partly_disclosed"
    NOT_DISCLOSED_STATE_SECRET = "not_disclosed.1"
    NOT_DISCLOSED_PROHIBITED_BY_LAW = "not_disclosed.2"
    NOT_DISCLOSED_THREE_SECURITIES = "not_disclosed.3"
    NOT_DISCLOSED_THIRD_PARTY = "not_disclosed.4"
    NOT_DISCLOSED_INTERNAL_AFFAIRS = "not_disclosed.5"
    NOT_DISCLOSED_PROCESS_INFORMATION = "not_disclosed.6"
    NOT_DISCLOSED_ENFORCEMENT_CASE_FILE = "not_disclosed.7"
    NOT_DISCLOSED_ENQUIRY_MATTER = "not_disclosed.8"
    CANNOT_PROVIDE_NOT_HELD = "cannot_provide.1"
    CANNOT_PROVIDE_WOULD_CREATE = "cannot_provide.2"
    CANNOT_PROVIDE_STILL_UNCLEAR = "cannot_provide.3"
    NOT_PROCESSED_PETITION = "not_processed.1"
    NOT_PROCESSED_REPEATED = "not_processed.2"
    NOT_PROCESSED_PUBLICATION = "not_processed.3"
    NOT_PROCESSED_EXCESSIVE = "not_processed.4"
    NOT_PROCESSED_CONFIRMATION = "not_processed.5"
    OTHER_NO_CORRECTION = "other.1"
    OTHER_FEE_UNPAID = "other.2"
    OTHER = "other.3"

    @property
    def group(self) -> OutcomeGroup:
        return OutcomeGroup(self.value.split(".")[0])


class FeeBasis(StrEnum):
    """信息处理费 charged per application or per page, never both (国办函〔2020〕109号)."""

    PER_APPLICATION = "per_application"
    PER_PAGE = "per_page"


class ThirdPartyInterest(StrEnum):
    COMMERCIAL_SECRET = "commercial_secret"  # 商业秘密
    PERSONAL_PRIVACY = "personal_privacy"  # 个人隐私


class AppealResult(StrEnum):
    """Results of reconsideration and litigation (004 att.9 Art 4(五))."""

    MAINTAINED = "maintained"  # 结果维持
    CORRECTED = "corrected"  # 结果纠正
    OTHER = "other"  # 其他结果


class LitigationKind(StrEnum):
    DIRECT = "direct"  # 未经复议直接起诉
    AFTER_RECONSIDERATION = "after_reconsideration"  # 复议后起诉


LABELS: dict[StrEnum, str] = {
    Role.DRAFTER: "拟稿人/承办人",
    Role.SECTION_HEAD: "处室负责人",
    Role.LEADER_IN_CHARGE: "分管领导",
    Role.SIGNER: "签发人",
    Role.PRINCIPAL_LEADER: "主要领导",
    Role.DISCLOSURE_OFFICE: "政务公开办公室",
    Role.CONFIDENTIALITY_REVIEWER: "保密审查员",
    Role.INVESTIGATOR: "纪检监察",
    Role.SYSTEM: "系统",
    Attribute.PROACTIVE: "主动公开",
    Attribute.ON_REQUEST: "依申请公开",
    Attribute.NOT_DISCLOSED: "不予公开",
    ReviewConclusion.PROACTIVE: "主动公开",
    ReviewConclusion.ON_REQUEST: "依申请公开",
    ReviewConclusion.EXEMPT: "免予公开",
    ReviewConclusion.REFER_UPWARD: "需报审",
    Outcome.DISCLOSED: "予以公开",
    Outcome.PARTLY_DISCLOSED: "部分公开",
    Outcome.NOT_DISCLOSED_STATE_SECRET: "属于国家秘密",
    Outcome.NOT_DISCLOSED_PROHIBITED_BY_LAW: "其他法律行政法规禁止公开",
    Outcome.NOT_DISCLOSED_THREE_SECURITIES: "危及“三安全一稳定”",
    Outcome.NOT_DISCLOSED_THIRD_PARTY: "保护第三方合法权益",
    Outcome.NOT_DISCLOSED_INTERNAL_AFFAIRS: "属于三类内部事务信息",
    Outcome.NOT_DISCLOSED_PROCESS_INFORMATION: "属于四类过程性信息",
    Outcome.NOT_DISCLOSED_ENFORCEMENT_CASE_FILE: "属于行政执法案卷",
    Outcome.NOT_DISCLOSED_ENQUIRY_MATTER: "属于行政查询事项",
    Outcome.CANNOT_PROVIDE_NOT_HELD: "本机关不掌握相关政府信息",
    Outcome.CANNOT_PROVIDE_WOULD_CREATE: "没有现成信息需要另行制作",
    Outcome.CANNOT_PROVIDE_STILL_UNCLEAR: "补正后申请内容仍不明确",
    Outcome.NOT_PROCESSED_PETITION: "信访举报投诉类申请",
    Outcome.NOT_PROCESSED_REPEATED: "重复申请",
    Outcome.NOT_PROCESSED_PUBLICATION: "要求提供公开出版物",
    Outcome.NOT_PROCESSED_EXCESSIVE: "无正当理由大量反复申请",
    Outcome.NOT_PROCESSED_CONFIRMATION: "要求行政机关确认或重新出具已获取信息",
    Outcome.OTHER_NO_CORRECTION: "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    Outcome.OTHER_FEE_UNPAID: (
        "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"
    ),
    Outcome.OTHER: "其他",
    OutcomeGroup.DISCLOSED: "予以公开",
    OutcomeGroup.PARTLY_DISCLOSED: "部分公开",
    OutcomeGroup.NOT_DISCLOSED: "不予公开",
    OutcomeGroup.CANNOT_PROVIDE: "无法提供",
    OutcomeGroup.NOT_PROCESSED: "不予处理",
    OutcomeGroup.OTHER: "其他处理",
    ApplicantType.NATURAL_PERSON: "自然人",
    ApplicantType.COMMERCIAL_ENTERPRISE: "商业企业",
    ApplicantType.RESEARCH_INSTITUTION: "科研机构",
    ApplicantType.PUBLIC_INTEREST_ORGANISATION: "社会公益组织",
    ApplicantType.LEGAL_SERVICE_INSTITUTION: "法律服务机构",
    ApplicantType.OTHER_ORGANISATION: "其他",
    DocumentType.RULE: "规章",
    DocumentType.NORMATIVE: "行政规范性文件",
    DocumentType.ORDINARY: "其他公文",
    DocumentType.LICENSING_DECISION: "行政许可",
    DocumentType.PENALTY_DECISION: "行政处罚",
    DocumentType.ENFORCEMENT_DECISION: "行政强制",
    AppealResult.MAINTAINED: "结果维持",
    AppealResult.CORRECTED: "结果纠正",
    AppealResult.OTHER: "其他结果",
}


def label(code: StrEnum) -> str:
    """The Chinese label of a code, falling back to the identifier."""
    return LABELS.get(code, code.value)
