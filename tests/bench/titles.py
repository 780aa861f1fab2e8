"""Realistic Chinese document titles for benchmarks (关于印发…的通知 and friends)."""

from __future__ import annotations

import random

PLACES = ["郑州市", "宽城区", "中卫市", "吉林省", "阿尔山市", "沙坡头区", "长春市", "金水区"]
VERBS = ["印发", "转发", "公布", "做好", "开展", "加强", "推进", "调整", "下达", "组织"]
SUBJECTS = [
    "工业互联网",
    "中小企业",
    "安全生产",
    "政府信息公开",
    "专项资金",
    "科技创新",
    "数字经济",
    "节能减排",
    "招商引资",
    "营商环境",
    "产业园区",
    "高新技术企业",
    "人才引进",
    "乡村振兴",
    "知识产权",
    "智能制造",
    "新能源汽车",
    "信息化建设",
    "无线电管理",
    "民营经济",
    "制造业",
    "质量提升",
    "统计调查",
    "疫情防控",
    "技术改造",
    "绿色发展",
    "软件产业",
    "集成电路",
    "大数据",
    "应急管理",
]
KINDS = [
    "发展规划",
    "实施方案",
    "管理办法",
    "工作要点",
    "专项行动",
    "申报工作",
    "考核结果",
    "补助资金",
    "试点名单",
    "检查情况",
    "评估报告",
    "扶持政策",
    "认定结果",
    "年度报告",
    "项目计划",
]
FORMS = ["的通知", "的意见", "的决定", "的批复", "的公告", "的函", "的报告"]
THEMES = ["工业", "科技", "财政", "信息化", "安全生产", "综合政务", "经济管理", "城乡建设"]
DEPARTMENTS = ["规划处", "办公室", "产业发展科", "科技科", "财务科", "信息化推进处", "综合科"]

# Words a portal visitor types: mostly two characters, some three or four.
QUERIES = [
    "规划",
    "资金",
    "安全",
    "企业",
    "专项",
    "创新",
    "园区",
    "人才",
    "试点",
    "考核",
    "乡村",
    "专利",
    "互联网",
    "大数据",
    "营商环境",
    "安全生产",
    "实施方案",
    "集成电路",
    "年度报告",
    "补助资金",
]


def title(rng: random.Random, year: int) -> str:
    subject = rng.choice(SUBJECTS)
    second = rng.choice(SUBJECTS) if rng.random() < 0.3 else ""
    return (
        f"{rng.choice(PLACES)}关于{rng.choice(VERBS)}{year}年{subject}{second}"
        f"{rng.choice(KINDS)}{rng.choice(FORMS)}"
    )
